import { retentionCutoff } from '../domain/privacy/retention.js';
import type { Store } from '../store/store.js';

export interface PurgeResult {
  readonly cutoff: Date;
  readonly deleted: number;
}

/**
 * Deletes the touchpoints older than the retention (whole months by dropping their partition); daily offer counts and
 * profiles stay. Also makes the partitions of the months ahead, so the job that keeps the table small keeps it ready.
 */
export async function purgeExpiredTouchpoints(
  store: Store,
  { now, touchpointDays, batchSize }: { now: Date; touchpointDays: number; batchSize?: number },
): Promise<PurgeResult> {
  const cutoff = retentionCutoff(now, touchpointDays);
  await store.createPartitionsAhead(now);
  const deleted = await store.privacy.purgeTouchpoints(cutoff, batchSize === undefined ? {} : { batchSize });
  return { cutoff, deleted };
}

export interface RetentionJobOptions {
  readonly store: Store;
  readonly touchpointDays: number;
  /** How often the purge runs; the first run starts at once. */
  readonly everyMs?: number;
  readonly now?: () => Date;
  readonly log?: (message: string) => void;
}

export interface RetentionJob {
  /** Stops the schedule and waits for a purge in progress, so the store can be closed after it. */
  stop(): Promise<void>;
}

/** Purges expired touchpoints now and then every `everyMs` while the server runs. */
export function startRetentionJob({
  store,
  touchpointDays,
  everyMs = 3_600_000,
  now = () => new Date(),
  log = console.log,
}: RetentionJobOptions): RetentionJob {
  let stopped = false;
  const purge = async () => {
    try {
      const { cutoff, deleted } = await purgeExpiredTouchpoints(store, { now: now(), touchpointDays });
      if (deleted > 0) log(`[touchpoint] retention: purged ${deleted} touchpoints from before ${cutoff.toISOString()}`);
    } catch (error) {
      log(`[touchpoint] retention purge failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  let running = purge();
  const timer = setInterval(() => {
    running = running.then(() => (stopped ? undefined : purge()));
  }, everyMs);
  // The schedule alone never keeps the process alive.
  if (typeof timer === 'object' && 'unref' in timer) timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
