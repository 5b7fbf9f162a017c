import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

import { AppConfig, WebhookSource } from './app-config';
import { EnvironmentSchema } from './env.schema';

export type Environment = Record<string, string | undefined>;

/** The one place the service reads `process.env`. */
export function processEnvironment(): Environment {
  return process.env;
}

/** Raised when the environment is invalid; lists every offending variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment once and turns it into the typed configuration.
 * Unknown variables are ignored; empty strings count as unset.
 */
export function loadConfig(env: Environment): AppConfig {
  const known = Object.keys(new EnvironmentSchema());
  const given: Record<string, string> = {};

  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '' && known.includes(key)) {
      given[key] = value;
    }
  }

  const schema = plainToInstance(EnvironmentSchema, given);
  const problems = validateSync(schema, { forbidUnknownValues: false }).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((text) => `${error.property}: ${text}`),
  );
  const sources = parseSources(schema, problems);

  if (problems.length > 0) {
    throw new ConfigError(problems);
  }

  return {
    env: schema.NODE_ENV,
    host: schema.HOST,
    port: schema.PORT,
    logLevel: schema.LOG_LEVEL,
    database: {
      url: schema.DATABASE_URL,
      poolSize: schema.DATABASE_POOL_SIZE,
      connectTimeoutMs: schema.DATABASE_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: schema.DATABASE_QUERY_TIMEOUT_MS,
      isAutoCreate: isTrue(schema.DATABASE_AUTO_CREATE),
      isMigrateOnStart: isTrue(schema.MIGRATIONS_RUN),
    },
    redis: { url: schema.REDIS_URL, queuePrefix: schema.QUEUE_PREFIX },
    webhook: {
      bodyLimitBytes: schema.WEBHOOK_BODY_LIMIT_BYTES,
      invalidPayload: schema.WEBHOOK_INVALID_PAYLOAD as AppConfig['webhook']['invalidPayload'],
      tokenHeader: schema.WEBHOOK_TOKEN_HEADER,
      sources,
      maxBatchSize: schema.WEBHOOK_MAX_BATCH,
    },
    outbox: {
      sweepIntervalMs: schema.OUTBOX_SWEEP_INTERVAL_MS,
      sweepGraceMs: schema.OUTBOX_SWEEP_GRACE_MS,
      enqueueTimeoutMs: schema.OUTBOX_ENQUEUE_TIMEOUT_MS,
      staleMs: schema.OUTBOX_STALE_MS,
    },
    worker: {
      messageConcurrency: schema.WORKER_MESSAGE_CONCURRENCY,
      lockDurationMs: schema.WORKER_LOCK_DURATION_MS,
    },
    admin: { username: schema.ADMIN_USERNAME, password: schema.ADMIN_PASSWORD },
    actionsFile: schema.ACTIONS_FILE,
    variables: { ...env },
  };
}

/** The schema accepts what class-validator's IsBooleanString does: true, false, 1 and 0. */
function isTrue(value: string): boolean {
  return value === 'true' || value === '1';
}

/** Longest source name the `source` columns hold. */
const MAX_SOURCE_NAME_LENGTH = 100;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function parsePairs(list: string | undefined): [string, string][] {
  if (!list) {
    return [];
  }

  return (
    list
      .split(',')
      .map((pair): [string, string] => {
        const at = pair.indexOf(':');

        return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      })
      // A pair without a name is already reported by the schema; without this
      // filter the secret itself would be taken for a name and echoed in errors.
      .filter(([name]) => name.length > 0)
  );
}

/**
 * Builds the sender list from WEBHOOK_SECRET (one source named "default"),
 * WEBHOOK_SOURCES (name:token pairs) and WEBHOOK_SIGNING_SECRETS (name:whsec pairs).
 */
function parseSources(schema: EnvironmentSchema, problems: string[]): WebhookSource[] {
  const byName = new Map<string, WebhookSource>();
  const source = (name: string): WebhookSource => {
    const existing = byName.get(name) ?? { name };

    byName.set(name, existing);

    return existing;
  };

  if (schema.WEBHOOK_SECRET) {
    source('default').token = schema.WEBHOOK_SECRET;
  }
  for (const [name, token] of parsePairs(schema.WEBHOOK_SOURCES)) {
    checkName('WEBHOOK_SOURCES', name, problems);
    if (source(name).token) {
      problems.push(`WEBHOOK_SOURCES: source "${name}" is given a token twice`);
    }
    if (token.length < 16) {
      problems.push(
        `WEBHOOK_SOURCES: the token of source "${name}" must be at least 16 characters`,
      );
    }
    source(name).token = token;
  }
  for (const [name, secret] of parsePairs(schema.WEBHOOK_SIGNING_SECRETS)) {
    checkName('WEBHOOK_SIGNING_SECRETS', name, problems);
    if (!secret.startsWith('whsec_')) {
      problems.push(
        `WEBHOOK_SIGNING_SECRETS: the secret of source "${name}" must start with whsec_`,
      );
    } else if (!BASE64.test(secret.slice('whsec_'.length)) || secret === 'whsec_') {
      // Checked here so that start-up fails with the other problems, not later in a constructor.
      problems.push(
        `WEBHOOK_SIGNING_SECRETS: the secret of source "${name}" must be whsec_ followed by base64`,
      );
    }
    source(name).signingSecret = secret;
  }

  return [...byName.values()];
}

function checkName(key: string, name: string, problems: string[]): void {
  if (name.length > MAX_SOURCE_NAME_LENGTH) {
    problems.push(`${key}: source names must be at most ${MAX_SOURCE_NAME_LENGTH} characters`);
  }
}
