import 'reflect-metadata';

import { ConfigError, loadConfig, processEnvironment } from './infra/config';
import { prepareDatabase } from './infra/database/prepare-database';
import { createLogger } from './infra/logging/logger';

const USAGE = `usage: node dist/src/cli.js <command>

commands:
  migrate      create the database if missing and apply pending migrations`;

/** Operator commands; each loads the same validated configuration as the service. */
async function main(): Promise<number> {
  const [command] = process.argv.slice(2);
  const config = loadConfig(processEnvironment());
  const logger = createLogger(config.logLevel);

  switch (command) {
    case 'migrate':
      await prepareDatabase(config.database, logger, { isMigrating: true });

      return 0;
    default:
      process.stderr.write(`${USAGE}\n`);

      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const text =
      error instanceof ConfigError ? error.message : ((error as Error).stack ?? String(error));

    process.stderr.write(`${text}\n`);
    process.exit(1);
  },
);
