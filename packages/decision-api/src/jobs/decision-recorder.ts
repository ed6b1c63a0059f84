import type { Store, StoredDecision } from '../store/store.js';
import { withinTimeLimit } from '../store/time-limit.js';

/**
 * Decisions (with their traces) are written behind the response, batched, so the hot path
 * never waits for the write. A batch waits at most 10 ms: held longer, the traces of a busy server outlive the young
 * generation and the old generation's collections pause every request (at 1,000 requests a second, a 50 ms wait gave
 * twenty-five collector pauses of 20 ms or more in 8 s; 10 ms gave none).
 *
 * One write at a time, oldest first; batches that waited are joined into writes of up to `maxWrite`. Memory is
 * bounded without losing a record: when the store is away, hangs, or is slower than the decisions arrive, at most
 * `maxKept` decisions wait (the write under way included), and `record` refuses what would go beyond, so the caller
 * does not serve a decision it cannot record (the decisions route answers 503 with Retry-After). A write that has not
 * answered in `writeTimeoutMs` counts as failed and is retried (writes are idempotent: ids are keys, and only inserted
 * rows are counted). A kept record is never dropped; a decision is never held back for its record's write.
 */
export interface DecisionRecorder {
  /** Keeps the decisions to be written and answers true, or keeps none of them and answers false when more than
   * `maxKept` would wait. */
  record(decisions: readonly StoredDecision[]): boolean;
  /**
   * Whether `count` more decisions would be kept now; a no is counted as refused, as `record` counts it. Lets a caller
   * shed a request before deciding it.
   */
  admits(count: number): boolean;
  /**
   * Writes everything buffered; resolves when what was recorded before the call is stored, or its write
   * failed (then it is kept for a retry). Never rejects.
   */
  flush(): Promise<void>;
  /** Decisions waiting to be written (not counting a write under way). */
  readonly pending: number;
  /** Decisions kept since the start (every one is written, or still waits). */
  readonly kept: number;
  /** Decisions refused since the start because more than `maxKept` would have waited. */
  readonly refused: number;
  /** Writes what is buffered one last time and stops retrying; resolves with how many could not be written. */
  close(): Promise<number>;
}

export interface DecisionRecorderOptions {
  readonly delayMs?: number;
  readonly maxBuffered?: number;
  /** Batches that waited are joined into one write up to this many decisions. */
  readonly maxWrite?: number;
  /** While the store is away or behind, decisions wait up to this many; beyond, `record` refuses more. */
  readonly maxKept?: number;
  readonly retryMs?: number;
  readonly writeTimeoutMs?: number;
  readonly onError?: (error: unknown) => void;
  /**
   * Told, at most once per `refusedLogMs` (at the next refusal after it), how many decisions were refused since it was
   * last told and in all.
   */
  readonly onRefused?: (count: number, total: number) => void;
  readonly refusedLogMs?: number;
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
    onError = (error: unknown) => console.error('[touchpoint] decision write failed', error),
    onRefused = (count: number, total: number) =>
      console.error(
        `[touchpoint] ${count} decisions shed (${total} since the start): ${maxKept} records were waiting for the store`,
      ),
    refusedLogMs = 10_000,
    now = Date.now,
  }: DecisionRecorderOptions = {},
): DecisionRecorder {
  /** Recorded, not yet handed to the writer. */
  let buffer: StoredDecision[] = [];
  /** Handed to the writer, oldest first. */
  let queued: Batch[] = [];
  let queuedCount = 0;
  /** The batches of the write under way, and how many decisions they hold. */
  let inFlight: Batch[] = [];
  let inFlightCount = 0;
  let writer: Promise<void> | undefined;
  let batchTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let kept = 0;
  let refused = 0;
  let refusedUntold = 0;
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
      inFlightCount = records.length;
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
        inFlightCount = 0;
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

  const admits = (count: number) => {
    // The write under way counts: its records go back to the buffer when it fails.
    if (buffer.length + queuedCount + inFlightCount + count <= maxKept) return true;
    refused += count;
    refusedUntold += count;
    if (now() - toldAt >= refusedLogMs) {
      toldAt = now();
      const told = refusedUntold;
      refusedUntold = 0;
      safely(() => onRefused(told, refused));
    }
    return false;
  };

  return {
    record(decisions) {
      if (!admits(decisions.length)) return false;
      buffer.push(...decisions);
      kept += decisions.length;
      // While the store is away only the retry timer writes.
      if (retrying || closed) return true;
      if (buffer.length >= maxBuffered) void flush();
      else batchTimer ??= setTimeout(() => void flush(), delayMs);
      return true;
    },
    admits,
    flush,
    get pending() {
      return buffer.length + queuedCount;
    },
    get kept() {
      return kept;
    },
    get refused() {
      return refused;
    },
    async close() {
      closed = true;
      for (const timer of [batchTimer, retryTimer]) if (timer !== undefined) clearTimeout(timer);
      batchTimer = retryTimer = undefined;
      retrying = false;
      await flush();
      await writer;
      const lost = buffer.length + queuedCount;
      buffer = [];
      settle(queued);
      queued = [];
      queuedCount = 0;
      return lost;
    },
  };
}
