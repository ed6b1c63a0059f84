import type { Channel, Offer } from '../contract/index.js';
import type { CustomerProfile } from './profile.js';

/** After a dismissal the offer rests this long before it may be shown again. */
export const DISMISSAL_COOL_DOWN_DAYS = 30;
const DAY_MS = 86_400_000;

export interface EligibilityInput {
  readonly offer: Offer;
  readonly profile: CustomerProfile;
  readonly channel: Channel;
  readonly now: Date;
}

export interface Exclusion {
  /** The rule's stable name, shown in the trace. */
  readonly rule: string;
  readonly detail: string;
}

interface Rule {
  readonly name: string;
  readonly check: (input: EligibilityInput) => string | null;
}

/** Hard rules in the order they are checked; the first that fails names the exclusion. */
export const ELIGIBILITY_RULES: readonly Rule[] = [
  {
    name: 'channel',
    check: ({ offer, channel }) => (offer.channels.includes(channel) ? null : `not offered in the ${channel}`),
  },
  {
    name: 'validity',
    check: ({ offer, now }) => {
      if (offer.validFrom && Date.parse(offer.validFrom) > now.getTime()) return `valid from ${offer.validFrom}`;
      if (offer.validTo && Date.parse(offer.validTo) <= now.getTime()) return `expired ${offer.validTo}`;
      return null;
    },
  },
  {
    name: 'product-held',
    check: ({ offer, profile }) =>
      offer.product !== null && profile.productsHeld.includes(offer.product) ? `already holds ${offer.product}` : null,
  },
  {
    name: 'journey-stage',
    check: ({ offer, profile }) => {
      if (offer.product === null || offer.stages.length === 0) return null;
      const stage = profile.journeys[offer.product]?.stage;
      if (stage === undefined) return `no ${offer.product} journey yet; offer fits ${offer.stages.join(', ')}`;
      return offer.stages.includes(stage)
        ? null
        : `${offer.product} stage is ${stage}; offer fits ${offer.stages.join(', ')}`;
    },
  },
  {
    name: 'converted',
    check: ({ offer, profile }) => {
      const at = profile.converted[offer.id];
      return at ? `converted ${at}` : null;
    },
  },
  {
    name: 'dismissed',
    check: ({ offer, profile, now }) => {
      const at = profile.dismissed[offer.id];
      if (!at) return null;
      return now.getTime() - Date.parse(at) < DISMISSAL_COOL_DOWN_DAYS * DAY_MS
        ? `dismissed ${at}; resting ${DISMISSAL_COOL_DOWN_DAYS} days`
        : null;
    },
  },
];

export function checkEligibility(input: EligibilityInput): Exclusion | null {
  for (const rule of ELIGIBILITY_RULES) {
    const detail = rule.check(input);
    if (detail !== null) return { rule: rule.name, detail };
  }
  return null;
}
