/**
 * A failed run, with its retry decision carried as data. Handlers throw this
 * (or let the processor classify an unknown error as retryable); the decision
 * is made by type or status code, never by reading error text.
 */
export class ActionError extends Error {
  readonly code: string;
  readonly isRetryable: boolean;
  /** Downstream HTTP or SMTP status, when there was one. */
  readonly status?: number;
  /** Wait the downstream asked for (e.g. `Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;

  constructor(
    code: string,
    message: string,
    options: { isRetryable: boolean; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'ActionError';
    this.code = code;
    this.isRetryable = options.isRetryable;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  static retryable(
    code: string,
    message: string,
    options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ): ActionError {
    return new ActionError(code, message, { ...options, isRetryable: true });
  }

  static permanent(
    code: string,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ): ActionError {
    return new ActionError(code, message, { ...options, isRetryable: false });
  }
}
