import type { Touchpoint } from '../wire.js';

export interface Enqueued {
  readonly queue: Touchpoint[];
  /** Ids of the oldest touchpoints given up on because the queue was full. */
  readonly dropped: string[];
}

/** Appends touchpoints whose id is not queued yet, then drops the oldest over the cap. */
export function enqueue(queue: readonly Touchpoint[], items: readonly Touchpoint[], cap: number): Enqueued {
  const ids = new Set(queue.map((item) => item.id));
  const next = [...queue];
  for (const item of items) {
    if (!ids.has(item.id)) {
      ids.add(item.id);
      next.push(item);
    }
  }
  const over = Math.max(0, next.length - cap);
  return { queue: next.slice(over), dropped: next.slice(0, over).map((item) => item.id) };
}

/** The queue without the touchpoints the API acknowledged. */
export function acknowledge(queue: readonly Touchpoint[], ids: ReadonlySet<string>): Touchpoint[] {
  return queue.filter((item) => !ids.has(item.id));
}

/**
 * The oldest touchpoints that fit in one request: at most `maxItems`, and `maxChars` characters of JSON unless a
 * single item is longer.
 */
export function takeBatch(queue: readonly Touchpoint[], maxItems: number, maxChars: number): Touchpoint[] {
  const batch: Touchpoint[] = [];
  // Room for the envelope: {"anonymousId":"<uuid>","touchpoints":[]}
  let chars = 80;
  for (const item of queue) {
    chars += JSON.stringify(item).length + 1;
    if (batch.length >= maxItems || (batch.length > 0 && chars > maxChars)) break;
    batch.push(item);
  }
  return batch;
}

/** The stored queue, or an empty one where storage holds something else. */
export function readQueue(value: unknown): Touchpoint[] {
  return Array.isArray(value) ? value : [];
}
