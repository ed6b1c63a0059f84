import { useTrack } from '@touchpoint/sdk-react';
import { useEffect } from 'react';

/**
 * Tracks a page_view whenever the page changes. Rendered before the page's own content, so its effect runs first
 * and a product page's product_view follows its page_view.
 */
export function PageViewTracker({ page }: { page: string }) {
  const track = useTrack();
  useEffect(() => {
    track('page_view', { page });
  }, [track, page]);
  return null;
}
