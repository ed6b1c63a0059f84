import type { JourneyStage, Offer } from '../../contract/index.js';
import type { CustomerProfile } from '../journeys/profile.js';
import type { LearnedDraw } from './learning.js';

/**
 * Prior propensity to respond by journey stage: the deeper in a journey, the likelier an offer for it
 * converts. The prior of learned propensities (learning.ts), and the shape of the journey multiplier.
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

/** The bank's own model's score of one offer for one customer, uploaded by the bank. */
export interface BankScore {
  readonly score: number;
  readonly modelName: string;
  readonly modelVersion: string;
}

/** Where a propensity comes from. */
export type PropensitySource = 'learned' | 'bank-model';

/** The propensity arbitration uses instead of the stage prior: learned per cluster × offer, or the bank's model's. */
export type PropensityEstimate =
  | { readonly source: 'learned'; readonly learned: LearnedDraw; readonly offerPrior: number }
  | { readonly source: 'bank-model'; readonly bankModel: BankScore };

export interface Score {
  /** The propensity used: learned rate × journey multiplier, the bank model's score, or (without either) stage prior × recency. */
  readonly propensity: number;
  /** How much of the interest is left since the journey's last touchpoint (1 = just now). */
  readonly recency: number;
  /** Stage prior × recency: this customer's journey as the prior sees it. */
  readonly journeyPropensity: number;
  readonly source?: PropensitySource;
  /** The posterior and the Thompson draw, for a learned propensity. */
  readonly learned?: LearnedDraw & { readonly journeyMultiplier: number };
  readonly bankModel?: BankScore;
  readonly value: number;
  readonly contextWeight: number;
  readonly lever: number;
  readonly priority: number;
}

/** The journey's part of a propensity: how much interest is left, and the stage prior of where the customer is, faded. */
export interface JourneyPropensity {
  readonly recency: number;
  readonly journeyPropensity: number;
}

/**
 * The journey's part of a propensity: the stage prior of where the customer is, faded by time since. `journeys` as they
 * stand at `now` (see journeysAt).
 */
export function journeyPropensityOf(offer: Offer, journeys: CustomerProfile['journeys'], now: Date): JourneyPropensity {
  const journey = offer.product === null ? undefined : journeys[offer.product];
  const ageDays = journey ? Math.max(0, now.getTime() - Date.parse(journey.lastAt)) / DAY_MS : 0;
  const recency = journey ? 0.5 ** (ageDays / INTEREST_HALF_LIFE_DAYS) : 1;
  return { recency, journeyPropensity: (journey ? STAGE_PROPENSITY[journey.stage] : HOUSE_PROPENSITY) * recency };
}

/**
 * The next-best-action arbitration formula: priority = propensity × value × context weight × business lever.
 *
 * A learned propensity combines the cluster's experience with this customer's journey: the learned rate is the
 * conversion rate of the offer among the cluster's customers it was shown to, who were on average at the offer's
 * prior; the customer's journey multiplier (stage prior × recency ÷ the offer's prior) says how much likelier or less
 * likely this customer is than that average. So a stale journey still fades, and a customer further along than the
 * offer's usual audience weighs more, whatever the cluster learnt. A bank model's score is about this very customer
 * and offer and is used as it is. The journey's part is `journeyPropensityOf` the offer: the same for every offer of
 * one product, so a decision works it out once per product.
 */
export function scoreOffer(
  offer: Offer,
  journey: JourneyPropensity,
  pageProduct: string | undefined,
  estimate?: PropensityEstimate,
): Score {
  const { recency, journeyPropensity } = journey;
  const contextWeight = offer.product !== null && offer.product === pageProduct ? SAME_PRODUCT_PAGE_WEIGHT : 1;
  const { value, lever } = offer;
  // Object literals written out rather than spread together: this runs for every offer of every decision, and the
  // spreads were its costliest line. The keys keep the order the trace has always shown.
  if (estimate?.source === 'bank-model') {
    const propensity = estimate.bankModel.score;
    return {
      recency,
      journeyPropensity,
      value,
      contextWeight,
      lever,
      propensity,
      source: 'bank-model',
      bankModel: estimate.bankModel,
      priority: propensity * value * contextWeight * lever,
    };
  }
  if (estimate?.source === 'learned') {
    const journeyMultiplier = journeyPropensity / estimate.offerPrior;
    const { cluster, alpha, beta, mean, sampled, impressions } = estimate.learned;
    const propensity = Math.min(1, sampled * journeyMultiplier);
    return {
      recency,
      journeyPropensity,
      value,
      contextWeight,
      lever,
      propensity,
      source: 'learned',
      learned: { cluster, alpha, beta, mean, sampled, impressions, journeyMultiplier },
      priority: propensity * value * contextWeight * lever,
    };
  }
  return {
    recency,
    journeyPropensity,
    value,
    contextWeight,
    lever,
    propensity: journeyPropensity,
    priority: journeyPropensity * value * contextWeight * lever,
  };
}
