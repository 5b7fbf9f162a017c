import { Environment } from '../../src/infra/config';

/** Where the tests find the machine's Postgres and Redis; override with env vars. */
export const TEST_POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * Migrated once per run by the global setup; named per run so that two runs
 * on one machine never drop each other's template.
 */
export const TEMPLATE_DATABASE =
  process.env.TEST_TEMPLATE_DATABASE ?? `maiagent_test_template_${process.pid}`;

export function databaseUrl(name: string, base = TEST_POSTGRES_URL): string {
  const url = new URL(base);

  url.pathname = `/${name}`;

  return url.toString();
}

/** Settings every test app starts from: quiet, fast sweeps, no start-up migrations. */
export function baseTestEnvironment(): Environment {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: TEST_REDIS_URL,
    DATABASE_AUTO_CREATE: 'false',
    MIGRATIONS_RUN: 'false',
    DATABASE_CONNECT_TIMEOUT_MS: '500',
    DATABASE_QUERY_TIMEOUT_MS: '1000',
    OUTBOX_SWEEP_INTERVAL_MS: '200',
    OUTBOX_SWEEP_GRACE_MS: '0',
    OUTBOX_ENQUEUE_TIMEOUT_MS: '500',
  };
}
