import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

import { TEMPLATE_DATABASE, TEST_POSTGRES_URL, databaseUrl } from './test-env';

/** A migrated database of a test file's own, cloned from the run's template. */
export class TestDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(): Promise<TestDatabase> {
    const name = `maiagent_t_${randomBytes(5).toString('hex')}`;

    await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);

    return new TestDatabase(name, databaseUrl(name));
  }

  /** Runs one query on a fresh connection and returns its rows. */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.url });

    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async drop(): Promise<void> {
    await adminQuery(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });

  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
