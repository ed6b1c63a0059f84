import { useEffect, useSyncExternalStore } from 'react';
import { interceptLinkClicks, onNavigate } from '../../shared/history-router.js';

export { navigate } from '../../shared/history-router.js';

export function usePathname(): string {
  return useSyncExternalStore(
    onNavigate,
    () => window.location.pathname,
    () => '/',
  );
}

/** Same-origin links anywhere in the page, offer banners included, navigate without reloading the app. */
export function useClientSideLinks(): void {
  useEffect(interceptLinkClicks, []);
}
