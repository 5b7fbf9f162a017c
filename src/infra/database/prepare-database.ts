import { DataSource } from 'typeorm';

import { DatabaseConfig } from '../config';
import { AppLogger } from '../logging/logger';
import { buildDataSourceOptions } from './data-source-options';
import { ensureDatabase } from './ensure-database';

/** Any fixed key: every process of the service migrates under the same advisory lock. */
const MIGRATION_LOCK = 7_240_115;

/** Creates the database if allowed and missing, then applies pending migrations. */
export async function prepareDatabase(
  database: DatabaseConfig,
  logger: AppLogger,
  options: { isMigrating: boolean } = { isMigrating: database.isMigrateOnStart },
): Promise<void> {
  if (database.isAutoCreate && (await ensureDatabase(database.url, database.connectTimeoutMs))) {
    logger.info({}, 'database created');
  }
  if (!options.isMigrating) {
    return;
  }

  const dataSource = new DataSource({
    ...buildDataSourceOptions(database),
    // Migrations may take longer than a webhook statement is allowed to.
    extra: { max: 1, connectionTimeoutMillis: database.connectTimeoutMs },
  });

  await dataSource.initialize();
  try {
    // API and worker pods starting together must not apply the same migration twice.
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });

    if (applied.length > 0) {
      logger.info({ migrations: applied.map((migration) => migration.name) }, 'migrations applied');
    }
  } finally {
    await dataSource
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
      .catch(() => undefined);
    await dataSource.destroy();
  }
}
