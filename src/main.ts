import 'reflect-metadata';

import { createApp } from './bootstrap';
import { describeFatalError } from './fatal-error';
import { ProcessRole, loadConfig, processEnvironment } from './infra/config';
import { createLogger } from './infra/logging/logger';

const ROLES: Record<string, ProcessRole[]> = {
  api: ['api'],
  worker: ['worker'],
  all: ['api', 'worker'],
};

/** `node dist/src/main.js [api|worker|all]`; default `all`, the laptop mode. */
async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'all';
  const roles = ROLES[mode];

  if (!roles) {
    throw new Error(`unknown role "${mode}": use api, worker or all`);
  }

  const config = loadConfig(processEnvironment());
  const logger = createLogger(config.logLevel);
  const app = await createApp(config, { roles, logger });

  if (roles.includes('api')) {
    await app.listen({ port: config.port, host: config.host });
    logger.info({ port: config.port, roles }, 'listening');
  } else {
    await app.init();
    logger.info({ roles }, 'worker started');
  }
}

main().catch((error: unknown) => {
  // The logger may not exist yet (bad configuration), so write plainly to stderr.
  process.stderr.write(`${describeFatalError(error)}\n`);
  process.exit(1);
});
