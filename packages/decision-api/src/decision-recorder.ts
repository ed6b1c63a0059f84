import type { Store, StoredDecision } from './store/store.js';

/**
 * Decisions (with their traces) are written behind the response, batched, so the hot path
 * never waits for the write. A batch waits at most 10 ms: held longer, the traces of a busy server outlive the young
 * generation and the old generation's collections pause every request (at 1,000 requests a second, a 50 ms wait gave
 * twenty-five collector pauses of 20 ms or more in 8 s; 10 ms gave none).
 *
 * Batches are written one at a time, in order. Memory is bounded: when the store is away, or slower than the
 * decisions arrive, at most `maxKept` decisions wait; beyond, the oldest are dropped, counted and logged (at most once
 * per `dropLogMs`). Answering customers comes first: a decision is never held back for its record.
 */
export interface DecisionRecorder {
  record(decisions: readonly StoredDecision[]): void;
  /**
   * Writes everything buffered; resolves when what was buffered at the call is stored, or when a write failed (the
   * failed and the waiting decisions stay kept for a retry).
   */
  flush(): Promise<void>;
  /** Decisions waiting to be written. */
  readonly pending: number;
  /** Decisions dropped since the start because more than `maxKept` were waiting. */
  readonly dropped: number;
  /** Writes what is buffered one last time and stops retrying; resolves with how many could not be written. */
  close(): Promise<number>;
}

export interface DecisionRecorderOptions {
  readonly delayMs?: number;
  readonly maxBuffered?: number;
  /** Queued batches are joined into one write up to this many decisions. */
  readonly maxWrite?: number;
  /** While the store is away or behind, decisions wait up to this many; beyond, the oldest are dropped. */
  readonly maxKept?: number;
  readonly retryMs?: number;
  readonly dropLogMs?: number;
  readonly onError?: (error: unknown) => void;
  /** Told how many decisions were dropped since it was last told, and how many were dropped in all. */
  readonly onDropped?: (count: number, total: number) => void;
  readonly now?: () => number;
}

export function createDecisionRecorder(
  store: Store,
  {
    delayMs = 10,
    maxBuffered = 500,
    maxWrite = 100,
    maxKept = 10_000,
    retryMs = 1_000,
    dropLogMs = 10_000,
    onError = (error: unknown) => console.error('[touchpoint] decision write failed', error),
    onDropped = (count: number, total: number) =>
      console.error(
        `[touchpoint] ${count} decision records dropped (${total} since the start): more than ${maxKept} were waiting for the store`,
      ),
    now = Date.now,
  }: DecisionRecorderOptions = {},
): DecisionRecorder {
  /** Recorded, not yet handed to a write. */
  let buffer: StoredDecision[] = [];
  /** Handed to writes, oldest first; each flush queued one write, which takes the oldest batch when its turn comes. */
  let queued: StoredDecision[][] = [];
  let queuedCount = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();
  let dropped = 0;
  let droppedUntold = 0;
  let toldAt = Number.NEGATIVE_INFINITY;
  /** Set while the last write failed: only the retry timer writes, so an outage costs one failed write per retry. */
  let retrying = false;

  const schedule = (ms: number) => {
    if (timer === undefined) timer = setTimeout(() => void flush(), ms);
  };

  const tellDropped = (force: boolean) => {
    if (droppedUntold === 0 || (!force && now() - toldAt < dropLogMs)) return;
    toldAt = now();
    const count = droppedUntold;
    droppedUntold = 0;
    onDropped(count, dropped);
  };

  /** Drops the oldest waiting decisions beyond `maxKept`: queued batches first, then the buffer's head. */
  const bound = () => {
    let excess = queuedCount + buffer.length - maxKept;
    if (excess <= 0) return;
    dropped += excess;
    droppedUntold += excess;
    while (excess > 0 && queued.length > 0) {
      const oldest = queued[0] as StoredDecision[];
      if (oldest.length <= excess) {
        queued.shift();
        queuedCount -= oldest.length;
        excess -= oldest.length;
      } else {
        queued[0] = oldest.slice(excess);
        queuedCount -= excess;
        excess = 0;
      }
    }
    if (excess > 0) buffer = buffer.slice(excess);
    tellDropped(false);
  };

  /** Writes the oldest queued batch, with those behind it while they fit in `maxWrite`: a store that fell behind catches up in fewer, larger writes. */
  const writeOldest = async () => {
    let batch = queued.shift();
    if (batch === undefined) return;
    while (queued.length > 0 && batch.length + (queued[0] as StoredDecision[]).length <= maxWrite)
      batch = batch.concat(queued.shift() as StoredDecision[]);
    queuedCount -= batch.length;
    try {
      await store.recordDecisions(batch);
      retrying = false;
    } catch (error) {
      onError(error);
      // Written again later (ids make a repeated write harmless), with everything that was waiting behind it: one
      // failed write per retry while the store is away, not one per batch.
      buffer = [...batch, ...queued.flat(), ...buffer];
      queued = [];
      queuedCount = 0;
      bound();
      retrying = true;
      schedule(retryMs);
    }
  };

  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    // In batches of at most `maxBuffered`, also after an outage, so no single write grows with the backlog.
    for (let start = 0; start < buffer.length; start += maxBuffered) {
      const batch = buffer.length <= maxBuffered ? buffer : buffer.slice(start, start + maxBuffered);
      queued.push(batch);
      queuedCount += batch.length;
      writing = writing.then(writeOldest);
    }
    buffer = [];
    return writing;
  };

  return {
    record(decisions) {
      buffer.push(...decisions);
      bound();
      if (buffer.length >= maxBuffered && !retrying) void flush();
      else schedule(delayMs);
    },
    flush,
    get pending() {
      return buffer.length + queuedCount;
    },
    get dropped() {
      return dropped;
    },
    async close() {
      await flush();
      // Whatever was queued behind the last write gets its turn too.
      while (queued.length > 0) {
        writing = writing.then(writeOldest);
        await writing;
      }
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      tellDropped(true);
      const lost = buffer.length + queuedCount;
      buffer = [];
      queued = [];
      queuedCount = 0;
      return lost;
    },
  };
}
