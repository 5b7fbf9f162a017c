import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { FastifyRequest } from 'fastify';

import { APP_CONFIG, AppConfig } from '../infra/config';
import { isAdminAuthorized } from './basic-auth';

/** Admin API access: HTTP Basic with ADMIN_USERNAME / ADMIN_PASSWORD. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();

    if (!isAdminAuthorized(request.headers.authorization, this.config.admin)) {
      throw new UnauthorizedException('admin credentials required');
    }

    return true;
  }
}
