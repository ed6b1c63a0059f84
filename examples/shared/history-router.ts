// A router of a few lines on the History API: the example apps' routes are a handful of fixed paths.
const listeners = new Set<() => void>();

/** Calls back after every navigation, by the app or by the browser's back and forward; returns the unsubscribe. */
export function onNavigate(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function navigate(path: string, { replace = false }: { replace?: boolean } = {}): void {
  if (path === window.location.pathname + window.location.search) return;
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

/**
 * Turns clicks on same-origin links anywhere in the page (navigation, offer banners) into client-side navigation.
 * Clicks with a modifier key, links to other origins, downloads, new windows and in-page anchors keep the
 * browser's behaviour. Returns the unsubscribe.
 */
export function interceptLinkClicks(): () => void {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const target = event.composedPath()[0];
    const anchor = target instanceof Element ? target.closest('a') : null;
    if (!anchor?.href || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, window.location.href);
    if (url.origin !== window.location.origin) return;
    if (url.hash && url.pathname === window.location.pathname && url.search === window.location.search) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  };
  document.addEventListener('click', onClick);
  return () => document.removeEventListener('click', onClick);
}
