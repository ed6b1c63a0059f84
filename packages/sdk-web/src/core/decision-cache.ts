import type { PlacementDecision } from '../wire.js';
import { isDecision } from './decision-response.js';
import { isObject } from './guards.js';

export interface CachedDecision {
  readonly decision: PlacementDecision;
  readonly expiresAt: number;
}

/** Decisions by placement, page and locale; a plain object so it can be kept in sessionStorage as JSON. */
export type DecisionCache = Readonly<Record<string, CachedDecision>>;

/** Spaces cannot occur in any part, so a key never meets an Object.prototype property. */
export function cacheKey(placement: string, page: string, locale: string): string {
  return `${placement} ${page} ${locale}`;
}

/** The cache with this decision kept for its ttlSeconds (not at all when that is 0). */
export function cacheDecision(
  cache: DecisionCache,
  key: string,
  decision: PlacementDecision,
  now: number,
): DecisionCache {
  return decision.ttlSeconds > 0
    ? { ...cache, [key]: { decision, expiresAt: now + decision.ttlSeconds * 1000 } }
    : cache;
}

/**
 * The decision cached under `key` if it expires after `now`; with `now` -1, also an expired one (better than nothing
 * when the API does not answer in time). Entries are checked on the way out, since a cache read back from storage may
 * hold anything.
 */
export function cachedDecision(cache: DecisionCache, key: string, now: number): PlacementDecision | null {
  const entry: unknown = cache[key];
  // `>` converts expiresAt as Number() would (anything not a number is NaN, never after now), in fewer bytes.
  return isObject(entry) && isDecision(entry.decision) && (entry.expiresAt as number) > now ? entry.decision : null;
}

/** A cache read back from sessionStorage. */
export function readDecisionCache(json: string | null | undefined): DecisionCache {
  try {
    const value: unknown = JSON.parse(json ?? '{}');
    return isObject(value) ? (value as DecisionCache) : {};
  } catch {
    return {};
  }
}
