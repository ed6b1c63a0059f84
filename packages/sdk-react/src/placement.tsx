import { adoptPageBannerStyles } from '@touchpoint/sdk-web/banner';
import { type ReactNode, useEffect, useLayoutEffect } from 'react';
import { Banner } from './banner.js';
import { type UsePlacementOptions, type UsePlacementResult, usePlacement } from './use-placement.js';

export interface PlacementProps extends UsePlacementOptions {
  /** The placement id, e.g. "dashboard-hero". */
  readonly name: string;
  /** The placement's size in CSS pixels, reserved before any content (no layout shift). */
  readonly width?: number;
  readonly height?: number;
  readonly className?: string;
  /** Draws the placement yourself; the default is the Touchpoint banner when there is an offer. */
  readonly render?: (placement: UsePlacementResult) => ReactNode;
}

/** useLayoutEffect in the browser; on the server (where it does nothing and React 18 warns) useEffect. */
const useBeforePaint = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/**
 * A placement: a box of the given size, reserved at once (also in server-rendered HTML), with the offer banner
 * in it once the decision arrives, or nothing (the box stays, hidden from screen readers).
 */
export function Placement({ name, width, height, page, locale, className, render }: PlacementProps) {
  const placement = usePlacement(name, { page, locale });
  const { decision, offer } = placement;
  // Before the first paint: a banner drawn from a cached decision must not show unstyled and then move.
  useBeforePaint(() => {
    adoptPageBannerStyles(document);
  }, []);
  return (
    <div
      ref={placement.ref}
      className={className ? `tp-placement ${className}` : 'tp-placement'}
      data-placement={name}
      aria-hidden={offer ? undefined : true}
      style={{ display: 'block', boxSizing: 'border-box', width: '100%', maxWidth: width, height }}
    >
      {render
        ? render(placement)
        : decision &&
          offer && (
            <Banner
              decision={decision}
              offer={offer}
              onClick={placement.onClick}
              onDismiss={placement.onDismiss}
              onWhy={placement.onWhy}
              explanation={placement.explanation}
            />
          )}
    </div>
  );
}
