import { type Bucket, type BucketLimit, takeToken, waitForToken } from '../domain/token-bucket.js';
import { createReplayGuard, type ReplayCheck, type ReplayGuard } from './replay-guard.js';
import type { SqlDatabase } from './sql.js';

/** One token asked of the bucket named `key`, under `limit`. */
export interface TokenTake {
  readonly key: string;
  readonly limit: BucketLimit;
}

/**
 * State every instance of a deployment must see alike: the partner signatures seen (the replay guard) and the rate
 * limits' token buckets. In PostgreSQL when the store is one (every instance sharing it sees one state); in this
 * process's memory on the embedded store, which has one process.
 */
export interface SharedLimits {
  /** Where the state lives: `database` is seen by every instance, `process` by this one only. */
  readonly scope: 'database' | 'process';
  /** Remembers a partner's verified signature until `expiresAtMs` (after which its timestamp is refused anyway). */
  rememberSignature(partnerId: string, signature: string, expiresAtMs: number, nowMs: number): Promise<ReplayCheck>;
  /** Lets a request that failed on the API's side be sent again unchanged. */
  forgetSignature(partnerId: string, signature: string): Promise<void>;
  /**
   * Takes one token from each bucket named, each on its own: the milliseconds to wait for each (0: taken), in the
   * order asked.
   */
  takeTokens(takes: readonly TokenTake[], nowMs: number): Promise<number[]>;
  /** Deletes the signatures past their expiry and the buckets full again (the same as never seen). */
  purgeExpired(nowMs: number): Promise<{ signatures: number; buckets: number }>;
}

export interface MemoryLimitsOptions {
  /** Signatures remembered per partner; beyond, a partner's requests wait (429) until the oldest expire. */
  readonly signaturesPerPartner?: number;
  /** Buckets kept; the least recently used are dropped beyond it (a dropped bucket is a full one). */
  readonly maxBuckets?: number;
}

/** Token buckets by key in memory, the least recently used dropped beyond `maxKeys`, so memory stays bounded. */
export function tokenBuckets({ maxKeys = 50_000 }: { maxKeys?: number } = {}) {
  const buckets = new Map<string, { bucket: Bucket; limit: BucketLimit }>();
  return {
    /** Milliseconds to wait before the key may call again; 0 when the call is allowed (and counted). */
    take(key: string, limit: BucketLimit, nowMs: number): number {
      const { bucket, waitMs } = takeToken(buckets.get(key)?.bucket, limit, nowMs);
      buckets.delete(key);
      buckets.set(key, { bucket, limit });
      if (buckets.size > maxKeys) {
        for (const oldest of buckets.keys()) {
          buckets.delete(oldest);
          if (buckets.size <= maxKeys) break;
        }
      }
      return waitMs;
    },
    /** Drops the buckets that are full again by `nowMs` (a bucket never seen is full); returns how many. */
    purge(nowMs: number): number {
      let purged = 0;
      for (const [key, { bucket, limit }] of buckets) {
        if (bucket.at + ((limit.burst - bucket.tokens) / limit.ratePerSecond) * 1000 <= nowMs) {
          buckets.delete(key);
          purged += 1;
        }
      }
      return purged;
    },
    get size() {
      return buckets.size;
    },
  };
}

/** The state in this process's memory: for the embedded store, and as a fallback while the shared one is away. */
export function memoryLimits({ signaturesPerPartner = 50_000, maxBuckets = 50_000 }: MemoryLimitsOptions = {}) {
  const guards = new Map<string, ReplayGuard>();
  const buckets = tokenBuckets({ maxKeys: maxBuckets });
  const guardOf = (partnerId: string) => {
    let guard = guards.get(partnerId);
    if (!guard) {
      guard = createReplayGuard({ capacity: signaturesPerPartner });
      guards.set(partnerId, guard);
    }
    return guard;
  };
  const takeNow = (takes: readonly TokenTake[], nowMs: number): number[] =>
    takes.map(({ key, limit }) => buckets.take(key, limit, nowMs));
  return {
    scope: 'process',
    rememberSignature: async (partnerId, signature, expiresAtMs, nowMs) =>
      guardOf(partnerId).remember(signature, expiresAtMs, nowMs),
    forgetSignature: async (partnerId, signature) => guardOf(partnerId).forget(signature),
    takeTokens: async (takes, nowMs) => takeNow(takes, nowMs),
    /** The same, without a promise: the fallback of the shared buckets runs it inline. */
    takeNow,
    // The replay guards prune themselves as they go.
    purgeExpired: async (nowMs) => ({ signatures: 0, buckets: buckets.purge(nowMs) }),
  } satisfies SharedLimits & { takeNow: typeof takeNow };
}

/**
 * The state in PostgreSQL, one statement a check:
 * - a signature is claimed by inserting it (`ON CONFLICT … DO UPDATE … WHERE` the row found has expired, `RETURNING`):
 *   a row back means fresh, none means another instance (or this one) accepted it already;
 * - the buckets asked are upserted together, locked in key order (two requests naming the same keys never deadlock),
 *   each refilled for the time since its last take and charged one token if it has one (`UNLOGGED`: no WAL, so a
 *   take costs no disk flush; after a database crash the buckets start full, as after a restart of one process).
 * Both use the API's clock (as the memory state does), so every instance refills alike and tests can move time.
 */
export function sqlLimits(db: SqlDatabase): SharedLimits {
  // Every SET expression reads the row as it was, so the refill is computed once per expression from the old tokens.
  const refill = 'least(EXCLUDED.burst, b.tokens + greatest(0, EXCLUDED.at_ms - b.at_ms) / 1000.0 * EXCLUDED.rate)';
  return {
    scope: 'database',
    async rememberSignature(partnerId, signature, expiresAtMs, nowMs) {
      const rows = await db.query(
        `INSERT INTO partner_signatures AS s (partner_id, signature, expires_at_ms) VALUES ($1, $2, $3)
         ON CONFLICT (partner_id, signature) DO UPDATE SET expires_at_ms = EXCLUDED.expires_at_ms
         WHERE s.expires_at_ms < $4
         RETURNING 1`,
        [partnerId, signature, expiresAtMs, nowMs],
      );
      return rows.length > 0 ? { outcome: 'fresh' } : { outcome: 'replayed' };
    },
    async forgetSignature(partnerId, signature) {
      await db.query('DELETE FROM partner_signatures WHERE partner_id = $1 AND signature = $2', [partnerId, signature]);
    },
    async takeTokens(takes, nowMs) {
      if (takes.length === 0) return [];
      // One row per key: a key asked twice in one request is charged once.
      const unique = [...new Map(takes.map((take) => [take.key, take])).values()];
      const rows = await db.query<{ key: string; tokens: number; taken: boolean }>(
        `INSERT INTO rate_limit_buckets AS b (key, tokens, at_ms, rate, burst, taken)
         SELECT key, burst - 1, $2::bigint, rate, burst, true
         FROM unnest($1::text[], $3::float8[], $4::float8[]) AS t(key, rate, burst)
         ORDER BY key
         ON CONFLICT (key) DO UPDATE SET
           tokens = CASE WHEN ${refill} >= 1 THEN ${refill} - 1 ELSE ${refill} END,
           at_ms = greatest(b.at_ms, EXCLUDED.at_ms),
           rate = EXCLUDED.rate,
           burst = EXCLUDED.burst,
           taken = ${refill} >= 1
         RETURNING key, tokens, taken`,
        [
          unique.map((take) => take.key),
          Math.round(nowMs),
          unique.map((take) => take.limit.ratePerSecond),
          unique.map((take) => take.limit.burst),
        ],
      );
      const byKey = new Map(rows.map((row) => [row.key, row]));
      return takes.map(({ key, limit }) => {
        const row = byKey.get(key);
        if (!row) throw new Error(`[touchpoint] the rate limit bucket ${key} was not returned`);
        return row.taken ? 0 : waitForToken(Number(row.tokens), limit);
      });
    },
    async purgeExpired(nowMs) {
      const signatures = await db.query('DELETE FROM partner_signatures WHERE expires_at_ms < $1 RETURNING 1', [nowMs]);
      const buckets = await db.query(
        'DELETE FROM rate_limit_buckets WHERE at_ms + (burst - tokens) / rate * 1000 <= $1 RETURNING 1',
        [nowMs],
      );
      return { signatures: signatures.length, buckets: buckets.length };
    },
  };
}
