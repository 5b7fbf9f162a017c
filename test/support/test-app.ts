import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';

import { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createApp } from '../../src/bootstrap';
import { AppConfig, Environment, ProcessRole, loadConfig } from '../../src/infra/config';
import { TestDatabase } from './test-database';
import { baseTestEnvironment } from './test-env';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** Base URL of the listening API, e.g. http://127.0.0.1:40123 (API role only). */
  url: string;
  close(): Promise<void>;
}

/** A unique queue prefix, so test files never see each other's jobs. */
export function uniqueQueuePrefix(): string {
  return `t_${randomBytes(5).toString('hex')}`;
}

/**
 * Starts the real application against a test database. `env` overrides the
 * base test settings; QUEUE_PREFIX should be shared by the apps of one test.
 */
export async function startTestApp(
  database: TestDatabase,
  env: Environment = {},
  roles: ProcessRole[] = ['api', 'worker'],
): Promise<TestApp> {
  const config = loadConfig({
    ...baseTestEnvironment(),
    DATABASE_URL: database.url,
    QUEUE_PREFIX: uniqueQueuePrefix(),
    ...env,
  });
  const app = await createApp(config, { roles });
  let url = '';

  if (roles.includes('api')) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address() as AddressInfo;

    url = `http://127.0.0.1:${address.port}`;
  } else {
    await app.init();
  }

  return { app, config, url, close: () => app.close() };
}
