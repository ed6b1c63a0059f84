import type { JourneyStage, Offer, OfferContent, DecisionContext as RequestContext } from '../contract/index.js';

/** Where the decision is shown: the channel, the page and the customer's language. */
export type DecisionContext = Pick<RequestContext, 'channel' | 'page' | 'locale'>;

import { type BankScore, type Score, scoreOffer } from './arbitration.js';
import type { CompiledCatalog } from './catalog.js';
import type { ClusterAssignment, TracedCluster } from './cluster-assignment.js';
import { checkEligibility, type Exclusion, weeklyContactCount } from './eligibility.js';
import { type JourneyDecay, journeysAt } from './journey.js';
import { type LearnedDraw, type LearnedEvidence, learnedRate, offerPrior, seededRandom } from './learning.js';
import type { CustomerProfile } from './profile.js';
import { customerReason, noOfferReason } from './reason.js';
import { type FiredTrigger, fireTriggers, type SupersededTrigger } from './triggers.js';

/** How long the SDK may reuse a decision; short enough that journeys and caps stay fresh. */
export const DECISION_TTL_SECONDS = 300;

export interface CandidateTrace {
  readonly offerId: string;
  readonly product: string | null;
  readonly excludedBy?: Exclusion;
  /** Set for an eligible offer that another placement on the same page already shows. */
  readonly shownElsewhere?: string;
  readonly score?: Score;
  /** The in-app trigger that names this offer and fired. */
  readonly trigger?: string;
}

export interface DecisionTrace {
  readonly placement: string;
  readonly catalogVersion: string;
  readonly at: string;
  readonly context: DecisionContext;
  /** Each journey's stage as the decision saw it: faded for the silence since its last touchpoint. */
  readonly stages: Readonly<Record<string, JourneyStage>>;
  /** Journeys that faded since their last touchpoint: from which stage to which (null: faded away). */
  readonly decayed?: readonly JourneyDecay[];
  /** In-app triggers that fired, and those a later step of the same product replaced. */
  readonly triggers?: { readonly fired: readonly FiredTrigger[]; readonly superseded: readonly SupersededTrigger[] };
  /** The trigger that made the winner win. */
  readonly trigger?: string;
  readonly productsHeld: readonly string[];
  readonly candidates: readonly CandidateTrace[];
  readonly winner: string | null;
  /** The contact-policy state the decision saw. */
  readonly contactPolicy: { readonly weeklyContacts: number; readonly weeklyCap: number };
  /** The seed the learned propensities were drawn with: the same inputs and seed give the same decision. */
  readonly seed?: number;
  /** The customer's behavioural cluster and the model that assigned it; null when none was assigned. */
  readonly cluster: TracedCluster | null;
  /** Why the customer has this cluster, or none. */
  readonly clusterReason: string;
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
  /** Evidence per cluster × offer (an in-memory snapshot of what ingest learnt); absent: every offer at its prior. */
  readonly learned?: LearnedEvidence;
  /** The bank's own model's scores of this customer, by offer id: used instead of the learned propensity. */
  readonly bankScores?: ReadonlyMap<string, BankScore>;
  /**
   * Seeds Thompson sampling: each offer's learned propensity is a draw from its posterior, so offers with little
   * evidence get explored. Without a seed the posterior mean is used (no exploration), as for a preview.
   */
  readonly seed?: number;
  /** The cluster assigned from the active model, with its reason; it takes the place of `cluster` when given. */
  readonly clusterAssignment?: ClusterAssignment;
}

/**
 * Picks the next best offer for each placement on a page. Pure: the same input gives the same decisions.
 * Placements are decided in the order asked, and one offer is shown at most once per page.
 */
export function decide(input: DecideInput): PlacementOutcome[] {
  const { catalog, context, now } = input;
  const assignment = input.clusterAssignment;
  const cluster = assignment ? (assignment.cluster?.id ?? null) : (input.cluster ?? null);
  const clusterReason =
    assignment?.reason ?? (cluster ? `${cluster}, given without a model version` : 'no cluster assigned');
  const shown = new Map<string, string>();
  // Journeys fade at decision time; the stored profile keeps each journey as its last touchpoint left it.
  const { journeys, decayed } = journeysAt(input.profile.journeys, catalog.journeyOf, now);
  const profile: CustomerProfile = { ...input.profile, journeys };
  const triggers = fireTriggers(catalog.triggers, input.profile.journeys, now);
  const triggerOf = new Map(triggers.fired.map((trigger) => [trigger.offer, trigger.id]));
  const stages = Object.fromEntries(Object.entries(profile.journeys).map(([product, state]) => [product, state.stage]));
  const pageProduct = catalog.productOfPage(context.page);
  const policy = catalog.source.contactPolicy;
  const weeklyContacts = weeklyContactCount(profile, catalog.offers, now);
  let creditShownOn: string | undefined;
  const random = input.seed === undefined ? undefined : seededRandom(input.seed);
  const learned = input.learned ?? new Map();
  const learningPolicy = catalog.source.learning;
  // One draw per offer and page, in the order offers are first met, so placements agree and a seed replays.
  const draws = new Map<string, LearnedDraw>();
  const estimateFor = (offer: Offer) => {
    const bankModel = input.bankScores?.get(offer.id);
    if (bankModel) return { source: 'bank-model' as const, bankModel };
    let draw = draws.get(offer.id);
    if (!draw) {
      draw = learnedRate(offer, cluster, learned, learningPolicy, now, random);
      draws.set(offer.id, draw);
    }
    return { source: 'learned' as const, learned: draw, offerPrior: offerPrior(offer) };
  };

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
      ...(decayed.length > 0 ? { decayed } : {}),
      ...(triggers.fired.length + triggers.superseded.length > 0 ? { triggers } : {}),
      ...(input.seed === undefined ? {} : { seed: input.seed }),
      cluster: assignment?.cluster ?? null,
      clusterReason,
    };
    if (!placement?.channels.includes(context.channel)) {
      const note = placement ? `placement is not served in the ${context.channel}` : 'unknown placement';
      return none(placementId, placement?.size ?? null, context, { ...baseTrace, candidates: [], winner: null, note });
    }

    const candidates: CandidateTrace[] = [];
    let best: { offer: Offer; score: Score; trigger: string | undefined } | null = null;
    for (const offer of catalog.offersByPlacement.get(placementId) ?? []) {
      const excludedBy =
        checkEligibility({ offer, profile, channel: context.channel, now, policy, weeklyContacts, cluster }) ??
        (offer.triggeredOnly && !triggerOf.has(offer.id)
          ? { rule: 'trigger-only', detail: 'shown only when a trigger names it; none has fired' }
          : null) ??
        (offer.credit && creditShownOn
          ? { rule: 'one-credit-offer', detail: `a credit offer is already shown on ${creditShownOn}` }
          : null);
      if (excludedBy) {
        candidates.push({ offerId: offer.id, product: offer.product, excludedBy });
        continue;
      }
      const score = scoreOffer(offer, profile, pageProduct, now, estimateFor(offer));
      const trigger = triggerOf.get(offer.id);
      const fired = trigger ? { trigger } : {};
      const elsewhere = shown.get(offer.id);
      if (elsewhere) {
        candidates.push({ offerId: offer.id, product: offer.product, score, shownElsewhere: elsewhere, ...fired });
        continue;
      }
      candidates.push({ offerId: offer.id, product: offer.product, score, ...fired });
      // An offer a trigger fired for wins over any other; among equals, the higher priority, then the lower id.
      const sameFooting = (trigger !== undefined) === (best?.trigger !== undefined);
      if (
        !best ||
        (trigger !== undefined && best.trigger === undefined) ||
        (sameFooting &&
          (score.priority > best.score.priority ||
            (score.priority === best.score.priority && offer.id < best.offer.id)))
      ) {
        best = { offer, score, trigger };
      }
    }

    const trace: DecisionTrace = {
      ...baseTrace,
      candidates,
      winner: best?.offer.id ?? null,
      ...(best?.trigger ? { trigger: best.trigger } : {}),
    };
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
