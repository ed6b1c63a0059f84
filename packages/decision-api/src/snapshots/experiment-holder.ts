import type { Experiment } from '../contract/index.js';
import type { Store } from '../store/store.js';

/** How often each process rereads the running experiments, so a start or stop elsewhere reaches it. */
export const EXPERIMENT_REFRESH_MS = 10_000;

/**
 * The running experiments in memory: decisions read them on every request, so the hot path never queries them.
 * Reloaded after a change made through this process, and every few seconds for changes made by others.
 */
export interface ExperimentHolder {
  running(): readonly Experiment[];
  reload(): Promise<readonly Experiment[]>;
  close(): void;
}

export async function loadExperimentHolder(
  store: Store,
  {
    refreshMs = EXPERIMENT_REFRESH_MS,
    onError = (error: unknown) => console.error('[touchpoint] experiments reload failed', error),
  } = {},
): Promise<ExperimentHolder> {
  let running: readonly Experiment[] = await store.experiments.running();
  const reload = async () => {
    running = await store.experiments.running();
    return running;
  };
  const timer = setInterval(() => {
    reload().catch(onError);
  }, refreshMs);
  // A timer of its own must never keep a process alive.
  (timer as { unref?: () => void }).unref?.();
  return { running: () => running, reload, close: () => clearInterval(timer) };
}
