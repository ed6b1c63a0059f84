import type { Store, StoredDecision } from './store/store.js';
import { withinTimeLimit } from './time-limit.js';

/**
 * Decisions (with their traces) are written behind the response, batched, so the hot path
 * never waits for the write. A batch waits at most 10 ms: held longer, the traces of a busy server outlive the young
 * generation and the old generation's collections pause every request (at 1,000 requests a second, a 50 ms wait gave
 * twenty-five collector pauses of 20 ms or more in 8 s; 10 ms gave none).
 *
 * One write at a time, oldest first; batches that waited are joined into writes of up to `maxWrite`. Memory is
 * bounded: when the store is away, hangs, or is slower than the decisions arrive, at most `maxKept` decisions wait;
 * beyond, the oldest are dropped, counted and logged (at most once per `dropLogMs`). A write that has not answered in
 * `writeTimeoutMs` counts as failed and is retried (writes are idempotent: ids are keys, and only inserted rows are
 * counted). Answering customers comes first: a decision is never held back for its record.
 */
export interface DecisionRecorder {
  record(decisions: readonly StoredDecision[]): void;
  /**
   * Writes everything buffered; resolves when what was recorded before the call is stored, dropped, or its write
   * failed (then it is kept for a retry). Never rejects.
   */
  flush(): Promise<void>;
  /** Decisions waiting to be written (not counting a write under way). */
  readonly pending: number;
  /** Decisions dropped since the start because more than `maxKept` were waiting. */
  readonly dropped: number;
  /** Writes what is buffered one last time and stops retrying; resolves with how many could not be written. */
  close(): Promise<number>;
}

export interface DecisionRecorderOptions {
  readonly delayMs?: number;
  readonly maxBuffered?: number;
  /** Batches that waited are joined into one write up to this many decisions. */
  readonly maxWrite?: number;
  /** While the store is away or behind, decisions wait up to this many; beyond, the oldest are dropped. */
  readonly maxKept?: number;
  readonly retryMs?: number;
  readonly writeTimeoutMs?: number;
  readonly dropLogMs?: number;
  readonly onError?: (error: unknown) => void;
  /** Told how many decisions were dropped since it was last told, and how many were dropped in all. */
  readonly onDropped?: (count: number, total: number) => void;
  readonly now?: () => number;
}

/** Decisions handed to the writer together, and the flushes waiting for them. */
interface Batch {
  records: StoredDecision[];
  readonly waiters: Array<() => void>;
}

export function createDecisionRecorder(
  store: Store,
  {
    delayMs = 10,
    maxBuffered = 500,
    maxWrite = 100,
    maxKept = 10_000,
    retryMs = 1_000,
    writeTimeoutMs = 30_000,
    dropLogMs = 10_000,
    onError = (error: unknown) => console.error('[touchpoint] decision write failed', error),
    onDropped = (count: number, total: number) =>
      console.error(
        `[touchpoint] ${count} decision records dropped (${total} since the start): more than ${maxKept} were waiting for the store`,
      ),
    now = Date.now,
  }: DecisionRecorderOptions = {},
): DecisionRecorder {
  /** Recorded, not yet handed to the writer. */
  let buffer: StoredDecision[] = [];
  /** Handed to the writer, oldest first. */
  let queued: Batch[] = [];
  let queuedCount = 0;
  /** The batches of the write under way. */
  let inFlight: Batch[] = [];
  let writer: Promise<void> | undefined;
  let batchTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let dropTimer: ReturnType<typeof setTimeout> | undefined;
  let dropped = 0;
  let droppedUntold = 0;
  let toldAt = Number.NEGATIVE_INFINITY;
  /** Set while the last write failed: only the retry timer writes, so an outage costs one failed write per retry. */
  let retrying = false;
  let closed = false;

  // A callback that throws must not stop the writer.
  const safely = (call: () => void) => {
    try {
      call();
    } catch {}
  };
  const settle = (batches: readonly Batch[]) => {
    for (const batch of batches) for (const waiter of batch.waiters.splice(0)) waiter();
  };

  const tellDropped = () => {
    if (droppedUntold === 0) return;
    const wait = toldAt + dropLogMs - now();
    if (wait > 0 && !closed) {
      // Told when the window ends, even if nothing more is dropped by then.
      dropTimer ??= setTimeout(() => {
        dropTimer = undefined;
        tellDropped();
      }, wait);
      dropTimer.unref?.();
      return;
    }
    if (dropTimer !== undefined) clearTimeout(dropTimer);
    dropTimer = undefined;
    toldAt = now();
    const count = droppedUntold;
    droppedUntold = 0;
    safely(() => onDropped(count, dropped));
  };

  /** Drops the oldest waiting decisions beyond `maxKept`: queued batches first, then the buffer's head. */
  const bound = () => {
    let excess = queuedCount + buffer.length - maxKept;
    if (excess <= 0) return;
    dropped += excess;
    droppedUntold += excess;
    while (excess > 0 && queued.length > 0) {
      const oldest = queued[0] as Batch;
      if (oldest.records.length <= excess) {
        queued.shift();
        queuedCount -= oldest.records.length;
        excess -= oldest.records.length;
        settle([oldest]);
      } else {
        oldest.records = oldest.records.slice(excess);
        queuedCount -= excess;
        excess = 0;
      }
    }
    if (excess > 0) buffer = buffer.slice(excess);
    tellDropped();
  };

  /** Writes the queued batches one write at a time until none is left or a write fails. */
  const drain = async () => {
    while (queued.length > 0) {
      // The oldest batch, with those behind it while they fit in one write.
      const taken = [queued.shift() as Batch];
      let records = (taken[0] as Batch).records;
      while (queued.length > 0 && records.length + (queued[0] as Batch).records.length <= maxWrite) {
        const next = queued.shift() as Batch;
        taken.push(next);
        records = records.concat(next.records);
      }
      queuedCount -= records.length;
      inFlight = taken;
      try {
        // A hung connection or a lock wait counts as a failed write after `writeTimeoutMs`.
        await withinTimeLimit(
          store.recordDecisions(records),
          writeTimeoutMs,
          () => new Error(`decision write did not answer within ${writeTimeoutMs} ms`),
        );
        retrying = false;
      } catch (error) {
        safely(() => onError(error));
        // Written again later, with everything that waited behind it: one failed write per retry while the store is
        // away, not one per batch.
        const behind = queued;
        buffer = [...records, ...behind.flatMap((batch) => batch.records), ...buffer];
        queued = [];
        queuedCount = 0;
        settle(behind);
        bound();
        retrying = true;
        if (!closed) {
          if (batchTimer !== undefined) clearTimeout(batchTimer);
          batchTimer = undefined;
          retryTimer ??= setTimeout(() => {
            retryTimer = undefined;
            void flush();
          }, retryMs);
        }
      } finally {
        inFlight = [];
        settle(taken);
      }
    }
    // In the same turn as the loop's last look at the queue: a flush from now on starts a writer of its own.
    writer = undefined;
  };

  const flush = (): Promise<void> => {
    if (batchTimer !== undefined) clearTimeout(batchTimer);
    batchTimer = undefined;
    // In batches of at most `maxBuffered`, also after an outage, so no single write grows with the backlog.
    for (let start = 0; start < buffer.length; start += maxBuffered) {
      const records = buffer.length <= maxBuffered ? buffer : buffer.slice(start, start + maxBuffered);
      queued.push({ records, waiters: [] });
      queuedCount += records.length;
    }
    buffer = [];
    // Waits for the newest batch handed over (the writer takes them in order), or the write under way.
    const last = queued.at(-1) ?? inFlight.at(-1);
    const done = last ? new Promise<void>((resolve) => last.waiters.push(resolve)) : Promise.resolve();
    if (writer === undefined && queued.length > 0) writer = drain();
    return done;
  };

  return {
    record(decisions) {
      buffer.push(...decisions);
      bound();
      // While the store is away only the retry timer writes.
      if (retrying || closed) return;
      if (buffer.length >= maxBuffered) void flush();
      else batchTimer ??= setTimeout(() => void flush(), delayMs);
    },
    flush,
    get pending() {
      return buffer.length + queuedCount;
    },
    get dropped() {
      return dropped;
    },
    async close() {
      closed = true;
      for (const timer of [batchTimer, retryTimer]) if (timer !== undefined) clearTimeout(timer);
      batchTimer = retryTimer = undefined;
      retrying = false;
      await flush();
      await writer;
      tellDropped();
      const lost = buffer.length + queuedCount;
      buffer = [];
      settle(queued);
      queued = [];
      queuedCount = 0;
      return lost;
    },
  };
}
