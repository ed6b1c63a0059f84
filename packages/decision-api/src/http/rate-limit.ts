import type { BucketLimit } from '../domain/token-bucket.js';
import { memoryLimits, type SharedLimits } from '../store/shared-limits.js';
import { ProblemError } from './problem.js';

export type { BucketLimit } from '../domain/token-bucket.js';

/** One limit a request is counted against: what is limited (named in the problem), whose bucket, and its limit. */
export interface RateRule {
  readonly scope: 'address' | 'site key' | 'customer';
  readonly key: string;
  readonly limit: BucketLimit;
}

export interface RateLimiterOptions {
  /** Where the buckets live: the store's shared state (PostgreSQL: every instance), or this process's memory. */
  readonly limits: SharedLimits;
  /** The API's clock, which refills the buckets. */
  readonly now: () => Date;
  /** How long a check waits for shared buckets before this process's own decide (the store is away or slow). */
  readonly deadlineMs: number;
  /** After the shared buckets failed, how long this process's own decide before the shared ones are tried again. */
  readonly fallbackMs?: number;
  readonly log?: (message: string) => void;
}

/**
 * Counts a request against its rules in one round trip (each bucket charged on its own) and refuses it over any of
 * them with 429 problem+json and Retry-After. While the shared buckets cannot be reached in time, this process's own
 * buckets limit on their own (each instance as if alone) for `fallbackMs`: a store outage never takes the API down
 * with it, and never lets a flood through unlimited.
 */
export function rateLimiter({
  limits,
  now,
  deadlineMs,
  fallbackMs = 5_000,
  log = (message) => console.error(message),
}: RateLimiterOptions) {
  const local = memoryLimits();
  // Wall-clock time, not the API's clock: this is about the store's health, and tests may hold the API's clock still.
  let localUntil = Number.NEGATIVE_INFINITY;
  const shared = async (takes: Parameters<SharedLimits['takeTokens']>[0], nowMs: number): Promise<number[]> => {
    if (limits.scope === 'process') return limits.takeTokens(takes, nowMs);
    if (performance.now() < localUntil) return local.takeNow(takes, nowMs);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const work = limits.takeTokens(takes, nowMs);
    work.catch(() => {});
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
        }),
      ]);
    } catch (error) {
      localUntil = performance.now() + fallbackMs;
      log(
        `[touchpoint] the shared rate limits did not answer (${error instanceof Error ? error.message : String(error)}); this process limits on its own for ${fallbackMs} ms`,
      );
      return local.takeNow(takes, nowMs);
    } finally {
      clearTimeout(timer);
    }
  };
  return async function checkRateLimits(rules: ReadonlyArray<RateRule | null>): Promise<void> {
    const counted = rules.filter((rule): rule is RateRule => rule !== null);
    if (counted.length === 0) return;
    const waits = await shared(
      counted.map((rule) => ({ key: `${rule.scope}:${rule.key}`, limit: rule.limit })),
      now().getTime(),
    );
    const refusedBy = counted.findIndex((_, i) => (waits[i] ?? 0) > 0);
    if (refusedBy < 0) return;
    const seconds = Math.max(1, Math.ceil(Math.max(...waits) / 1000));
    throw new ProblemError(
      429,
      'rate-limited',
      'Too many requests',
      `Too many requests for this ${counted[refusedBy]?.scope}; retry after ${seconds} s.`,
      undefined,
      { 'retry-after': String(seconds) },
    );
  };
}

/**
 * The client's address: the connection's peer, or, behind `trustedProxies` proxies that each append to
 * X-Forwarded-For, the address the outermost trusted proxy saw. Entries a client wrote itself are never used.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  trustedProxies: number,
): string | undefined {
  if (trustedProxies === 0 || !forwardedFor) return peer;
  const hops = forwardedFor
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (hops.length === 0) return peer;
  return hops[Math.max(0, hops.length - trustedProxies)];
}
