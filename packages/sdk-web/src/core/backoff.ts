export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 60_000;
/** A server asking for a longer pause than this is still retried after it: a tab rarely lives that long anyway. */
export const RETRY_AFTER_CAP_MS = 300_000;

/** Exponential backoff with full jitter: a random delay in [0, min(cap, base * 2^attempt)). `random` is in [0, 1). */
export function computeBackoff(attempt: number, random: number): number {
  return Math.floor(random * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
}

/**
 * The wait before retry number `attempt` (0-based): the server's Retry-After when it gave one (capped), else backoff
 * (also for false: none given).
 */
export function retryDelay(attempt: number, retryAfterMs: number | null | false, random: number): number {
  return typeof retryAfterMs === 'number'
    ? Math.min(retryAfterMs, RETRY_AFTER_CAP_MS)
    : computeBackoff(attempt, random);
}
