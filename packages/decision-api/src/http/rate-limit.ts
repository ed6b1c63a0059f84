import type { Context, MiddlewareHandler, Next } from 'hono';
import type { AppEnv } from './env.js';
import { ProblemError } from './problem.js';

/** A token bucket: `burst` requests at once, refilled at `ratePerSecond`. */
export interface BucketLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

interface Bucket {
  readonly tokens: number;
  readonly at: number;
}

/**
 * One step of a token bucket, pure: the bucket after taking one token at `nowMs`, or how long to wait for one.
 * A bucket never seen is full.
 */
export function takeToken(
  bucket: Bucket | undefined,
  limit: BucketLimit,
  nowMs: number,
): { bucket: Bucket; waitMs: number } {
  const elapsed = bucket ? Math.max(0, nowMs - bucket.at) / 1000 : Number.POSITIVE_INFINITY;
  const tokens = Math.min(limit.burst, (bucket?.tokens ?? limit.burst) + elapsed * limit.ratePerSecond);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: nowMs }, waitMs: 0 };
  return { bucket: { tokens, at: nowMs }, waitMs: Math.ceil(((1 - tokens) / limit.ratePerSecond) * 1000) };
}

/**
 * Token buckets by key, in this process's memory. The least recently used buckets are dropped beyond `maxKeys`,
 * so memory stays bounded however many addresses or customers call.
 */
export function tokenBuckets(limit: BucketLimit, { maxKeys = 50_000 } = {}) {
  const buckets = new Map<string, Bucket>();
  return {
    /** Milliseconds to wait before the key may call again; 0 when the call is allowed (and counted). */
    take(key: string, nowMs: number): number {
      const { bucket, waitMs } = takeToken(buckets.get(key), limit, nowMs);
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) {
        for (const oldest of buckets.keys()) {
          buckets.delete(oldest);
          if (buckets.size <= maxKeys) break;
        }
      }
      return waitMs;
    },
    get size() {
      return buckets.size;
    },
  };
}

export interface RateLimitOptions {
  readonly limit: BucketLimit | null;
  /** What is limited, named in the problem: "address", "site key", "customer". */
  readonly scope: string;
  /** The bucket key of a request; null leaves the request unlimited by this rule. */
  readonly keyOf: (c: Context<AppEnv>) => string | null;
  readonly now: () => Date;
}

/** Refuses a request over its bucket with 429 problem+json and Retry-After; a null limit turns the rule off. */
export function rateLimit({ limit, scope, keyOf, now }: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const buckets = limit ? tokenBuckets(limit) : null;
  return async function rateLimitMiddleware(c: Context<AppEnv>, next: Next) {
    const key = buckets ? keyOf(c) : null;
    if (buckets && key !== null) {
      const waitMs = buckets.take(key, now().getTime());
      if (waitMs > 0) {
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        throw new ProblemError(
          429,
          'rate-limited',
          'Too many requests',
          `Too many requests for this ${scope}; retry after ${seconds} s.`,
          undefined,
          { 'retry-after': String(seconds) },
        );
      }
    }
    await next();
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
