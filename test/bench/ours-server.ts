import { AddressInfo } from 'node:net';

import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/infra/config';
import { TEST_REDIS_URL, databaseUrl } from '../support/test-env';
import { RunningServer } from './bench-server';

/** The real API role with default settings; the database does not exist yet. */
export async function serveOurs(database: string, queuePrefix: string): Promise<RunningServer> {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl(database),
    // Created and migrated by the app on start, as on a fresh machine.
    DATABASE_AUTO_CREATE: 'true',
    MIGRATIONS_RUN: 'true',
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
  });
  const app = await createApp(config, { roles: ['api'] });

  await app.listen({ port: 0, host: '127.0.0.1' });

  return { port: (app.getHttpServer().address() as AddressInfo).port, close: () => app.close() };
}
