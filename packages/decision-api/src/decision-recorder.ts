import type { Store, StoredDecision } from './store/store.js';

/**
 * Decisions (with their traces) are written behind the response, batched, so the hot path
 * never waits for the write.
 */
export interface DecisionRecorder {
  record(decisions: readonly StoredDecision[]): void;
  /** Writes everything buffered; resolves when stored. */
  flush(): Promise<void>;
}

export function createDecisionRecorder(
  store: Store,
  {
    delayMs = 50,
    maxBuffered = 500,
    onError = (error: unknown) => console.error('[touchpoint] decision write failed', error),
  } = {},
): DecisionRecorder {
  let buffer: StoredDecision[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();

  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const batch = buffer;
    buffer = [];
    writing = writing.then(() => (batch.length > 0 ? store.recordDecisions(batch).catch(onError) : undefined));
    return writing;
  };

  return {
    record(decisions) {
      buffer.push(...decisions);
      if (buffer.length >= maxBuffered) void flush();
      else if (timer === undefined) timer = setTimeout(() => void flush(), delayMs);
    },
    flush,
  };
}
