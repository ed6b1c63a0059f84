import type { Touchpoint } from '@touchpoint/decision-api/contract';
import { createStore, update } from 'idb-keyval';
import { readQueue } from '../core/queue.js';
import type { QueueStorage } from '../ports.js';

const DATABASE = 'touchpoint';
/** Versioned, so a future shape of the queue can live next to this one instead of being misread. */
const QUEUE_KEY = 'queue:v1';

/**
 * The device queue in IndexedDB, in its own database so it never meets the host page's keys. The database opens on
 * first use; where IndexedDB is missing or throws (private modes, storage pressure) the operations reject and the
 * caller continues in memory.
 */
export function createIndexedDbStorage(): QueueStorage {
  const store = createStore(DATABASE, 'queue');
  return {
    async update(change) {
      let stored: Touchpoint[] = [];
      await update(QUEUE_KEY, (value) => (stored = change(readQueue(value))), store);
      return stored;
    },
  };
}

/** Removes the device queue's database without opening it (opening would create it): consent was denied. */
export function deleteIndexedDbStorage(): void {
  try {
    if (typeof indexedDB !== 'undefined') indexedDB.deleteDatabase(DATABASE);
  } catch {
    // Nothing to remove where IndexedDB is unavailable.
  }
}
