import { Client } from 'pg';

import { TEMPLATE_DATABASE, TEST_POSTGRES_URL } from './test-env';

/** Drops this run's template database. */
export default async function globalTeardown(): Promise<void> {
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });

  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
