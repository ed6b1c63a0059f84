import type { PartnerTouchpointType } from '../../contract/index.js';
import { applyJourneyTouchpoint, defaultJourneyOf, type JourneyOf, type JourneyState } from './journey.js';
import type { CustomerProfile } from './profile.js';

/** What a profile learns from a partner's touchpoint: the product the customer looked at elsewhere, and when. */
export interface ExternalTouchpoint {
  readonly type: PartnerTouchpointType;
  readonly occurredAt: string;
  readonly product: string;
}

/**
 * Moves each product's journey as its rules say for the external touchpoints (after fading since it last moved). Nothing else changes: the customer
 * was not seen in the bank's own channels, so the last-seen time, impressions, dismissals and conversions stay.
 */
export function applyExternalTouchpoints(
  profile: CustomerProfile,
  touchpoints: readonly ExternalTouchpoint[],
  journeyOf: JourneyOf = defaultJourneyOf,
): CustomerProfile {
  const journeys: Record<string, JourneyState> = { ...profile.journeys };
  const productTouchpoints: Record<string, number> = { ...profile.productTouchpoints };
  const ordered = [...touchpoints].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  for (const { product, type, occurredAt } of ordered) {
    const journey = applyJourneyTouchpoint(journeys[product], type, occurredAt, journeyOf(product));
    if (journey) {
      journeys[product] = journey;
      productTouchpoints[product] = (productTouchpoints[product] ?? 0) + 1;
    }
  }
  return { ...profile, journeys, productTouchpoints, touchpointCount: profile.touchpointCount + touchpoints.length };
}
