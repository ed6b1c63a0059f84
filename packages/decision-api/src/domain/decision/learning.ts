import type { LearningPolicy, Offer } from '../../contract/index.js';
import { HOUSE_PROPENSITY, STAGE_PROPENSITY } from './arbitration.js';

/**
 * Learned propensity: per behavioural cluster × offer, counts of impressions and conversions that fade with
 * `halfLifeDays`, the offer's journey-stage prior, and the Beta draws Thompson sampling takes. The posteriors, pooled
 * across clusters, are made from these in learned-model.ts; arbitration ranks offers by a draw from each, so an offer
 * with little evidence is sometimes shown and learnt about, and a proven one wins most of the time.
 */

/** The statistics key of customers without a cluster (anonymous visitors, or no cluster model yet). */
export const POOLED_CLUSTER = '*';

export type EvidenceKind = 'impression' | 'click' | 'conversion';

/** Counts of one cluster × offer, each faded to `at` (so they are fractions once time has passed). */
export interface OfferEvidence {
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly at: string;
}

/** What arbitration reads: every cluster × offer with evidence, keyed by `evidenceKey`. */
export type LearnedEvidence = ReadonlyMap<string, OfferEvidence>;

export const evidenceKey = (cluster: string | null, offerId: string): string =>
  `${cluster ?? POOLED_CLUSTER}\u0000${offerId}`;

const DAY_MS = 86_400_000;
const NO_EVIDENCE: OfferEvidence = { impressions: 0, clicks: 0, conversions: 0, at: new Date(0).toISOString() };

/** The counts as they stand at `at`: each has halved every `halfLifeDays` since they were last updated. */
export function fadeEvidence(evidence: OfferEvidence, at: Date, halfLifeDays: number): OfferEvidence {
  const days = (at.getTime() - Date.parse(evidence.at)) / DAY_MS;
  // Evidence stamped later than `at` (a clock behind another process's) is taken as it is.
  if (!(days > 0)) return evidence;
  const keep = 0.5 ** (days / halfLifeDays);
  return {
    impressions: evidence.impressions * keep,
    clicks: evidence.clicks * keep,
    conversions: evidence.conversions * keep,
    at: at.toISOString(),
  };
}

/** Adds one impression, click or conversion seen at `at` to faded counts. */
export function addEvidence(
  evidence: OfferEvidence | undefined,
  kind: EvidenceKind,
  at: Date,
  halfLifeDays: number,
): OfferEvidence {
  const faded = fadeEvidence(evidence ?? { ...NO_EVIDENCE, at: at.toISOString() }, at, halfLifeDays);
  return {
    impressions: faded.impressions + (kind === 'impression' ? 1 : 0),
    clicks: faded.clicks + (kind === 'click' ? 1 : 0),
    conversions: faded.conversions + (kind === 'conversion' ? 1 : 0),
    at: faded.at,
  };
}

/**
 * The offer's prior propensity: the stage prior averaged over the stages it is shown in (all stages when it names
 * none), or the house prior for a house offer. It is what arbitration used before any learning.
 */
export function offerPrior(offer: Offer): number {
  if (offer.product === null) return HOUSE_PROPENSITY;
  let prior = priors.get(offer);
  if (prior === undefined) {
    const stages =
      offer.stages.length > 0 ? offer.stages : (Object.keys(STAGE_PROPENSITY) as Array<keyof typeof STAGE_PROPENSITY>);
    prior = stages.reduce((sum, stage) => sum + STAGE_PROPENSITY[stage], 0) / stages.length;
    priors.set(offer, prior);
  }
  return prior;
}

/** Each offer's prior, worked out once per offer of a catalog: decisions ask for it for every eligible offer. */
const priors = new WeakMap<Offer, number>();

/**
 * A seeded pseudo-random source (mulberry32): the same seed gives the same draws on every runtime, so a decision
 * taken with a seed can be taken again.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function standardNormal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A Gamma(shape, 1) draw (Marsaglia and Tsang; shape below 1 boosted by U^(1/shape)). */
export function sampleGamma(shape: number, random: () => number): number {
  if (!(shape > 0)) throw new RangeError(`[touchpoint] gamma shape must be > 0, got ${shape}`);
  if (shape < 1) return sampleGamma(shape + 1, random) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  while (true) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (squeezed(u, x) || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * The squeeze of Marsaglia and Tsang, u < 1 − 0.0331·x⁴, decided as `x ** 4` decides it. x⁴ as two products is off
 * from `x ** 4` by a few units in the last place; outside a margin a million times wider the products decide alike, at
 * a fraction of the cost of the power, which was most of a draw's time. Only within it is the power taken, so every
 * draw is the one the same seed always gave.
 */
function squeezed(u: number, x: number): boolean {
  const x2 = x * x;
  const x4 = x2 * x2;
  const bound = 1 - 0.0331 * x4;
  const margin = 1e-9 * (1 + x4);
  if (u < bound - margin) return true;
  if (u > bound + margin) return false;
  return u < 1 - 0.0331 * x ** 4;
}

/** A Beta(α, β) draw, from two Gamma draws. */
export function sampleBeta(alpha: number, beta: number, random: () => number): number {
  const x = sampleGamma(alpha, random);
  const y = sampleGamma(beta, random);
  return x + y > 0 ? x / (x + y) : alpha / (alpha + beta);
}

/** What the trace shows of a learned propensity. */
export interface LearnedDraw {
  /** The statistics' cluster key: the customer's cluster, or '*' pooled. */
  readonly cluster: string;
  readonly alpha: number;
  readonly beta: number;
  readonly mean: number;
  /** The Thompson draw from the posterior; the mean when the decision does not explore (no seed). */
  readonly sampled: number;
  /** Faded impressions behind the posterior. */
  readonly impressions: number;
}

/**
 * One cluster × offer's statistics as staff see them: counts faded to the model's moment, the stage prior, the pooled
 * prior the cluster's counts were added to, and the posterior decisions use.
 */
export function describeEvidence(
  offer: Offer,
  posterior: PooledPosteriorView,
  evidence: OfferEvidence,
  policy: LearningPolicy,
  at: Date,
) {
  const faded = fadeEvidence(evidence, at, policy.halfLifeDays);
  return {
    impressions: faded.impressions,
    clicks: faded.clicks,
    conversions: faded.conversions,
    prior: offerPrior(offer),
    pooledMean: posterior.pooled.mean,
    pooledStrength: posterior.pooled.strength,
    alpha: posterior.alpha,
    beta: posterior.beta,
    mean: posterior.mean,
    updatedAt: evidence.at,
  };
}

/** What describeEvidence reads of a pooled posterior (learned-model.ts). */
interface PooledPosteriorView {
  readonly alpha: number;
  readonly beta: number;
  readonly mean: number;
  readonly pooled: { readonly mean: number; readonly strength: number };
}
