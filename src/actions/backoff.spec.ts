import { ActionError } from './action-error';
import { DEFAULT_RETRY, RetryPolicy } from './actions-config';
import { retryDelay } from './backoff';

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { ...DEFAULT_RETRY, delayMs: 1000, maxDelayMs: 60_000, jitter: 0, ...overrides };
}

const transient = new Error('connection reset');

describe('retryDelay', () => {
  it('doubles an exponential delay per attempt, up to the cap', () => {
    const delays = [1, 2, 3, 4, 7, 8].map((attempt) => retryDelay(policy(), attempt, transient));

    expect(delays).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000]);
  });

  it('keeps a fixed delay fixed', () => {
    expect(retryDelay(policy({ backoff: 'fixed' }), 5, transient)).toBe(1000);
  });

  it('takes jitter off the delay, never adding to it', () => {
    const jittered = policy({ jitter: 0.5 });

    expect(retryDelay(jittered, 1, transient, () => 0)).toBe(1000);
    expect(retryDelay(jittered, 1, transient, () => 1)).toBe(500);
    expect(retryDelay(jittered, 1, transient, () => 0.5)).toBe(750);
  });

  it("uses the downstream's Retry-After instead of the policy, capped", () => {
    const limited = ActionError.retryable('http_429', 'slow down', {
      status: 429,
      retryAfterMs: 5000,
    });
    const greedy = ActionError.retryable('http_503', 'later', {
      status: 503,
      retryAfterMs: 86_400_000,
    });

    expect(retryDelay(policy(), 1, limited)).toBe(5000);
    expect(retryDelay(policy(), 1, greedy)).toBe(60_000);
  });
});
