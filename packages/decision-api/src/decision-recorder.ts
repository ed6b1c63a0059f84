import type { Store, StoredDecision } from './store/store.js';

/**
 * Decisions (with their traces) are written behind the response, batched, so the hot path
 * never waits for the write. A batch waits at most 10 ms: held longer, the traces of a busy server outlive the young
 * generation and the old generation's collections pause every request (at 1,000 requests a second, a 50 ms wait gave
 * twenty-five collector pauses of 20 ms or more in 8 s; 10 ms gave none).
 */
export interface DecisionRecorder {
  record(decisions: readonly StoredDecision[]): void;
  /** Writes everything buffered; resolves when stored, or when the write failed (they stay buffered for a retry). */
  flush(): Promise<void>;
  /** Decisions waiting to be written. */
  readonly pending: number;
  /** Writes what is buffered one last time and stops retrying; resolves with how many could not be written. */
  close(): Promise<number>;
}

export function createDecisionRecorder(
  store: Store,
  {
    delayMs = 10,
    maxBuffered = 500,
    /** While the store is away, decisions wait up to this many; beyond, the oldest are dropped. */
    maxKept = 10_000,
    retryMs = 1_000,
    onError = (error: unknown) => console.error('[touchpoint] decision write failed', error),
  } = {},
): DecisionRecorder {
  let buffer: StoredDecision[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();

  const schedule = (ms: number) => {
    if (timer === undefined) timer = setTimeout(() => void flush(), ms);
  };

  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const batch = buffer;
    buffer = [];
    writing = writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await store.recordDecisions(batch);
      } catch (error) {
        onError(error);
        // Written again later (ids make a repeated write harmless); the newest are kept when the buffer overflows.
        buffer = [...batch, ...buffer].slice(-maxKept);
        schedule(retryMs);
      }
    });
    return writing;
  };

  return {
    record(decisions) {
      buffer.push(...decisions);
      if (buffer.length >= maxBuffered) void flush();
      else schedule(delayMs);
    },
    flush,
    get pending() {
      return buffer.length;
    },
    async close() {
      await flush();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const lost = buffer.length;
      buffer = [];
      return lost;
    },
  };
}
