/**
 * The only place the core reaches for browser globals, each behind a typeof check, so the SDK can be imported and
 * created during server rendering without a window.
 */

export function currentPath(): string {
  return typeof location === 'undefined' ? '/' : location.pathname;
}

/**
 * A random UUID v4. crypto.randomUUID exists only in secure contexts (https, localhost); elsewhere a Math.random one
 * still serves as a touchpoint id (the API only needs it unique).
 */
export function randomId(): string {
  return (
    // `crypto` is a global in every browser and in Node 20+; randomUUID only in secure contexts.
    crypto.randomUUID?.() ??
    '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (digit) =>
      (+digit ^ ((Math.random() * 16) >> (+digit / 4))).toString(16),
    )
  );
}

/**
 * Reads localStorage or sessionStorage (`value` undefined), writes a value, or removes it (`value` null). Storage can
 * throw (blocked cookies, sandboxed frames, quota): then nothing is stored and null is read.
 */
export function webStorage(
  kind: 'localStorage' | 'sessionStorage',
  key: string,
  value?: string | null,
): string | null | undefined {
  try {
    const storage = globalThis[kind];
    if (value === undefined) return storage?.getItem(key);
    if (value === null) storage?.removeItem(key);
    else storage?.setItem(key, value);
  } catch {
    return null;
  }
}

/**
 * Calls back once when the page is hidden (tab switch, app to background) or unloaded: the last moment a send may
 * still leave. `visibilitychange` is the reliable signal on mobile, `pagehide` where it does not fire (Safari on
 * unload); when both fire, the second is ignored. Returns the unsubscribe.
 */
export function onPageHide(callback: () => void): () => void {
  if (typeof document === 'undefined') return () => {};
  let hidden = false;
  const listener = (event: Event) => {
    const hiding = event.type === 'pagehide' || document.visibilityState === 'hidden';
    if (hiding && !hidden) callback();
    hidden = hiding;
  };
  const listening = new AbortController();
  document.addEventListener('visibilitychange', listener, listening);
  addEventListener('pagehide', listener, listening);
  return () => listening.abort();
}

/**
 * Runs `task` while no other tab of the site runs one under the same name: under a Web Lock (the Web Locks API is in
 * every current browser); where it is missing, at once (the API counts each touchpoint id once, so two tabs sending
 * together only repeat themselves).
 */
export function exclusive(name: string, task: () => Promise<void>): Promise<void> {
  const locks = globalThis.navigator?.locks;
  return locks ? locks.request(name, task) : task();
}
