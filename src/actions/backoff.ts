import { ActionError } from './action-error';
import { RetryPolicy } from './actions-config';

/**
 * Delay before the next attempt. A downstream's `Retry-After` wins over the
 * policy (capped at `maxDelayMs`), so a rate-limited target is not hammered.
 */
export function retryDelay(
  policy: RetryPolicy,
  attemptsMade: number,
  error: unknown,
  random = Math.random,
): number {
  if (error instanceof ActionError && error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, policy.maxDelayMs);
  }

  const base =
    policy.backoff === 'fixed'
      ? policy.delayMs
      : policy.delayMs * 2 ** Math.max(0, attemptsMade - 1);
  const capped = Math.min(base, policy.maxDelayMs);

  return Math.round(capped * (1 - policy.jitter * random()));
}
