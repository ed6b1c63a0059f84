/** A token bucket: `burst` requests at once, refilled at `ratePerSecond`. */
export interface BucketLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface Bucket {
  readonly tokens: number;
  /** When `tokens` was counted, in milliseconds. */
  readonly at: number;
}

/**
 * One step of a token bucket, pure: the bucket after taking one token at `nowMs`, or how long to wait for one.
 * A bucket never seen is full. A clock behind the bucket's (another instance's) refills nothing and moves nothing back.
 */
export function takeToken(
  bucket: Bucket | undefined,
  limit: BucketLimit,
  nowMs: number,
): { bucket: Bucket; waitMs: number } {
  const elapsed = bucket ? Math.max(0, nowMs - bucket.at) / 1000 : Number.POSITIVE_INFINITY;
  const tokens = Math.min(limit.burst, (bucket?.tokens ?? limit.burst) + elapsed * limit.ratePerSecond);
  const at = Math.max(bucket?.at ?? nowMs, nowMs);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at }, waitMs: 0 };
  return { bucket: { tokens, at }, waitMs: waitForToken(tokens, limit) };
}

/** Milliseconds until a bucket holding `tokens` (< 1) holds one. */
export function waitForToken(tokens: number, limit: BucketLimit): number {
  return Math.max(1, Math.ceil(((1 - tokens) / limit.ratePerSecond) * 1000));
}
