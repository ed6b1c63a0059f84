import type { AdvisorOutcomeKind } from '../../contract/index.js';
import type { CustomerProfile } from '../journeys/profile.js';

export interface AdvisorOutcome {
  readonly product: string;
  readonly outcome: AdvisorOutcomeKind;
  readonly at: string;
}

/** Advisor contacts older than this are dropped from the profile: longer than any cool-down or cap looks back. */
export const ADVISOR_CONTACT_MEMORY_MS = 90 * 86_400_000;

/** Whether the advisor reached the customer: what the weekly contact cap and the advisor cool-down count. */
export const reachedCustomer = (outcome: AdvisorOutcomeKind): boolean => outcome !== 'not_reached';

/**
 * What an advisor's outcome teaches the profile. Reaching the customer is a contact (the weekly cap across placements
 * and advisors counts it). A sale is the conversion: the product is held and its journey is at use. "Not relevant"
 * rests the product for the dismissal cool-down, in the advisor queue and in the in-app placements alike (its offers
 * count as dismissed). An unanswered call changes nothing.
 */
export function applyAdvisorOutcome(
  profile: CustomerProfile,
  outcome: AdvisorOutcome,
  offersOfProduct: readonly string[],
): CustomerProfile {
  if (!reachedCustomer(outcome.outcome)) return profile;
  const at = Date.parse(outcome.at);
  const advisorContacts = [...(profile.advisorContacts ?? []), outcome.at]
    .filter((time) => Date.parse(time) > at - ADVISOR_CONTACT_MEMORY_MS)
    .sort();
  const next: CustomerProfile = { ...profile, advisorContacts };
  if (outcome.outcome === 'sold') {
    return {
      ...next,
      productsHeld: [...new Set([...profile.productsHeld, outcome.product])].sort(),
      journeys: { ...profile.journeys, [outcome.product]: { stage: 'use', lastAt: outcome.at } },
    };
  }
  if (outcome.outcome === 'not_relevant') {
    return {
      ...next,
      dismissedProducts: { ...profile.dismissedProducts, [outcome.product]: outcome.at },
      dismissed: { ...profile.dismissed, ...Object.fromEntries(offersOfProduct.map((offer) => [offer, outcome.at])) },
    };
  }
  return next;
}
