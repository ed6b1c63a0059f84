import type { JourneyStage, Offer, OfferContent, DecisionContext as RequestContext } from '../../contract/index.js';

/** Where the decision is shown: the channel, the page and the customer's language. */
export type DecisionContext = Pick<RequestContext, 'channel' | 'page' | 'locale'>;

import { type BudgetStandings, budgetBoost, budgetHold } from '../budgets/index.js';
import type { ClusterAssignment, TracedCluster } from '../clustering/cluster-assignment.js';
import { isoTime } from '../iso-time.js';
import { type JourneyDecay, type JourneyState, journeysAt } from '../journeys/journey.js';
import type { CustomerProfile } from '../journeys/profile.js';
import {
  type BankScore,
  type JourneyPropensity,
  journeyPropensityOf,
  type PropensityEstimate,
  type Score,
  scoreOffer,
} from './arbitration.js';
import type { CompiledCatalog } from './catalog.js';
import { type Contenders, choiceProbabilities, NO_CONTENDERS, noContenders, rowsFor } from './choice-probability.js';
import {
  checkEligibility,
  type EligibilityInput,
  type Exclusion,
  rulesByOffer,
  weeklyContactCount,
} from './eligibility.js';
import { DRAWS, EMPTY_LEARNED_MODEL, type LearnedModel } from './learned-model.js';
import { offerPrior, seededRandom } from './learning.js';
import { customerReason, noOfferReason } from './reason.js';
import { type FiredTrigger, fireTriggers, type SupersededTrigger } from './triggers.js';

/** How long the SDK may reuse a decision; short enough that journeys and caps stay fresh. */
export const DECISION_TTL_SECONDS = 300;

export interface CandidateTrace {
  readonly offerId: string;
  readonly product: string | null;
  readonly excludedBy?: Exclusion & { readonly budget?: string };
  /** The lever boost of a budget behind its minimum: the factor the priority was multiplied by. */
  readonly budgetBoost?: { readonly budget: string; readonly factor: number; readonly behind: number };
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
  /**
   * With a seed: the learned snapshot's version, and the row of its draws this decision took of the rows it drew from
   * (learned-model.ts). The same inputs, snapshot and seed give the same decision.
   */
  readonly sampling?: { readonly snapshot: number; readonly row: number; readonly rows: number };
  /** The customer's behavioural cluster and the model that assigned it; null when none was assigned. */
  readonly cluster: TracedCluster | null;
  /** Why the customer has this cluster, or none. */
  readonly clusterReason: string;
  readonly note?: string;
  /** The experiment and arm the decision ran under, when the customer is in one. */
  readonly experiment?: { readonly id: string; readonly arm: string; readonly note: string };
  /** Set when the customer is in the global holdout and so saw generic content. */
  readonly holdout?: boolean;
  /**
   * The probability with which this placement would get this offer (or, with `winner` null, no offer) again, given
   * the same profile, context and learned snapshot: the share of the draws in which it wins when the decision explores
   * (exact for the policy as it runs, see choice-probability.ts), 1 when it does not. For off-policy evaluation.
   */
  readonly propensity: number;
  /** The candidate ranked second, and the probability with which it would have been chosen; null when none was. */
  readonly runnerUp: { readonly offerId: string; readonly propensity: number } | null;
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
  /** What ingest learnt, as a snapshot's model (learned-model.ts); absent: every offer at its stage prior. */
  readonly learned?: LearnedModel;
  /** The bank's own model's scores of this customer, by offer id: used instead of the learned propensity. */
  readonly bankScores?: ReadonlyMap<string, BankScore>;
  /**
   * Seeds Thompson sampling: each offer's learned propensity is a draw from its posterior, so offers with little
   * evidence get explored. Without a seed the posterior mean is used (no exploration), as for a preview.
   */
  readonly seed?: number;
  /** The cluster assigned from the active model, with its reason; it takes the place of `cluster` when given. */
  readonly clusterAssignment?: ClusterAssignment;
  /** Where each budget stands now; absent: no budget holds anything back. */
  readonly budgets?: BudgetStandings;
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
  // Journeys fade at decision time; the stored profile keeps each journey as its last touchpoint left it. The faded
  // journeys go along with the profile (to eligibility and scoring) rather than into a copy of it.
  const { profile } = input;
  const { journeys, decayed } = journeysAt(profile.journeys, catalog.journeyOf, now);
  const triggers = fireTriggers(catalog.triggers, profile.journeys, now);
  const triggerOf = new Map(triggers.fired.map((trigger) => [trigger.offer, trigger.id]));
  const stages: Record<string, JourneyStage> = {};
  for (const product of Object.keys(journeys)) stages[product] = (journeys[product] as JourneyState).stage;
  const pageProduct = catalog.productOfPage(context.page);
  const policy = catalog.source.contactPolicy;
  const weeklyContacts = weeklyContactCount(profile, catalog.offers, now);
  let creditShownOn: string | undefined;
  const learned = input.learned ?? EMPTY_LEARNED_MODEL;
  const learningPolicy = catalog.source.learning;
  // A decision that explores takes one row of the snapshot's draws for every offer (see choice-probability.ts).
  const rows =
    input.seed === undefined
      ? 0
      : rowsFor(
          input.placements.reduce((sum, id) => sum + (catalog.offersByPlacement.get(id)?.length ?? 0), 0),
          DRAWS,
        );
  const row = rows === 0 ? -1 : Math.floor(seededRandom(input.seed as number)() * rows);
  // The journey's part of the propensity depends on the offer's product only.
  const journeyParts = new Map<string | null, JourneyPropensity>();
  const journeyPartOf = (offer: Offer): JourneyPropensity => {
    let part = journeyParts.get(offer.product);
    if (part === undefined) {
      part = journeyPropensityOf(offer, journeys, now);
      journeyParts.set(offer.product, part);
    }
    return part;
  };
  const estimateFor = (offer: Offer, verdict: Verdict): PropensityEstimate => {
    const bankModel = input.bankScores?.get(offer.id);
    if (bankModel) return { source: 'bank-model', bankModel };
    const cell = learned.cell(offer, cluster, learningPolicy, row >= 0);
    const { cluster: key, alpha, beta, mean, impressions } = cell.posterior;
    // The cell may hold draws from an exploring decision; one that does not explore uses the mean all the same.
    if (row >= 0) verdict.draws = cell.draws;
    const sampled = row >= 0 ? (cell.draws?.[row] as number) : mean;
    return {
      source: 'learned',
      learned: { cluster: key, alpha, beta, mean, sampled, impressions },
      offerPrior: offerPrior(offer),
    };
  };

  // Eligibility (all but the one-credit-offer rule) and the score depend on the offer, not the placement: each is
  // worked out once per offer and call, in the catalog's slot for the offer, so a page's later placements cost little
  // more than listing their candidates. One draw per offer and page, in the order offers are first met, so placements
  // agree and a seed replays.
  const verdicts = new Array<Verdict | undefined>(catalog.source.offers.length);
  // An experiment's arm changes an offer's content and lever, never what its rules read: the catalog's rules hold.
  const rulesOf = rulesByOffer(catalog.source.offers);
  // One input for every offer's check, the offer changed in it, rather than an object per offer.
  const eligibility: { offer: Offer } & Omit<EligibilityInput, 'offer'> = {
    offer: undefined as unknown as Offer,
    profile,
    journeys,
    channel: context.channel,
    now,
    policy,
    weeklyContacts,
    cluster,
  };
  const verdictOf = (offer: Offer, slot: number): Verdict => {
    let verdict = verdicts[slot];
    if (verdict === undefined) {
      eligibility.offer = offer;
      const excludedBy =
        checkEligibility(eligibility, rulesOf[slot]) ??
        (offer.triggeredOnly && !triggerOf.has(offer.id) ? TRIGGER_ONLY : null);
      verdict = { excluded: excludedBy ? { offerId: offer.id, product: offer.product, excludedBy } : undefined };
      verdicts[slot] = verdict;
    }
    return verdict;
  };
  const standings = input.budgets;
  const scopes = catalog.budgetScopes;
  // What earlier placements of this page took from each budget, so a page never spends past what is left.
  const pageSpend = new Map<string, number>();
  const shared: SharedTrace = {
    catalogVersion: catalog.version,
    at: isoTime(now),
    context,
    stages,
    productsHeld: profile.productsHeld,
    contactPolicy: { weeklyContacts, weeklyCap: policy.weeklyContactsPerCustomer },
    decayed: decayed.length > 0 ? decayed : undefined,
    triggers: triggers.fired.length + triggers.superseded.length > 0 ? triggers : undefined,
    seed: input.seed,
    sampling: rows === 0 ? undefined : { snapshot: learned.version, row, rows },
    cluster: assignment?.cluster ?? null,
    clusterReason,
  };

  // Per placement, the offers it could have chosen, and what it chose and ranked second: for the choice probabilities.
  const contenders: Contenders[] = [];
  const runnersUp: (string | null)[] = [];
  const outcomes = input.placements.map((placementId): PlacementOutcome => {
    const placement = catalog.placements.get(placementId);
    // Allocated for the first eligible offer only: most placements of a small catalog have none or one.
    let mine: Contenders = NO_CONTENDERS;
    const at = contenders.length;
    contenders.push(mine);
    runnersUp.push(null);
    if (!placement?.channels.includes(context.channel)) {
      const note = placement ? `placement is not served in the ${context.channel}` : 'unknown placement';
      const trace = placementTrace(placementId, shared, [], null, undefined, note);
      return none(placementId, placement?.size ?? null, context, trace);
    }

    const offers = catalog.offersByPlacement.get(placementId) ?? [];
    const slots = catalog.offerSlotsByPlacement.get(placementId) ?? [];
    const candidates: CandidateTrace[] = [];
    let best: Ranked | null = null;
    let second: Ranked | null = null;
    for (let i = 0; i < offers.length; i++) {
      const offer = offers[i] as Offer;
      const verdict = verdictOf(offer, slots[i] as number);
      if (verdict.excluded) {
        candidates.push(verdict.excluded);
        continue;
      }
      const budgets = standings && standings.size > 0 ? scopes.budgetsOf(offer, placementId, context.channel) : NONE;
      if (budgets.length > 0) {
        const hold = budgetHold(standings as BudgetStandings, budgets, pageSpend);
        if (hold) {
          candidates.push({ offerId: offer.id, product: offer.product, excludedBy: hold });
          continue;
        }
      }
      verdict.score ??= scoreOffer(offer, journeyPartOf(offer), pageProduct, estimateFor(offer, verdict));
      const boost = budgets.length > 0 ? budgetBoost(standings as BudgetStandings, budgets) : null;
      const trigger = triggerOf.get(offer.id);
      if (mine === NO_CONTENDERS) {
        mine = noContenders();
        contenders[at] = mine;
      }
      mine.ids.push(offer.id);
      mine.slots.push(slots[i] as number);
      mine.credit.push(offer.credit);
      mine.triggered.push(trigger !== undefined);
      const score = boost ? boosted(verdict.score, boost.factor) : verdict.score;
      mine.scores.push(score);
      mine.draws.push(verdict.score.learned ? verdict.draws : undefined);
      if (offer.credit && creditShownOn) {
        const detail = `a credit offer is already shown on ${creditShownOn}`;
        candidates.push({
          offerId: offer.id,
          product: offer.product,
          excludedBy: { rule: 'one-credit-offer', detail },
        });
        continue;
      }
      const elsewhere = shown.get(offer.id);
      if (elsewhere) {
        candidates.push(
          trigger === undefined
            ? { offerId: offer.id, product: offer.product, score, shownElsewhere: elsewhere }
            : { offerId: offer.id, product: offer.product, score, shownElsewhere: elsewhere, trigger },
        );
        continue;
      }
      const candidate: { -readonly [K in keyof CandidateTrace]: CandidateTrace[K] } = {
        offerId: offer.id,
        product: offer.product,
        score,
      };
      if (trigger !== undefined) candidate.trigger = trigger;
      if (boost) candidate.budgetBoost = boost;
      candidates.push(candidate);
      if (!best || ranksAbove(offer, score, trigger, best)) {
        second = best;
        best = { offer, score, trigger };
      } else if (!second || ranksAbove(offer, score, trigger, second)) {
        second = { offer, score, trigger };
      }
    }
    runnersUp[runnersUp.length - 1] = second?.offer.id ?? null;

    const trace = placementTrace(placementId, shared, candidates, best?.offer.id ?? null, best?.trigger, undefined);
    if (!best) return none(placementId, placement.size, context, trace);
    shown.set(best.offer.id, placementId);
    if (standings && standings.size > 0) {
      for (const budget of scopes.budgetsOf(best.offer, placementId, context.channel)) {
        if (budget.measure === 'served_decisions') pageSpend.set(budget.id, (pageSpend.get(budget.id) ?? 0) + 1);
      }
    }
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

  const probabilities = choiceProbabilities(
    contenders,
    outcomes.map((outcome) => outcome.offer?.id ?? null),
    runnersUp,
    rows,
    catalog.source.offers.length,
  );
  outcomes.forEach((outcome, p) => {
    const trace = outcome.trace as { -readonly [K in keyof DecisionTrace]: DecisionTrace[K] };
    const probability = probabilities[p] as (typeof probabilities)[number];
    trace.propensity = probability.propensity;
    trace.runnerUp = probability.runnerUp;
  });
  return outcomes;
}

interface Ranked {
  readonly offer: Offer;
  readonly score: Score;
  readonly trigger: string | undefined;
}

/** An offer a trigger fired for wins over any other; among equals, the higher priority, then the lower id. */
function ranksAbove(offer: Offer, score: Score, trigger: string | undefined, than: Ranked): boolean {
  if ((trigger !== undefined) !== (than.trigger !== undefined)) return trigger !== undefined;
  return score.priority > than.score.priority || (score.priority === than.score.priority && offer.id < than.offer.id);
}

/** An offer's eligibility in one call (the one-credit-offer rule aside), and its score once it is needed. */
interface Verdict {
  readonly excluded: CandidateTrace | undefined;
  score?: Score;
  /** The learned posterior's draws, when the decision explores. */
  draws?: Float64Array;
}

const NONE: readonly [] = [];

/** A score with the lever of a budget behind its minimum multiplied in: the trace shows the boosted lever. */
function boosted(score: Score, factor: number): Score {
  return { ...score, lever: score.lever * factor, priority: score.priority * factor };
}

const TRIGGER_ONLY: Exclusion = { rule: 'trigger-only', detail: 'shown only when a trigger names it; none has fired' };

/** What the traces of one call's placements have in common. */
type SharedTrace = Omit<
  DecisionTrace,
  'placement' | 'candidates' | 'winner' | 'trigger' | 'note' | 'propensity' | 'runnerUp'
>;

/**
 * One placement's trace, built key by key rather than spread together from the shared part: the spreads were the
 * costliest lines of a decision. The keys keep the order the trace has always shown.
 */
function placementTrace(
  placement: string,
  shared: SharedTrace,
  candidates: readonly CandidateTrace[],
  winner: string | null,
  trigger: string | undefined,
  note: string | undefined,
): DecisionTrace {
  const trace: { -readonly [K in keyof DecisionTrace]: DecisionTrace[K] } = {
    placement,
    catalogVersion: shared.catalogVersion,
    at: shared.at,
    context: shared.context,
    stages: shared.stages,
    productsHeld: shared.productsHeld,
    contactPolicy: shared.contactPolicy,
  } as DecisionTrace;
  if (shared.decayed) trace.decayed = shared.decayed;
  if (shared.triggers) trace.triggers = shared.triggers;
  if (shared.seed !== undefined) trace.seed = shared.seed;
  if (shared.sampling) trace.sampling = shared.sampling;
  trace.cluster = shared.cluster;
  trace.clusterReason = shared.clusterReason;
  trace.candidates = candidates;
  trace.winner = winner;
  if (trigger) trace.trigger = trigger;
  if (note !== undefined) trace.note = note;
  return trace;
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
