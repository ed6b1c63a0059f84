import type { PartnerTouchpointType } from '../contract/index.js';
import { advanceStage, stageForTouchpoint } from './journey.js';
import type { CustomerProfile, JourneyState } from './profile.js';

/** What a profile learns from a partner's touchpoint: the product the customer looked at elsewhere, and when. */
export interface ExternalTouchpoint {
  readonly type: PartnerTouchpointType;
  readonly occurredAt: string;
  readonly product: string;
}

/**
 * Moves each product's journey at least as far as the external touchpoints show. Nothing else changes: the customer
 * was not seen in the bank's own channels, so the last-seen time, impressions, dismissals and conversions stay.
 */
export function applyExternalTouchpoints(
  profile: CustomerProfile,
  touchpoints: readonly ExternalTouchpoint[],
): CustomerProfile {
  const journeys: Record<string, JourneyState> = { ...profile.journeys };
  const productTouchpoints: Record<string, number> = { ...profile.productTouchpoints };
  for (const touchpoint of touchpoints) {
    const stage = stageForTouchpoint(touchpoint.type);
    if (!stage) continue;
    const current = journeys[touchpoint.product];
    const lastAt =
      current && Date.parse(current.lastAt) >= Date.parse(touchpoint.occurredAt)
        ? current.lastAt
        : touchpoint.occurredAt;
    journeys[touchpoint.product] = { stage: advanceStage(current?.stage, stage), lastAt };
    productTouchpoints[touchpoint.product] = (productTouchpoints[touchpoint.product] ?? 0) + 1;
  }
  return { ...profile, journeys, productTouchpoints, touchpointCount: profile.touchpointCount + touchpoints.length };
}
