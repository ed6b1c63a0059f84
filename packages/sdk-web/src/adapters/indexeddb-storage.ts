import { readQueue } from '../core/queue.js';
import type { QueueStorage } from '../ports.js';
import type { Touchpoint } from '../wire.js';

const DATABASE = 'touchpoint';
const STORE = 'queue';
/** Versioned, so a future shape of the queue can live next to this one instead of being misread. */
const QUEUE_KEY = 'queue:v1';

/**
 * The device queue in IndexedDB, in its own database so it never meets the host page's keys. The database opens on
 * first use; where IndexedDB is missing or throws (private modes, blocked storage, storage pressure) the operations
 * reject and the caller continues in memory. The connection gives way when another page deletes the database
 * (consent denied there) and opens again on the next change.
 */
export function createIndexedDbStorage(): QueueStorage {
  let database: Promise<IDBDatabase> | undefined;
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(DATABASE);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = db.onclose = () => {
          db.close();
          database = undefined;
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error);
    });
  return {
    async update(change) {
      database ??= open();
      const db = await database;
      let queue: Touchpoint[] = [];
      // Read and write in one transaction, so changes from several tabs never interleave.
      await new Promise((resolve, reject) => {
        const transaction = db.transaction(STORE, 'readwrite');
        const store = transaction.objectStore(STORE);
        const read = store.get(QUEUE_KEY);
        read.onsuccess = () => {
          try {
            queue = change(readQueue(read.result));
            store.put(queue, QUEUE_KEY);
          } catch {
            transaction.abort();
          }
        };
        transaction.oncomplete = resolve;
        transaction.onerror = transaction.onabort = () => reject(transaction.error);
      });
      return queue;
    },
  };
}

/** Removes the device queue's database without opening it (opening would create it): consent was denied. */
export function deleteIndexedDbStorage(): void {
  try {
    globalThis.indexedDB?.deleteDatabase(DATABASE);
  } catch {
    // Nothing to remove where IndexedDB is unavailable.
  }
}
