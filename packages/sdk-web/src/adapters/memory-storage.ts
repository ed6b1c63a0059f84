import type { QueueStorage } from '../ports.js';
import type { Touchpoint } from '../wire.js';

/**
 * A queue that lives as long as the page: used before consent, and when IndexedDB is missing or failing (then it
 * starts with what the page still holds).
 */
export function createMemoryStorage(queue: Touchpoint[] = []): QueueStorage {
  return {
    update: async (change) => (queue = change(queue)),
  };
}
