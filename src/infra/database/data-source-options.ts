import { join, resolve } from 'node:path';

import { DataSourceOptions } from 'typeorm';

import { DatabaseConfig } from '../config';
import { ENTITIES } from './entities';

/** Repository root when running from `src/` (Jest) or from `dist/src/` (built). */
const ROOT = resolve(__dirname, '..', '..', '..');

export function buildDataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: database.url,
    entities: ENTITIES,
    migrations: [join(ROOT, 'migrations', '*.{ts,js}')],
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+, so no extension needs installing.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    connectTimeoutMS: database.connectTimeoutMs,
    extra: {
      max: database.poolSize,
      connectionTimeoutMillis: database.connectTimeoutMs,
      // Client-side bound as well as server-side: a dead server never answers.
      query_timeout: database.queryTimeoutMs,
      statement_timeout: database.queryTimeoutMs,
      keepAlive: true,
    },
  };
}
