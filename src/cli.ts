import 'reflect-metadata';

import { parseArgs } from 'node:util';

import { NestFactory } from '@nestjs/core';

import { AppModule } from './app.module';
import { ReplayFilter } from './actions';
import { DeadLettersService } from './dead-letters/dead-letters.service';
import { describeFatalError } from './fatal-error';
import { AppConfig, loadConfig, processEnvironment } from './infra/config';
import { prepareDatabase } from './infra/database/prepare-database';
import { AppLogger, NestPinoLogger, createLogger } from './infra/logging/logger';

const USAGE = `usage: node dist/src/cli.js <command> [options]

commands:
  migrate      create the database if missing and apply pending migrations
  replay       put dead action runs back with fresh attempts; all given filters must match:
                 --run <id>          one run
                 --action <name>     runs of one action
                 --error-code <code> runs whose last error had this code (e.g. http_503)
                 --since <ISO-8601>  runs that died at or after this time
                 --until <ISO-8601>  runs that died before this time
                 --force             also re-run succeeded runs (repeats their side effect)
                 --all               required when no other filter is given`;

/** Parses `replay`'s options; throws with a readable message on a bad value. */
export function parseReplayArguments(args: string[]): ReplayFilter {
  const { values } = parseArgs({
    args,
    options: {
      run: { type: 'string' },
      action: { type: 'string' },
      'error-code': { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      force: { type: 'boolean' },
      all: { type: 'boolean' },
    },
  });
  const date = (name: string, value: string | undefined): Date | undefined => {
    if (value === undefined) {
      return undefined;
    }

    const parsed = new Date(value);

    if (Number.isNaN(parsed.getTime())) {
      throw new Error(`--${name} must be an ISO-8601 date, got "${value}"`);
    }

    return parsed;
  };
  const filter: ReplayFilter = {
    runId: values.run,
    actionName: values.action,
    errorCode: values['error-code'],
    deadAfter: date('since', values.since),
    deadBefore: date('until', values.until),
    isForced: values.force ?? false,
  };
  const hasFilter = [
    filter.runId,
    filter.actionName,
    filter.errorCode,
    filter.deadAfter,
    filter.deadBefore,
  ].some((value) => value !== undefined);

  if (!hasFilter && !values.all) {
    throw new Error(
      'replay needs a filter (--run, --action, --error-code, --since, --until) or --all',
    );
  }

  return filter;
}

async function replay(config: AppConfig, logger: AppLogger, args: string[]): Promise<number> {
  const filter = parseReplayArguments(args);
  const context = await NestFactory.createApplicationContext(
    AppModule.forRoot({ config, logger, roles: [] }),
    { logger: new NestPinoLogger(logger), abortOnError: false },
  );

  try {
    const report = await context.get(DeadLettersService).replay(filter);

    process.stdout.write(`${JSON.stringify(report)}\n`);

    return 0;
  } finally {
    await context.close();
  }
}

/** Operator commands; each loads the same validated configuration as the service. */
async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  const config = loadConfig(processEnvironment());
  const logger = createLogger(config.logLevel);

  switch (command) {
    case 'migrate':
      await prepareDatabase(config.database, logger, { isMigrating: true });

      return 0;
    case 'replay':
      return replay(config, logger, args);
    default:
      process.stderr.write(`${USAGE}\n`);

      return 2;
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${describeFatalError(error)}\n`);
      process.exit(1);
    },
  );
}
