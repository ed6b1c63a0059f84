import { type Channel, type ContactPolicy, DEFAULT_CONTACT_POLICY, type Offer } from '../contract/index.js';
import type { CustomerProfile } from './profile.js';

const DAY_MS = 86_400_000;

export interface EligibilityInput {
  readonly offer: Offer;
  readonly profile: CustomerProfile;
  readonly channel: Channel;
  readonly now: Date;
  readonly policy?: ContactPolicy;
  /** Personalized contacts (impressions of product offers) in the last seven days, across all placements. */
  readonly weeklyContacts?: number;
}

/**
 * Contact caps count impressions of product offers. A house offer is generic content, not a contact, and is
 * never capped, so a placement always has something to show.
 */
export function impressionsWithin(profile: CustomerProfile, offerId: string, now: Date, days: number): number {
  const since = now.getTime() - days * DAY_MS;
  return (profile.impressions?.[offerId] ?? []).filter((at) => {
    const t = Date.parse(at);
    return t > since && t <= now.getTime();
  }).length;
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
    check: ({ offer, profile, now, policy = DEFAULT_CONTACT_POLICY }) => {
      const at = profile.dismissed[offer.id];
      if (!at) return null;
      return now.getTime() - Date.parse(at) < policy.dismissalCoolDownDays * DAY_MS
        ? `dismissed ${at}; resting ${policy.dismissalCoolDownDays} days`
        : null;
    },
  },
  {
    name: 'offer-daily-cap',
    check: ({ offer, profile, now }) => {
      if (offer.product === null) return null;
      const seen = impressionsWithin(profile, offer.id, now, 1);
      return seen >= offer.caps.perDay ? `seen ${seen} times today; cap ${offer.caps.perDay} a day` : null;
    },
  },
  {
    name: 'offer-weekly-cap',
    check: ({ offer, profile, now }) => {
      if (offer.product === null) return null;
      const seen = impressionsWithin(profile, offer.id, now, 7);
      return seen >= offer.caps.perWeek ? `seen ${seen} times this week; cap ${offer.caps.perWeek} a week` : null;
    },
  },
  {
    name: 'weekly-contact-cap',
    check: ({ offer, weeklyContacts = 0, policy = DEFAULT_CONTACT_POLICY }) =>
      offer.product !== null && weeklyContacts >= policy.weeklyContactsPerCustomer
        ? `${weeklyContacts} contacts this week; cap ${policy.weeklyContactsPerCustomer} a week per customer`
        : null,
  },
];

export function checkEligibility(input: EligibilityInput): Exclusion | null {
  for (const rule of ELIGIBILITY_RULES) {
    const detail = rule.check(input);
    if (detail !== null) return { rule: rule.name, detail };
  }
  return null;
}
