/** How a JSON object that fails payload validation is handled. */
export type InvalidPayloadMode = 'quarantine' | 'reject';

export type ProcessRole = 'api' | 'worker';

/**
 * One configured sender of webhooks, e.g. one MaiAgent assistant. A delivery is
 * attributed to the first source whose token or signature it carries.
 */
export interface WebhookSource {
  name: string;
  /** Shared secret presented in the token header, `?token=` or the URL path. */
  token?: string;
  /** Standard Webhooks signing secret (`whsec_...`) for senders that sign. */
  signingSecret?: string;
}

export interface DatabaseConfig {
  url: string;
  poolSize: number;
  /** Bound on opening a connection; keeps a down database a fast 503. */
  connectTimeoutMs: number;
  /** Bound on a single statement. */
  queryTimeoutMs: number;
  /** Create the database on start-up when it is missing. */
  isAutoCreate: boolean;
  /** Run pending migrations on start-up (off in production, see `npm run migration:run`). */
  isMigrateOnStart: boolean;
}

export interface RedisConfig {
  url: string;
  /** Key prefix of every queue, so several deployments can share one Redis. */
  queuePrefix: string;
}

export interface WebhookConfig {
  bodyLimitBytes: number;
  invalidPayload: InvalidPayloadMode;
  tokenHeader: string;
  sources: WebhookSource[];
  /** Most deliveries written by one INSERT. */
  maxBatchSize: number;
}

export interface OutboxConfig {
  /** How often committed-but-not-enqueued messages are looked for. */
  sweepIntervalMs: number;
  /** Age a message must reach before the sweeper treats it as missed. */
  sweepGraceMs: number;
  /** Bound on one enqueue into Redis from the request path. */
  enqueueTimeoutMs: number;
  /**
   * Age after which a message enqueued but not dispatched, or a live action
   * run not updated, is re-checked: its job may have been lost with Redis's data.
   */
  staleMs: number;
}

export interface WorkerConfig {
  messageConcurrency: number;
  /**
   * How long a worker holds a job without renewing its lock; a killed worker's
   * job is picked up again after this.
   */
  lockDurationMs: number;
}

export interface AdminConfig {
  username?: string;
  password?: string;
}

export interface AppConfig {
  env: string;
  host: string;
  port: number;
  logLevel: string;
  database: DatabaseConfig;
  redis: RedisConfig;
  webhook: WebhookConfig;
  outbox: OutboxConfig;
  worker: WorkerConfig;
  admin: AdminConfig;
  /** Path of the YAML file that declares actions and routes, if any. */
  actionsFile?: string;
  /** The environment, for `${NAME}` references in the actions file (secrets live there). */
  variables: Record<string, string | undefined>;
}

/** Injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
