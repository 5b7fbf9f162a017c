import {
  BadRequestException,
  Controller,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  ServiceUnavailableException,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { FastifyRequest } from 'fastify';

import { APP_LOGGER, AppLogger } from '../infra/logging/logger';
import { SenderAuthenticator } from './sender-auth.service';
import { WebhookService } from './webhook.service';

export const WEBHOOK_ACCEPTED = { message: 'Webhook received successfully' } as const;

type RawBodyRequest = FastifyRequest & { rawBody?: Buffer };

/** Width of `messages.correlation_id`. */
const MAX_CORRELATION_ID_LENGTH = 128;

@Controller('maiagent/webhook')
export class WebhookController {
  constructor(
    private readonly webhook: WebhookService,
    private readonly auth: SenderAuthenticator,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  /**
   * MaiAgent retries anything but 200, so 200 means "durably stored, stop
   * retrying" (also for duplicates and quarantined bodies), and 503 means
   * "our storage is down, retry later".
   */
  @Post([':token', ''])
  @HttpCode(200)
  async receive(
    @Req() request: RawBodyRequest,
    @Param('token') pathToken?: string,
    @Query('token') queryToken?: string,
  ): Promise<typeof WEBHOOK_ACCEPTED> {
    if (!isJson(request.headers['content-type'])) {
      throw new UnsupportedMediaTypeException('Content-Type must be application/json');
    }

    // Limitation: credentials are checked after Fastify has parsed the body (signatures need
    // it), so an unauthenticated body that is not JSON gets 400 rather than 401.
    const rawBody = request.rawBody ?? Buffer.alloc(0);
    const source = this.auth.authenticate({
      headers: request.headers,
      pathToken,
      queryToken: typeof queryToken === 'string' ? queryToken : undefined,
      rawBody,
    });

    if (source === null) {
      throw new UnauthorizedException('missing or invalid webhook credentials');
    }

    let result;

    try {
      result = await this.webhook.receive({
        rawBody,
        body: request.body,
        source,
        // The id may come from the client's x-request-id, of any length; a longer
        // one must not fail the insert (and with it every delivery of the batch).
        correlationId: request.id.slice(0, MAX_CORRELATION_ID_LENGTH),
      });
    } catch (error) {
      this.logger.error({ err: error, reqId: request.id }, 'delivery could not be stored');
      throw new ServiceUnavailableException('storage is unavailable; retry later');
    }
    if (result.kind === 'rejected') {
      throw new BadRequestException({
        message: 'invalid webhook payload',
        problems: result.problems,
      });
    }

    return WEBHOOK_ACCEPTED;
  }
}

function isJson(contentType: string | undefined): boolean {
  // Only what Fastify's JSON parser accepts; anything else never reaches here parsed.
  return contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType);
}
