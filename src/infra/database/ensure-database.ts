import { Client } from 'pg';

/**
 * Creates the database named in `url` when it does not exist, by connecting to
 * the server's `postgres` database. Lacking the right to create it is reported
 * as such, so a production role without CREATEDB gets a clear message.
 */
export async function ensureDatabase(url: string, connectTimeoutMs: number): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);

  admin.pathname = '/postgres';

  const client = new Client({
    connectionString: admin.toString(),
    connectionTimeoutMillis: connectTimeoutMs,
  });

  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);

    if (found.rowCount) {
      return false;
    }
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (error) {
      // Two processes starting together may race to create it; the loser is fine.
      if ((error as { code?: string }).code === '42P04') {
        return false;
      }
      throw new Error(`database "${name}" is missing and could not be created`, { cause: error });
    }

    return true;
  } finally {
    await client.end();
  }
}
