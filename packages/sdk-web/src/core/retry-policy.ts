/**
 * Whether a batch the API did not take is worth another try with the same ids (else it is dropped). `status` is
 * undefined (or 0) when no response arrived: offline, DNS, CORS, a timeout. Those, 408, 429 and 5xx are retried; any
 * other answer means the batch itself is bad.
 */
export function isRetryable(status: number | undefined): boolean {
  return !status || status === 408 || status === 429 || status >= 500;
}

/** Milliseconds to wait from a Retry-After header (delay-seconds or an HTTP date), or null when absent or invalid. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return +text * 1000;
  // An HTTP date ends in GMT; anything else Date.parse would guess at is not one.
  const date = / GMT$/.test(text) ? Date.parse(text) - now : Number.NaN;
  // A date in the past means now; NaN (not a date) is neither at or after zero nor before it.
  return date >= 0 ? date : date < 0 ? 0 : null;
}
