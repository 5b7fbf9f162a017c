/** Below this, a number reads as epoch seconds rather than milliseconds (that is before 1973). */
const SECONDS_CUTOFF = 1e11;
const LATEST = Date.UTC(9999, 11, 31);

/**
 * Reads MaiAgent's timestamps: epoch milliseconds as a number or digit string
 * (the documented form) or an ISO-8601 string. Returns undefined when the
 * value is none of those.
 */
export function parseTimestamp(value: unknown): Date | undefined {
  let millis: number;
  let isEpochNumber = true;

  if (typeof value === 'number') {
    millis = value;
  } else if (typeof value === 'string' && /^\d{1,16}(\.\d+)?$/.test(value)) {
    millis = Number(value);
  } else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    millis = Date.parse(value);
    isEpochNumber = false;
  } else {
    return undefined;
  }
  if (!Number.isFinite(millis) || millis < 0) {
    return undefined;
  }
  // The spec says milliseconds; a ten-digit value is a sender using seconds. An
  // ISO date is unambiguous, so an early one (before 1973) is left alone.
  if (isEpochNumber && millis > 0 && millis < SECONDS_CUTOFF) {
    millis *= 1000;
  }

  return millis <= LATEST ? new Date(millis) : undefined;
}
