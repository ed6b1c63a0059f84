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
  const text = value?.trim() ?? '';
  // An HTTP date ends in GMT (anything else Date.parse would guess at is not one); one in the past means now.
  // Neither seconds nor an HTTP date: -1, refused below like NaN (an unreadable date).
  const ms = /^\d+$/.test(text) ? +text * 1000 : / GMT$/.test(text) ? Math.max(0, Date.parse(text) - now) : -1;
  return ms >= 0 ? ms : null;
}
