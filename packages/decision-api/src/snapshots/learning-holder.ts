import { evidenceKey, type LearnedEvidence, type OfferEvidence } from '../domain/decision/learning.js';
import type { LearnedRow } from '../store/learning.js';
import type { Store } from '../store/store.js';

/**
 * The learned statistics in memory, so a decision never reads them from the store. What this process ingests is
 * merged at once; what other processes learnt arrives with a reload, started in the background by the first read after
 * `refreshMs` (the hot path never waits for it).
 */
export interface LearningHolder {
  current(): LearnedEvidence;
  /** Takes rows this process just updated. */
  merge(rows: readonly LearnedRow[]): void;
  reload(): Promise<LearnedEvidence>;
}

export const LEARNING_REFRESH_MS = 5_000;

export async function loadLearningHolder(
  store: Store,
  {
    refreshMs = LEARNING_REFRESH_MS,
    onError = (error: unknown) => console.error('[touchpoint] reloading learned statistics failed', error),
  } = {},
): Promise<LearningHolder> {
  const load = async () => {
    const rows = await store.learnedEvidence();
    return new Map(rows.map((row) => [evidenceKey(row.cluster, row.offerId), row.evidence]));
  };
  let snapshot: Map<string, OfferEvidence> = await load();
  let loadedAt = Date.now();
  let loading: Promise<LearnedEvidence> | undefined;

  const reload = () => {
    loading ??= load()
      .then((fresh) => {
        // A row merged while the reload ran may be newer than what it read.
        for (const [key, evidence] of snapshot) {
          const read = fresh.get(key);
          if (!read || Date.parse(read.at) < Date.parse(evidence.at)) fresh.set(key, evidence);
        }
        snapshot = fresh;
        loadedAt = Date.now();
        return fresh;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };

  return {
    current() {
      if (Date.now() - loadedAt > refreshMs && !loading) reload().catch(onError);
      return snapshot;
    },
    merge(rows) {
      if (rows.length === 0) return;
      const next = new Map(snapshot);
      for (const row of rows) next.set(evidenceKey(row.cluster, row.offerId), row.evidence);
      snapshot = next;
    },
    reload,
  };
}
