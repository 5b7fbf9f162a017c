/** Retry behaviour of one action. */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  backoff: 'fixed' | 'exponential';
  /** Delay before the first retry; exponential doubles it each time. */
  delayMs: number;
  /** Longest delay between attempts, also the cap on an honoured `Retry-After`. */
  maxDelayMs: number;
  /** Fraction of the delay randomised, 0 to 1. */
  jitter: number;
  /** One attempt's time limit. */
  timeoutMs: number;
  /** Runs of this action executed at once per worker process. */
  concurrency: number;
  /** Optional cap: at most `max` attempts per `durationMs`, across all workers. */
  rateLimit?: { max: number; durationMs: number };
}

/** One configured action: a name, its type's handler, its settings and its retry policy. */
export interface ActionDefinition {
  name: string;
  type: string;
  /** Settings as validated by the type's schema, after `${VAR}` substitution. */
  settings: object;
  retry: RetryPolicy;
}

/** Conditions on a message; all given ones must hold. A list means "any of". */
export interface RouteConditions {
  type?: string[];
  conversation?: string[];
  senderId?: string[];
  source?: string[];
  contentMatches?: RegExp;
  hasCitations?: boolean;
  hasAttachments?: boolean;
}

export interface RouteDefinition {
  name: string;
  when: RouteConditions;
  actions: string[];
}

export interface ActionsConfig {
  /** File the configuration came from, for messages. */
  file: string | null;
  /** Whether actions may call private, loopback and link-local addresses. */
  allowPrivateNetworks: boolean;
  actions: ActionDefinition[];
  routes: RouteDefinition[];
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  backoff: 'exponential',
  delayMs: 2000,
  maxDelayMs: 10 * 60 * 1000,
  jitter: 0.2,
  timeoutMs: 30_000,
  concurrency: 5,
};
