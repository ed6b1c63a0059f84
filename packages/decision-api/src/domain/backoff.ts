/** How long a failed delivery waits: doubling from the base, never more than the cap. */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/** A CRM that is down for a while is tried every half hour at most, so a lead waits at most that long once it is up. */
export const CRM_BACKOFF: BackoffPolicy = { baseMs: 5_000, capMs: 30 * 60_000 };

/**
 * When to try a delivery again after `attempts` failed attempts: capped exponential backoff with equal jitter, so
 * deliveries that failed together spread out, and none is retried sooner than half its backoff.
 *
 *   backoff = min(cap, base × 2^(attempts − 1));  wait = backoff × (½ + ½ × random)
 *
 * `random` is a number in [0, 1), passed in so the same input gives the same time.
 */
export function nextAttemptAt(attempts: number, now: Date, random: number, policy: BackoffPolicy = CRM_BACKOFF): Date {
  const exponent = Math.max(0, Math.floor(attempts) - 1);
  // 2^exponent overflows to Infinity long after it passes any cap, and min() handles Infinity.
  const backoff = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const jitter = Math.min(Math.max(random, 0), 1);
  return new Date(now.getTime() + Math.round(backoff * (0.5 + 0.5 * jitter)));
}
