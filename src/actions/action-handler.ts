import { AppLogger } from '../infra/logging/logger';
import { CompiledTemplate } from './template-renderer';

/** The message as actions and templates see it. */
export interface ActionMessage {
  id: string;
  conversation: string;
  type: string | null;
  content: string | null;
  sender: { id: string | null; name: string | null; avatar: string | null };
  /** Name of the configured source (sender) the message arrived through. */
  source: string;
  /** ISO-8601; MaiAgent's creation time, when the payload had one. */
  createdAt: string | null;
  receivedAt: string;
  feedback: Record<string, unknown> | null;
  attachments: unknown[];
  citations: Record<string, unknown>[];
  /** The delivery's body exactly as received. */
  rawBody: Buffer;
}

export interface ActionRunContext {
  message: ActionMessage;
  /** Name of the configured action, e.g. `notify-sales`. */
  actionName: string;
  /** Id of the (message, action) run record; stable across retries and replays. */
  runId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * Key that identifies this run to a downstream system, the same on every
   * retry and replay; send it where the downstream supports idempotency.
   */
  idempotencyKey: string;
  /** Aborted when the attempt's timeout passes; pass it to I/O calls. */
  signal: AbortSignal;
  logger: AppLogger;
}

/** What a successful run records, for operators. */
export interface ActionResult {
  /** Downstream status code, if any. */
  status?: number;
  /** Short description, e.g. the id the downstream gave the created object. */
  detail?: string;
}

/** Tools a handler uses while preparing its settings at start-up. */
export interface PrepareTools {
  /** Compiles a template; a syntax error stops start-up naming the key. */
  template(key: string, source: string): CompiledTemplate;
  /** Records a problem with one settings key; start-up fails after all are collected. */
  problem(key: string, text: string): void;
  /** Whether outbound connections to private, loopback and link-local addresses are allowed. */
  allowPrivateNetworks: boolean;
}

/**
 * One action type (`email`, `crm`, `http`, or a team's own). A handler is a
 * stateless provider: `settingsSchema` is a class-validator class for the
 * action's `settings` block, checked at start-up; `prepare` turns validated
 * settings into what `execute` needs (compiled templates, clients) once per
 * configured action; `execute` performs one attempt and throws an
 * `ActionError` on failure (any other error counts as retryable).
 *
 * Register a new handler in `src/plugins/index.ts`.
 */
export interface ActionHandler<TSettings extends object = object, TPrepared = unknown> {
  readonly type: string;
  readonly settingsSchema: new () => TSettings;
  prepare(settings: TSettings, tools: PrepareTools): TPrepared;
  execute(prepared: TPrepared, context: ActionRunContext): Promise<ActionResult | void>;
  /** Releases what `prepare` opened (e.g. pooled connections) at shutdown. */
  dispose?(prepared: TPrepared): Promise<void>;
}

/** Injection token of the array of every registered handler. */
export const ACTION_HANDLERS = Symbol('ACTION_HANDLERS');
