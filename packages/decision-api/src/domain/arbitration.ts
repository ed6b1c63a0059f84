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
/** Interest fades: a journey's propensity halves for every this many days without a touchpoint on it. */
export const INTEREST_HALF_LIFE_DAYS = 14;
const DAY_MS = 86_400_000;

export interface Score {
  /** Stage prior × recency. */
  readonly propensity: number;
  /** How much of the interest is left since the journey's last touchpoint (1 = just now). */
  readonly recency: number;
  readonly value: number;
  readonly contextWeight: number;
  readonly lever: number;
  readonly priority: number;
}

/** The next-best-action arbitration formula: priority = propensity × value × context weight × business lever. */
export function scoreOffer(offer: Offer, profile: CustomerProfile, pageProduct: string | undefined, now: Date): Score {
  const journey = offer.product === null ? undefined : profile.journeys[offer.product];
  const ageDays = journey ? Math.max(0, now.getTime() - Date.parse(journey.lastAt)) / DAY_MS : 0;
  const recency = journey ? 0.5 ** (ageDays / INTEREST_HALF_LIFE_DAYS) : 1;
  const propensity = (journey ? STAGE_PROPENSITY[journey.stage] : HOUSE_PROPENSITY) * recency;
  const contextWeight = offer.product !== null && offer.product === pageProduct ? SAME_PRODUCT_PAGE_WEIGHT : 1;
  return {
    propensity,
    recency,
    value: offer.value,
    contextWeight,
    lever: offer.lever,
    priority: propensity * offer.value * contextWeight * offer.lever,
  };
}
