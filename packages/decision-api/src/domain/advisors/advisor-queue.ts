import type { ContactPolicy, LeadPolicy, Locale, Offer, Product } from '../../contract/index.js';
import { advisorContactsWithin, weeklyContactCount } from '../decision/eligibility.js';
import type { CustomerProfile } from '../journeys/profile.js';
import { leadReason, scoreLead } from './leads.js';

const DAY_MS = 86_400_000;

/** A qualified lead of the branch with the customer's profile, as the store reads them, best score first. */
export interface QueueCandidate {
  readonly customerId: string;
  readonly product: string;
  readonly profile: CustomerProfile;
}

export interface QueueEntry {
  readonly customerId: string;
  readonly product: string;
  /** The lead score now (it fades with time since the stored score). */
  readonly score: number;
  readonly stage: string;
  readonly lastActivityAt: string;
  readonly reason: string;
}

export interface QueueInput {
  readonly candidates: readonly QueueCandidate[];
  readonly products: ReadonlyMap<string, Product>;
  readonly offers: Iterable<Offer>;
  readonly contactPolicy: ContactPolicy;
  readonly leadPolicy: LeadPolicy;
  readonly locale: Locale;
  readonly now: Date;
  readonly limit: number;
}

export interface QueueResult {
  readonly entries: QueueEntry[];
  /** How many leads each contact-policy rule kept out of the queue, by rule name. */
  readonly excluded: Record<string, number>;
}

interface RuleInput {
  readonly candidate: QueueCandidate;
  readonly creditProducts: ReadonlySet<string>;
  readonly productOffers: ReadonlyMap<string, readonly string[]>;
  readonly offers: readonly Offer[];
  readonly contactPolicy: ContactPolicy;
  readonly leadPolicy: LeadPolicy;
  readonly now: Date;
}

/**
 * The contact policy of the advisor queue, checked in order; the first that fails keeps the lead out. Consent first:
 * without the customer's consent to be contacted nothing else matters.
 */
export const QUEUE_RULES: ReadonlyArray<{ name: string; excludes: (input: RuleInput) => boolean }> = [
  { name: 'consent', excludes: ({ candidate }) => candidate.profile.attributes?.contactConsent !== true },
  {
    name: 'product-held',
    excludes: ({ candidate }) => candidate.profile.productsHeld.includes(candidate.product),
  },
  {
    // Lending to a customer in financial difficulty, or to one the bank knows to be vulnerable, is not suitable advice.
    name: 'credit-suitability',
    excludes: ({ candidate, creditProducts }) => {
      const { vulnerable = false, arrears = false } = candidate.profile.attributes ?? {};
      return creditProducts.has(candidate.product) && (vulnerable || arrears);
    },
  },
  {
    name: 'advisor-cool-down',
    excludes: ({ candidate, leadPolicy, now }) =>
      leadPolicy.advisorCoolDownDays > 0 &&
      advisorContactsWithin(candidate.profile, now, leadPolicy.advisorCoolDownDays) > 0,
  },
  {
    name: 'weekly-contact-cap',
    excludes: ({ candidate, offers, contactPolicy, now }) =>
      weeklyContactCount(candidate.profile, offers, now) >= contactPolicy.weeklyContactsPerCustomer,
  },
  {
    // The customer told an advisor the product is not relevant, or dismissed one of its offers in the bank.
    name: 'dismissed',
    excludes: ({ candidate, productOffers, contactPolicy, now }) => {
      const { profile, product } = candidate;
      const times = [
        profile.dismissedProducts?.[product],
        ...(productOffers.get(product) ?? []).map((offer) => profile.dismissed[offer]),
      ];
      return times.some(
        (at) => at !== undefined && now.getTime() - Date.parse(at) < contactPolicy.dismissalCoolDownDays * DAY_MS,
      );
    },
  },
];

/**
 * The next customers for an advisor to contact: the branch's qualified leads, best score now first, each customer
 * once (for their best product), none the contact policy rules out, at most `limit`.
 */
export function advisorQueue(input: QueueInput): QueueResult {
  const offers = [...input.offers];
  const creditProducts = new Set(offers.filter((o) => o.credit && o.product !== null).map((o) => o.product as string));
  const productOffers = new Map<string, string[]>();
  for (const offer of offers) {
    if (offer.product !== null)
      productOffers.set(offer.product, [...(productOffers.get(offer.product) ?? []), offer.id]);
  }
  const excluded: Record<string, number> = {};
  const best = new Map<string, QueueEntry>();
  for (const candidate of input.candidates) {
    const product = input.products.get(candidate.product);
    const scored = product ? scoreLead(candidate.profile, candidate.product, input.now) : null;
    if (!product || !scored) {
      excluded['product-held'] = (excluded['product-held'] ?? 0) + 1;
      continue;
    }
    const rule = QUEUE_RULES.find((r) =>
      r.excludes({
        candidate,
        creditProducts,
        productOffers,
        offers,
        contactPolicy: input.contactPolicy,
        leadPolicy: input.leadPolicy,
        now: input.now,
      }),
    );
    if (rule) {
      excluded[rule.name] = (excluded[rule.name] ?? 0) + 1;
      continue;
    }
    const entry: QueueEntry = {
      customerId: candidate.customerId,
      product: candidate.product,
      score: scored.score,
      stage: scored.stage,
      lastActivityAt: scored.lastActivityAt,
      reason: leadReason(input.locale, product, scored.stage, scored.lastActivityAt, input.now),
    };
    const current = best.get(candidate.customerId);
    if (!current || entry.score > current.score) best.set(candidate.customerId, entry);
  }
  const entries = [...best.values()]
    .sort((a, b) => b.score - a.score || a.customerId.localeCompare(b.customerId) || a.product.localeCompare(b.product))
    .slice(0, input.limit);
  return { entries, excluded };
}
