/** What to do with a batch the API did not take. */
export type RetryDecision = 'retry' | 'drop';

/**
 * `status` is undefined (or 0) when no response arrived: offline, DNS, CORS, a timeout.
 * Those, 408, 429 and 5xx are worth another try with the same ids; any other answer means the batch itself is bad.
 */
export function retryPolicy(status: number | undefined): RetryDecision {
  return !status || status === 408 || status === 429 || status >= 500 ? 'retry' : 'drop';
}

/** Milliseconds to wait from a Retry-After header (delay-seconds or an HTTP date), or null when absent or invalid. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date ends in GMT; anything else Date.parse would guess at is not one.
  const date = / GMT$/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
