import { type LearnedModel, learnedModel } from '../domain/decision/learned-model.js';
import { evidenceKey, type LearnedEvidence, type OfferEvidence } from '../domain/decision/learning.js';
import type { LearnedRow } from '../store/learning.js';
import type { Store } from '../store/store.js';
import { loadSnapshot } from './snapshot.js';

/**
 * The learned statistics in memory, so a decision never reads them from the store. What this process ingests is
 * merged at once; what other processes learnt arrives with a reload, started in the background by the first read after
 * `refreshMs` (the hot path never waits for it). Decisions read a model of the statistics (domain/learned-model.ts),
 * made anew from them at most every `modelRefreshMs`: each model draws its posteriors' Thompson draws once, so a
 * model per merge would make every decision draw them again.
 */
export interface LearningHolder {
  /** The model decisions read: the statistics as they stood at most `modelRefreshMs` ago. */
  current(): LearnedModel;
  /** The statistics as merged so far. */
  evidence(): LearnedEvidence;
  /** Takes rows this process just updated. */
  merge(rows: readonly LearnedRow[]): void;
  reload(): Promise<LearnedEvidence>;
}

export const LEARNING_REFRESH_MS = 5_000;
export const LEARNED_MODEL_REFRESH_MS = 1_000;

export async function loadLearningHolder(
  store: Store,
  {
    now,
    refreshMs = LEARNING_REFRESH_MS,
    modelRefreshMs = LEARNED_MODEL_REFRESH_MS,
    onError = (error: unknown) => console.error('[touchpoint] reloading learned statistics failed', error),
  }: { now: () => Date; refreshMs?: number; modelRefreshMs?: number; onError?: (error: unknown) => void },
): Promise<LearningHolder> {
  const snapshot = await loadSnapshot<ReadonlyMap<string, OfferEvidence>>(
    async () => {
      const rows = await store.learnedEvidence();
      return new Map(rows.map((row) => [evidenceKey(row.cluster, row.offerId), row.evidence]));
    },
    {
      now,
      maxAgeMs: refreshMs,
      onError,
      // A row merged while the reload ran may be newer than what it read.
      combine: (read, held) => {
        const fresh = new Map(read);
        for (const [key, evidence] of held) {
          const stored = fresh.get(key);
          if (!stored || Date.parse(stored.at) < Date.parse(evidence.at)) fresh.set(key, evidence);
        }
        return fresh;
      },
    },
  );
  let model = learnedModel(snapshot.current(), now(), 1);
  return {
    current() {
      const evidence = snapshot.current();
      const at = now();
      if (model.evidence !== evidence && at.getTime() - model.at.getTime() >= modelRefreshMs) {
        model = learnedModel(evidence, at, model.version + 1);
      }
      return model;
    },
    evidence: snapshot.current,
    merge(rows) {
      if (rows.length === 0) return;
      const next = new Map(snapshot.current());
      for (const row of rows) next.set(evidenceKey(row.cluster, row.offerId), row.evidence);
      snapshot.set(next);
    },
    reload: snapshot.reload,
  };
}
