/** What remembering a request's signature found. */
export type ReplayCheck =
  | { readonly outcome: 'fresh' }
  | { readonly outcome: 'replayed' }
  /** As many signatures remembered as allowed and none expired yet: try again after this many milliseconds. */
  | { readonly outcome: 'full'; readonly retryAfterMs: number };

export interface ReplayGuard {
  /** Remembers a verified signature until `expiresAtMs`, after which its timestamp is refused anyway. */
  remember(signature: string, expiresAtMs: number, nowMs: number): ReplayCheck;
  /** Lets a request that failed on the API's side be sent again unchanged. */
  forget(signature: string): void;
}

const PRUNE_EVERY_MS = 10_000;

/**
 * The signatures seen while their timestamps are within the tolerance window, bounded and pruned by time.
 *
 * It lives in one process: a deployment of several instances needs one shared memory of seen signatures (an insert
 * into a table keyed by signature, or a set-if-absent with expiry in a shared cache), or a replay sent to another
 * instance gets through. Touchpoint ids are idempotent, so even then nothing is stored twice.
 */
export function createReplayGuard({ capacity = 50_000 }: { capacity?: number } = {}): ReplayGuard {
  const seen = new Map<string, number>();
  let nextPruneAt = Number.NEGATIVE_INFINITY;

  /** Drops the expired signatures; returns when the earliest remaining one expires. */
  const prune = (nowMs: number): number => {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [signature, expiresAtMs] of seen) {
      if (expiresAtMs < nowMs) seen.delete(signature);
      else earliest = Math.min(earliest, expiresAtMs);
    }
    nextPruneAt = nowMs + PRUNE_EVERY_MS;
    return earliest;
  };

  return {
    remember(signature, expiresAtMs, nowMs) {
      const known = seen.get(signature);
      if (known !== undefined && known >= nowMs) return { outcome: 'replayed' };
      if (nowMs >= nextPruneAt || seen.size >= capacity) {
        const earliest = prune(nowMs);
        if (seen.size >= capacity) return { outcome: 'full', retryAfterMs: Math.max(1000, earliest - nowMs) };
      }
      seen.set(signature, expiresAtMs);
      return { outcome: 'fresh' };
    },
    forget(signature) {
      seen.delete(signature);
    },
  };
}
