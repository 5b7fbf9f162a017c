import { Client } from 'pg';

import { loadConfig } from '../../src/infra/config';
import { prepareDatabase } from '../../src/infra/database/prepare-database';
import { createLogger } from '../../src/infra/logging/logger';
import { TEMPLATE_DATABASE, TEST_POSTGRES_URL, baseTestEnvironment, databaseUrl } from './test-env';

/** Migrates a template database once per run; every test file clones it. */
export default async function globalSetup(): Promise<void> {
  // Test workers inherit this, so they clone the template this run made.
  process.env.TEST_TEMPLATE_DATABASE = TEMPLATE_DATABASE;

  const admin = new Client({ connectionString: TEST_POSTGRES_URL });

  await admin.connect();
  try {
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [TEMPLATE_DATABASE],
    );
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }

  const config = loadConfig({
    ...baseTestEnvironment(),
    DATABASE_URL: databaseUrl(TEMPLATE_DATABASE),
  });

  await prepareDatabase(config.database, createLogger('silent'), { isMigrating: true });
}
