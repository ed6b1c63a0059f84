import type { JourneyStage, Offer } from '../contract/index.js';
import type { CustomerProfile } from './profile.js';

/**
 * Prior propensity to respond by journey stage: the deeper in a journey, the likelier an offer for it
 * converts. Used until learned propensities replace it.
 */
export const STAGE_PROPENSITY: Readonly<Record<JourneyStage, number>> = {
  aware: 0.04,
  explore: 0.08,
  compare: 0.16,
  apply: 0.3,
  sign: 0.4,
  use: 0.02,
};
/** A house offer (no product) fits anyone, and is rarely acted on. */
export const HOUSE_PROPENSITY = 0.01;
/** Showing an offer on its own product's page makes it more relevant there. */
export const SAME_PRODUCT_PAGE_WEIGHT = 1.5;

export interface Score {
  readonly propensity: number;
  readonly value: number;
  readonly contextWeight: number;
  readonly lever: number;
  readonly priority: number;
}

/** The next-best-action arbitration formula: priority = propensity × value × context weight × business lever. */
export function scoreOffer(offer: Offer, profile: CustomerProfile, pageProduct: string | undefined): Score {
  const stage = offer.product === null ? undefined : profile.journeys[offer.product]?.stage;
  const propensity = stage === undefined ? HOUSE_PROPENSITY : STAGE_PROPENSITY[stage];
  const contextWeight = offer.product !== null && offer.product === pageProduct ? SAME_PRODUCT_PAGE_WEIGHT : 1;
  return {
    propensity,
    value: offer.value,
    contextWeight,
    lever: offer.lever,
    priority: propensity * offer.value * contextWeight * offer.lever,
  };
}
