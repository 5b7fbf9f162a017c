/** Statuses worth retrying: the request may succeed later unchanged. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([
  408, 425, 429, 500, 502, 503, 504, 507, 508, 509, 510, 511, 598, 599,
]);

/** Socket-level failures that say nothing about the request itself. */
export const RETRYABLE_SOCKET_ERRORS: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/**
 * 408, 425, 429 and 5xx other than 501 (not implemented) and 505 (version
 * not supported) are retryable; every other 4xx and 5xx is permanent.
 */
export function isRetryableStatus(status: number): boolean {
  if (status >= 500 && status <= 599) {
    return status !== 501 && status !== 505;
  }

  return RETRYABLE_STATUSES.has(status);
}

/**
 * Reads `Retry-After` (seconds or an HTTP date) into milliseconds from `now`.
 * Returns undefined when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now = Date.now(),
): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;

  if (!header) {
    return undefined;
  }
  if (/^\d+$/.test(header.trim())) {
    return Number(header.trim()) * 1000;
  }

  const date = Date.parse(header);

  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
