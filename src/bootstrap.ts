import { randomUUID } from 'node:crypto';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';

import { QueueBoard } from './admin/queue-board.service';
import { AppModule } from './app.module';
import { AppConfig, ProcessRole } from './infra/config';
import { prepareDatabase } from './infra/database/prepare-database';
import { AppLogger, NestPinoLogger, createLogger } from './infra/logging/logger';

export interface StartOptions {
  roles: ProcessRole[];
  logger?: AppLogger;
}

/**
 * Builds the application for the given roles, ready to `listen()`. The same
 * function serves `main.ts`, the tests and the benchmark.
 */
export async function createApp(
  config: AppConfig,
  options: StartOptions,
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(config.logLevel);

  await prepareDatabase(config.database, logger);

  const adapter = new FastifyAdapter({
    bodyLimit: config.webhook.bodyLimitBytes,
    // MaiAgent posts to the URL exactly as the integrator typed it, trailing slash or not.
    routerOptions: { ignoreTrailingSlash: true },
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Behind a proxy the client's request id is kept, but nothing else is trusted.
    trustProxy: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, logger, roles: options.roles }),
    adapter,
    { rawBody: true, logger: new NestPinoLogger(logger), abortOnError: false },
  );

  app.enableShutdownHooks();
  if (options.roles.includes('api')) {
    await app.get(QueueBoard).mount(app.getHttpAdapter().getInstance());
  }

  return app;
}
