import {
  type Channel,
  type ContactPolicy,
  DEFAULT_CONTACT_POLICY,
  DEFAULT_OFFER_CAPS,
  type Offer,
} from '../../contract/index.js';
import { possibleAges } from '../journeys/age.js';
import type { CustomerProfile } from '../journeys/profile.js';

const DAY_MS = 86_400_000;

export interface EligibilityInput {
  readonly offer: Offer;
  readonly profile: CustomerProfile;
  readonly channel: Channel;
  readonly now: Date;
  readonly policy?: ContactPolicy;
  /** Personalized contacts in the last seven days, across all placements and advisors (see weeklyContactCount). */
  readonly weeklyContacts?: number;
  /** The customer's behavioural cluster; null or absent when not assigned. */
  readonly cluster?: string | null;
  /** The journeys as they stand at `now` (faded, see journeysAt); absent: the profile's own. */
  readonly journeys?: CustomerProfile['journeys'];
}

/**
 * Contact caps count impressions of product offers. A house offer is generic content, not a contact, and is
 * never capped, so a placement always has something to show.
 */
export function impressionsWithin(profile: CustomerProfile, offerId: string, now: Date, days: number): number {
  const seen = profile.impressions?.[offerId];
  // Checked for every offer of every decision: most offers were never shown to the customer.
  if (seen === undefined || seen.length === 0) return 0;
  const until = now.getTime();
  const since = until - days * DAY_MS;
  let count = 0;
  for (const at of seen) {
    const t = Date.parse(at);
    if (t > since && t <= until) count++;
  }
  return count;
}

/** Advisors reaching the customer within the last `days` days. */
export function advisorContactsWithin(profile: CustomerProfile, now: Date, days: number): number {
  const since = now.getTime() - days * DAY_MS;
  return (profile.advisorContacts ?? []).filter((at) => {
    const t = Date.parse(at);
    return t > since && t <= now.getTime();
  }).length;
}

/**
 * The contacts the weekly cap per customer counts, across all placements and advisors: viewable impressions of
 * product offers in the last seven days, and advisors reaching the customer. So an advisor's call uses up the in-app
 * placements' allowance and the other way round.
 */
export function weeklyContactCount(
  profile: CustomerProfile,
  offers: Iterable<Offer> | ReadonlyMap<string, Offer>,
  now: Date,
): number {
  let count = advisorContactsWithin(profile, now, 7);
  if (offers instanceof Map) {
    // By id, only the offers the customer was shown: a large catalog costs nothing here (the same count).
    for (const offerId of Object.keys(profile.impressions ?? {})) {
      const offer = offers.get(offerId);
      if (offer && offer.product !== null) count += impressionsWithin(profile, offerId, now, 7);
    }
    return count;
  }
  for (const offer of offers as Iterable<Offer>) {
    if (offer.product !== null) count += impressionsWithin(profile, offer.id, now, 7);
  }
  return count;
}

export interface Exclusion {
  /** The rule's stable name, shown in the trace. */
  readonly rule: string;
  readonly detail: string;
}

export interface Rule {
  readonly name: string;
  /**
   * False when the offer alone shows that the rule never excludes it (no validity dates, not a credit offer, a house
   * offer for the caps …). Absent: the rule may exclude any offer.
   */
  readonly appliesTo?: (offer: Offer) => boolean;
  readonly check: (input: EligibilityInput) => string | null;
}

/**
 * Hard rules in the order they are checked; the first that fails names the exclusion in the trace. The order goes
 * from the offer to the moment: where and when the offer runs (channel, validity); whether the law lets this customer
 * see it (credit-suitability, age); whom it is for (product-held, requires-product, excludes-product, cluster); where
 * the customer's journey is (journey-stage, converted); and contact policy (dismissed, the caps). So a credit offer
 * kept from a customer in arrears is traced as credit-suitability even when a later rule would also exclude it.
 *
 * What the bank has not told is not held against a customer: an anonymous visitor has no known age or credit flags,
 * and passes age and credit-suitability; the bank's backend supplies attributes for logged-in customers. Cluster
 * targeting is the opposite: an offer meant for some clusters is not shown when the customer's cluster is unknown.
 */
export const ELIGIBILITY_RULES: readonly Rule[] = [
  {
    name: 'channel',
    check: ({ offer, channel }) => (offer.channels.includes(channel) ? null : `not offered in the ${channel}`),
  },
  {
    name: 'validity',
    appliesTo: (offer) => Boolean(offer.validFrom || offer.validTo),
    check: ({ offer, now }) => {
      if (offer.validFrom && Date.parse(offer.validFrom) > now.getTime()) return `valid from ${offer.validFrom}`;
      if (offer.validTo && Date.parse(offer.validTo) <= now.getTime()) return `expired ${offer.validTo}`;
      return null;
    },
  },
  {
    // Lending to a customer in financial difficulty, or to one the bank knows to be vulnerable, is not suitable advice.
    name: 'credit-suitability',
    appliesTo: (offer) => offer.credit,
    check: ({ offer, profile }) => {
      if (!offer.credit) return null;
      const vulnerable = profile.attributes?.vulnerable;
      const arrears = profile.attributes?.arrears;
      if (!vulnerable && !arrears) return null;
      const flags = [...(vulnerable ? ['flagged vulnerable'] : []), ...(arrears ? ['in arrears'] : [])];
      return `credit offer; the customer is ${flags.join(' and ')}`;
    },
  },
  {
    name: 'age',
    appliesTo: (offer) => offer.rules?.minAge !== undefined || offer.rules?.maxAge !== undefined,
    check: ({ offer, profile, now }) => {
      const birthYear = profile.attributes?.birthYear;
      if (birthYear === undefined) return null;
      const minAge = offer.rules?.minAge;
      const maxAge = offer.rules?.maxAge;
      if (minAge === undefined && maxAge === undefined) return null;
      const { youngest, oldest } = possibleAges(birthYear, now);
      const aged = `born ${birthYear}, aged ${youngest} or ${oldest}`;
      if (minAge !== undefined && youngest < minAge) return `${aged}; offer is for ${minAge} and older`;
      if (maxAge !== undefined && oldest > maxAge) return `${aged}; offer is for ${maxAge} and younger`;
      return null;
    },
  },
  {
    name: 'product-held',
    appliesTo: (offer) => offer.product !== null,
    check: ({ offer, profile }) =>
      offer.product !== null && profile.productsHeld.includes(offer.product) ? `already holds ${offer.product}` : null,
  },
  {
    name: 'requires-product',
    appliesTo: (offer) => Boolean(offer.rules?.requiresProducts?.length),
    check: ({ offer, profile }) => {
      const required = offer.rules?.requiresProducts;
      if (!required?.length) return null;
      const missing = required.filter((product) => !profile.productsHeld.includes(product));
      return missing.length > 0 ? `does not hold ${missing.join(', ')}; offer requires it` : null;
    },
  },
  {
    name: 'excludes-product',
    appliesTo: (offer) => Boolean(offer.rules?.excludesProducts?.length),
    check: ({ offer, profile }) => {
      const excluded = offer.rules?.excludesProducts;
      if (!excluded?.length) return null;
      const held = excluded.filter((product) => profile.productsHeld.includes(product));
      return held.length > 0 ? `holds ${held.join(', ')}; offer excludes it` : null;
    },
  },
  {
    name: 'cluster',
    appliesTo: (offer) => Boolean(offer.rules?.clusters?.length),
    check: ({ offer, cluster = null }) => {
      const clusters = offer.rules?.clusters ?? [];
      if (clusters.length === 0) return null;
      if (cluster === null) return `cluster unknown; offer is for ${clusters.join(', ')}`;
      return clusters.includes(cluster) ? null : `in ${cluster}; offer is for ${clusters.join(', ')}`;
    },
  },
  {
    name: 'journey-stage',
    appliesTo: (offer) => offer.product !== null && offer.stages.length > 0,
    check: ({ offer, profile, journeys = profile.journeys }) => {
      if (offer.product === null || offer.stages.length === 0) return null;
      const stage = journeys[offer.product]?.stage;
      if (stage === undefined) return `no ${offer.product} journey yet; offer fits ${stagesText(offer.stages)}`;
      return offer.stages.includes(stage)
        ? null
        : `${offer.product} stage is ${stage}; offer fits ${stagesText(offer.stages)}`;
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
    appliesTo: (offer) => offer.product !== null,
    check: ({ offer, profile, now }) => {
      if (offer.product === null) return null;
      const { perDay } = offer.caps ?? DEFAULT_OFFER_CAPS;
      const seen = impressionsWithin(profile, offer.id, now, 1);
      return seen >= perDay ? `seen ${seen} times today; cap ${perDay} a day` : null;
    },
  },
  {
    name: 'offer-weekly-cap',
    appliesTo: (offer) => offer.product !== null,
    check: ({ offer, profile, now }) => {
      if (offer.product === null) return null;
      const { perWeek } = offer.caps ?? DEFAULT_OFFER_CAPS;
      const seen = impressionsWithin(profile, offer.id, now, 7);
      return seen >= perWeek ? `seen ${seen} times this week; cap ${perWeek} a week` : null;
    },
  },
  {
    name: 'weekly-contact-cap',
    appliesTo: (offer) => offer.product !== null,
    check: ({ offer, weeklyContacts = 0, policy = DEFAULT_CONTACT_POLICY }) =>
      offer.product !== null && weeklyContacts >= policy.weeklyContactsPerCustomer
        ? `${weeklyContacts} contacts this week; cap ${policy.weeklyContactsPerCustomer} a week per customer`
        : null,
  },
];

/**
 * An offer's stages as the trace names them, joined once per catalog rather than for every decision: most offers are
 * excluded by journey stage, so this text is made for nearly every candidate.
 */
const joinedStages = new WeakMap<readonly string[], string>();
function stagesText(stages: readonly string[]): string {
  let text = joinedStages.get(stages);
  if (text === undefined) {
    text = stages.join(', ');
    joinedStages.set(stages, text);
  }
  return text;
}

/**
 * The first rule that excludes the offer, or null. `rules` may leave out rules that do not apply to the offer (see
 * rulesByOffer); the answer is the same.
 */
export function checkEligibility(
  input: EligibilityInput,
  rules: readonly Rule[] = ELIGIBILITY_RULES,
): Exclusion | null {
  for (const rule of rules) {
    const detail = rule.check(input);
    if (detail !== null) return { rule: rule.name, detail };
  }
  return null;
}

/**
 * For each offer, by position, the rules that may exclude it, in their order: worked out once per catalog (its offers
 * are replaced, never changed), so a decision does not run, for every offer, the rules the offer cannot fail.
 */
export function rulesByOffer(offers: readonly Offer[]): readonly (readonly Rule[])[] {
  let rules = applicableRules.get(offers);
  if (rules === undefined) {
    rules = offers.map((offer) => ELIGIBILITY_RULES.filter((rule) => rule.appliesTo?.(offer) ?? true));
    applicableRules.set(offers, rules);
  }
  return rules;
}
const applicableRules = new WeakMap<readonly Offer[], readonly (readonly Rule[])[]>();
