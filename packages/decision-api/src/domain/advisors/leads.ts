import type { JourneyStage, LeadPolicy, Locale, Product } from '../../contract/index.js';
import { INTEREST_HALF_LIFE_DAYS } from '../decision/arbitration.js';
import type { CustomerProfile } from '../journeys/profile.js';

const DAY_MS = 86_400_000;

/**
 * How much a journey stage says the customer is ready to buy, before recency and engagement: pricing (compare) or an
 * application under way is a lead; a glance (aware) rarely is. A held product (use) is no lead.
 */
export const LEAD_STAGE_WEIGHT: Readonly<Record<JourneyStage, number>> = {
  aware: 0.2,
  explore: 0.4,
  compare: 0.8,
  apply: 0.9,
  sign: 1,
  use: 0,
};
/** Touchpoints on a product's journey at which engagement is half of what it can reach. */
export const ENGAGEMENT_HALF_TOUCHPOINTS = 3;
/** The share of a lead's score that a single touchpoint earns; engagement adds the rest. */
export const ENGAGEMENT_FLOOR = 0.7;

export interface LeadScore {
  readonly product: string;
  /** In [0, 1]: stage weight × recency × (floor + (1 − floor) × engagement). */
  readonly score: number;
  readonly stage: JourneyStage;
  readonly lastActivityAt: string;
  /** 1 just after the last touchpoint on the journey, halving every INTEREST_HALF_LIFE_DAYS days. */
  readonly recency: number;
  /** In [0, 1): 1 − ½^(touchpoints / ENGAGEMENT_HALF_TOUCHPOINTS). */
  readonly engagement: number;
}

/**
 * The lead score of a customer for a product, from what the profile knows of the product's journey:
 *
 *   score = stage weight × recency × (0.7 + 0.3 × engagement)
 *
 * with recency = ½^(days since the journey's last touchpoint / 14) and engagement = 1 − ½^(touchpoints / 3). Each
 * factor is in [0, 1], so the score is too. No journey, or a product the customer holds, is no lead (null).
 */
export function scoreLead(profile: CustomerProfile, product: string, now: Date): LeadScore | null {
  const journey = profile.journeys[product];
  if (!journey || profile.productsHeld.includes(product)) return null;
  const ageDays = Math.max(0, now.getTime() - Date.parse(journey.lastAt)) / DAY_MS;
  const recency = 0.5 ** (ageDays / INTEREST_HALF_LIFE_DAYS);
  const touchpoints = Math.max(1, profile.productTouchpoints?.[product] ?? 1);
  const engagement = 1 - 0.5 ** (touchpoints / ENGAGEMENT_HALF_TOUCHPOINTS);
  const score = LEAD_STAGE_WEIGHT[journey.stage] * recency * (ENGAGEMENT_FLOOR + (1 - ENGAGEMENT_FLOOR) * engagement);
  return { product, score, stage: journey.stage, lastActivityAt: journey.lastAt, recency, engagement };
}

/** A lead as it is kept: the latest score, its reason in words, and since when it is qualified (null when not). */
export interface Lead {
  readonly customerId: string;
  readonly product: string;
  readonly score: number;
  readonly stage: JourneyStage;
  readonly lastActivityAt: string;
  readonly reason: { readonly da: string; readonly en: string };
  readonly branch: string | null;
  readonly qualifiedAt: string | null;
  readonly updatedAt: string;
}

export interface LeadRefresh {
  /** Every lead to write: the products scored, qualified or not. */
  readonly leads: Lead[];
  /** Leads that crossed the threshold now: the events sent to the CRM. */
  readonly newlyQualified: Lead[];
}

/**
 * Scores the customer's leads for the products named and decides which are qualified: a lead is qualified while its
 * score is at least the policy's threshold, and keeps the time it first qualified; falling below ends it, and a later
 * qualification is a new lead event.
 */
export function refreshLeads(input: {
  readonly customerId: string;
  readonly profile: CustomerProfile;
  readonly products: Iterable<string>;
  readonly catalogProducts: ReadonlyMap<string, Product>;
  /** Product → when its lead qualified, for the customer's stored leads. */
  readonly previouslyQualified: ReadonlyMap<string, string | null>;
  readonly policy: LeadPolicy;
  readonly now: Date;
}): LeadRefresh {
  const { customerId, profile, now, policy } = input;
  const leads: Lead[] = [];
  const newlyQualified: Lead[] = [];
  for (const product of new Set(input.products)) {
    const catalogProduct = input.catalogProducts.get(product);
    const scored = catalogProduct ? scoreLead(profile, product, now) : null;
    if (!catalogProduct || !scored) {
      if (input.previouslyQualified.has(product)) leads.push(droppedLead(customerId, product, profile, now));
      continue;
    }
    const qualifies = scored.score >= policy.qualifyAt;
    const before = input.previouslyQualified.get(product) ?? null;
    const lead: Lead = {
      customerId,
      product,
      score: scored.score,
      stage: scored.stage,
      lastActivityAt: scored.lastActivityAt,
      reason: {
        da: leadReason('da', catalogProduct, scored.stage, scored.lastActivityAt, now),
        en: leadReason('en', catalogProduct, scored.stage, scored.lastActivityAt, now),
      },
      branch: profile.attributes?.branch ?? null,
      qualifiedAt: qualifies ? (before ?? now.toISOString()) : null,
      updatedAt: now.toISOString(),
    };
    leads.push(lead);
    if (qualifies && before === null) newlyQualified.push(lead);
  }
  return { leads, newlyQualified };
}

/** A stored lead whose product the customer now holds (or that left the catalog): kept, scored 0, not qualified. */
function droppedLead(customerId: string, product: string, profile: CustomerProfile, now: Date): Lead {
  const journey = profile.journeys[product];
  const held = profile.productsHeld.includes(product);
  return {
    customerId,
    product,
    score: 0,
    stage: journey?.stage ?? 'use',
    lastActivityAt: journey?.lastAt ?? now.toISOString(),
    reason: held
      ? { da: `har ${product} i banken`, en: `holds ${product} at the bank` }
      : { da: `${product} er ikke i kataloget`, en: `${product} is not in the catalog` },
    branch: profile.attributes?.branch ?? null,
    qualifiedAt: null,
    updatedAt: now.toISOString(),
  };
}

/**
 * What the customer did, in words an advisor reads out: "priced a car loan 2 days ago, application not started".
 * Days are counted whole, from the journey's last touchpoint to now.
 */
export function leadReason(
  locale: Locale,
  product: Product,
  stage: JourneyStage,
  lastActivityAt: string,
  now: Date,
): string {
  const days = Math.max(0, Math.floor((now.getTime() - Date.parse(lastActivityAt)) / DAY_MS));
  const name = product.name[locale].toLocaleLowerCase(locale);
  if (locale === 'da') {
    const ago = days === 0 ? 'i dag' : days === 1 ? 'i går' : `for ${days} dage siden`;
    switch (stage) {
      case 'aware':
        return `besøgte siderne om ${name} ${ago}`;
      case 'explore':
        return `læste om ${name} ${ago}`;
      case 'compare':
        return `beregnede en pris på ${name} ${ago}, ansøgning ikke startet`;
      case 'apply':
        return `startede en ansøgning om ${name} ${ago}, ikke indsendt`;
      case 'sign':
        return `indsendte en ansøgning om ${name} ${ago}, ikke afsluttet`;
      case 'use':
        return `bruger ${name} i banken`;
    }
  }
  const ago = days === 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`;
  // "a car loan", "an investment account", but "savings": a plural or mass noun takes no article.
  const counted = name.endsWith('s') ? name : `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`;
  switch (stage) {
    case 'aware':
      return `visited the ${name} pages ${ago}`;
    case 'explore':
      return `read about ${name} ${ago}`;
    case 'compare':
      return `priced ${counted} ${ago}, application not started`;
    case 'apply':
      return `started ${counted} application ${ago}, not submitted`;
    case 'sign':
      return `submitted ${counted} application ${ago}, not completed`;
    case 'use':
      return `uses ${name} at the bank`;
  }
}
