import type { Experiment } from '../contract/index.js';
import type { Store } from '../store/store.js';
import { loadSnapshot } from './snapshot.js';

/** How old the running experiments may get before a read rereads them, so a start or stop elsewhere reaches it. */
export const EXPERIMENT_REFRESH_MS = 10_000;

/**
 * The running experiments in memory: decisions read them on every request, so the hot path never queries them.
 * Reloaded after a change made through this process, when the change feed announces one, and by the first read
 * after `refreshMs` (in the background: the hot path never waits for it).
 */
export interface ExperimentHolder {
  running(): readonly Experiment[];
  reload(): Promise<readonly Experiment[]>;
}

export async function loadExperimentHolder(
  store: Store,
  {
    now,
    refreshMs = EXPERIMENT_REFRESH_MS,
    onError = (error: unknown) => console.error('[touchpoint] experiments reload failed', error),
  }: { now: () => Date; refreshMs?: number; onError?: (error: unknown) => void },
): Promise<ExperimentHolder> {
  const snapshot = await loadSnapshot(() => store.experiments.running(), { now, maxAgeMs: refreshMs, onError });
  return { running: snapshot.current, reload: snapshot.reload };
}
