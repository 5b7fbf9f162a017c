import { DynamicModule, Module } from '@nestjs/common';

import { ActionsModule } from './actions';
import { AdminModule } from './admin/admin.module';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { DispatchModule } from './dispatch/dispatch.module';
import { HealthModule } from './health/health.module';
import { AppConfig, ConfigModule, ProcessRole } from './infra/config';
import { DatabaseModule } from './infra/database/database.module';
import { AppLogger } from './infra/logging/logger';
import { LoggingModule } from './infra/logging/logging.module';
import { QueueModule } from './infra/queue/queue.module';
import { WebhookModule } from './webhook/webhook.module';

export interface AppModuleOptions {
  config: AppConfig;
  logger: AppLogger;
  roles: ProcessRole[];
}

/**
 * One codebase, two process roles: the API (intake, health, admin) and the
 * worker (dispatch, actions, outbox sweeper). A laptop runs both in one process.
 */
@Module({})
export class AppModule {
  static forRoot({ config, logger, roles }: AppModuleOptions): DynamicModule {
    const api = roles.includes('api') ? [WebhookModule, HealthModule, AdminModule] : [];
    const worker = roles.includes('worker') ? [DispatchModule] : [];

    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        DatabaseModule,
        QueueModule,
        ActionsModule.register({ isRunningWorkers: roles.includes('worker') }),
        DeadLettersModule,
        ...api,
        ...worker,
      ],
    };
  }
}
