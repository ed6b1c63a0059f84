/**
 * Calls `onViewable` once, when at least half of `element` has been on screen for one second without a break
 * (a hidden tab is a break). Returns the unsubscribe. Without IntersectionObserver (or given something that is not an
 * element) nothing is ever counted: an impression that cannot be measured is not claimed.
 */
export function observeViewable(element: Element, onViewable: () => void): () => void {
  let visible = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const update = () => {
      clearTimeout(timer);
      if (visible && document.visibilityState !== 'hidden') {
        timer = setTimeout(() => {
          stop();
          onViewable();
        }, 1000);
      }
    };
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) visible = entry.isIntersecting && entry.intersectionRatio >= 0.5;
        update();
      },
      { threshold: [0, 0.5] },
    );
    const stop = () => {
      clearTimeout(timer);
      observer.disconnect();
      document.removeEventListener('visibilitychange', update);
    };
    observer.observe(element);
    document.addEventListener('visibilitychange', update);
    return stop;
  } catch {
    return () => {};
  }
}
