import type { JourneyStage, Offer, OfferContent, DecisionContext as RequestContext } from '../contract/index.js';

/** Where the decision is shown: the channel, the page and the customer's language. */
export type DecisionContext = Pick<RequestContext, 'channel' | 'page' | 'locale'>;

import { type Score, scoreOffer } from './arbitration.js';
import type { CompiledCatalog } from './catalog.js';
import { checkEligibility, type Exclusion, impressionsWithin } from './eligibility.js';
import type { CustomerProfile } from './profile.js';
import { customerReason, noOfferReason } from './reason.js';

/** How long the SDK may reuse a decision; short enough that journeys and caps stay fresh. */
export const DECISION_TTL_SECONDS = 300;

export interface CandidateTrace {
  readonly offerId: string;
  readonly product: string | null;
  readonly excludedBy?: Exclusion;
  /** Set for an eligible offer that another placement on the same page already shows. */
  readonly shownElsewhere?: string;
  readonly score?: Score;
}

export interface DecisionTrace {
  readonly placement: string;
  readonly catalogVersion: string;
  readonly at: string;
  readonly context: DecisionContext;
  readonly stages: Readonly<Record<string, JourneyStage>>;
  readonly productsHeld: readonly string[];
  readonly candidates: readonly CandidateTrace[];
  readonly winner: string | null;
  /** The contact-policy state the decision saw. */
  readonly contactPolicy: { readonly weeklyContacts: number; readonly weeklyCap: number };
  readonly note?: string;
  /** The experiment and arm the decision ran under, when the customer is in one. */
  readonly experiment?: { readonly id: string; readonly arm: string; readonly note: string };
  /** Set when the customer is in the global holdout and so saw generic content. */
  readonly holdout?: boolean;
}

export interface PlacementOutcome {
  readonly placement: string;
  readonly offer: Offer | null;
  readonly content: OfferContent | null;
  readonly size: { width: number; height: number } | null;
  readonly reason: string;
  readonly ttlSeconds: number;
  readonly trace: DecisionTrace;
}

export interface DecideInput {
  readonly catalog: CompiledCatalog;
  readonly profile: CustomerProfile;
  readonly context: DecisionContext;
  readonly placements: readonly string[];
  readonly now: Date;
  /** The customer's behavioural cluster, for offers that target clusters; absent when not assigned. */
  readonly cluster?: string | null;
}

/**
 * Picks the next best offer for each placement on a page. Pure: the same input gives the same decisions.
 * Placements are decided in the order asked, and one offer is shown at most once per page.
 */
export function decide(input: DecideInput): PlacementOutcome[] {
  const { catalog, profile, context, now } = input;
  const cluster = input.cluster ?? null;
  const shown = new Map<string, string>();
  const stages = Object.fromEntries(Object.entries(profile.journeys).map(([product, state]) => [product, state.stage]));
  const pageProduct = catalog.productOfPage(context.page);
  const policy = catalog.source.contactPolicy;
  const weeklyContacts = [...catalog.offers.values()]
    .filter((offer) => offer.product !== null)
    .reduce((sum, offer) => sum + impressionsWithin(profile, offer.id, now, 7), 0);
  let creditShownOn: string | undefined;

  return input.placements.map((placementId) => {
    const placement = catalog.placements.get(placementId);
    const baseTrace = {
      placement: placementId,
      catalogVersion: catalog.version,
      at: now.toISOString(),
      context,
      stages,
      productsHeld: profile.productsHeld,
      contactPolicy: { weeklyContacts, weeklyCap: policy.weeklyContactsPerCustomer },
    };
    if (!placement || !placement.channels.includes(context.channel)) {
      const note = placement ? `placement is not served in the ${context.channel}` : 'unknown placement';
      return none(placementId, placement?.size ?? null, context, { ...baseTrace, candidates: [], winner: null, note });
    }

    const candidates: CandidateTrace[] = [];
    let best: { offer: Offer; score: Score } | null = null;
    for (const offer of catalog.offersByPlacement.get(placementId) ?? []) {
      const excludedBy =
        checkEligibility({ offer, profile, channel: context.channel, now, policy, weeklyContacts, cluster }) ??
        (offer.credit && creditShownOn
          ? { rule: 'one-credit-offer', detail: `a credit offer is already shown on ${creditShownOn}` }
          : null);
      if (excludedBy) {
        candidates.push({ offerId: offer.id, product: offer.product, excludedBy });
        continue;
      }
      const score = scoreOffer(offer, profile, pageProduct, now);
      const elsewhere = shown.get(offer.id);
      if (elsewhere) {
        candidates.push({ offerId: offer.id, product: offer.product, score, shownElsewhere: elsewhere });
        continue;
      }
      candidates.push({ offerId: offer.id, product: offer.product, score });
      if (
        !best ||
        score.priority > best.score.priority ||
        (score.priority === best.score.priority && offer.id < best.offer.id)
      ) {
        best = { offer, score };
      }
    }

    const trace: DecisionTrace = { ...baseTrace, candidates, winner: best?.offer.id ?? null };
    if (!best) return none(placementId, placement.size, context, trace);
    shown.set(best.offer.id, placementId);
    if (best.offer.credit) creditShownOn = placementId;
    const { offer } = best;
    const product = offer.product === null ? undefined : catalog.products.get(offer.product);
    return {
      placement: placementId,
      offer,
      content: contentOf(offer, context.locale),
      size: placement.size,
      reason: customerReason(context.locale, product, offer.product ? stages[offer.product] : undefined),
      ttlSeconds: DECISION_TTL_SECONDS,
      trace,
    };
  });
}

function none(
  placement: string,
  size: { width: number; height: number } | null,
  context: DecisionContext,
  trace: DecisionTrace,
): PlacementOutcome {
  return {
    placement,
    offer: null,
    content: null,
    size,
    reason: noOfferReason(context.locale),
    ttlSeconds: DECISION_TTL_SECONDS,
    trace,
  };
}

export function contentOf(offer: Offer, locale: DecisionContext['locale']): OfferContent {
  const variant = offer.content[locale];
  return {
    offerId: offer.id,
    product: offer.product,
    locale,
    headline: variant.headline,
    body: variant.body,
    cta: { label: variant.ctaLabel, url: variant.ctaUrl },
    image: variant.image ? { url: variant.image.url, alt: variant.image.alt } : null,
  };
}
