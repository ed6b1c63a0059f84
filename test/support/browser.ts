import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, and no background traffic to the outside; Lighthouse's Chromium gets the same. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Debian's Chromium, headless, with no background traffic to the outside. Playwright gives every launch a fresh,
 * temporary --user-data-dir of its own (it refuses one passed in args).
 */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** The ids waiting in the SDK's device queue (IndexedDB database "touchpoint", store "queue", key "queue:v1"). */
export async function readQueuedIds(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        // Opening a database that does not exist would create it without the SDK's store; look first.
        indexedDB.databases().then((databases) => {
          if (!databases.some((d) => d.name === 'touchpoint')) {
            resolve([]);
            return;
          }
          const open = indexedDB.open('touchpoint');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains('queue')) {
              db.close();
              resolve([]);
              return;
            }
            const get = db.transaction('queue', 'readonly').objectStore('queue').get('queue:v1');
            get.onerror = () => reject(get.error);
            get.onsuccess = () => {
              db.close();
              const value = get.result as Array<{ id: string }> | undefined;
              resolve(Array.isArray(value) ? value.map((t) => t.id) : []);
            };
          };
        }, reject);
      }),
  );
}
