import { vi } from 'vitest';

/**
 * happy-dom has no layout, so its IntersectionObserver never reports. This stand-in lets a test say how much of an
 * element is on screen, as the browser would; everything else (timers, visibility) is real.
 */
export function stubViewport() {
  const observers = new Set<{ callback: IntersectionObserverCallback; targets: Set<Element> }>();

  class ViewportObserver {
    readonly #entry: { callback: IntersectionObserverCallback; targets: Set<Element> };
    constructor(callback: IntersectionObserverCallback) {
      this.#entry = { callback, targets: new Set() };
      observers.add(this.#entry);
    }
    observe(target: Element) {
      this.#entry.targets.add(target);
    }
    unobserve(target: Element) {
      this.#entry.targets.delete(target);
    }
    disconnect() {
      observers.delete(this.#entry);
    }
    takeRecords() {
      return [];
    }
  }
  vi.stubGlobal('IntersectionObserver', ViewportObserver);

  return {
    /** Shows `ratio` (0..1) of `element` on screen. */
    show(element: Element, ratio: number) {
      for (const { callback, targets } of [...observers]) {
        if (!targets.has(element)) continue;
        const entry = {
          target: element,
          isIntersecting: ratio > 0,
          intersectionRatio: ratio,
        } as IntersectionObserverEntry;
        callback([entry], {} as IntersectionObserver);
      }
    },
    /** How many observers currently watch `element`. */
    watching: (element: Element) => [...observers].filter(({ targets }) => targets.has(element)).length,
  };
}
