import type { LearningPolicy, Offer } from '../../contract/index.js';
import {
  fadeEvidence,
  type LearnedEvidence,
  type OfferEvidence,
  offerPrior,
  POOLED_CLUSTER,
  sampleBeta,
  seededRandom,
} from './learning.js';

/**
 * What arbitration reads of learning: a snapshot of the evidence, faded to one moment, with partially pooled
 * posteriors per cluster × offer and the draws Thompson sampling takes from them.
 *
 * - **Partial pooling.** Each cluster's conversion rate for an offer has as its prior the offer's rate across the
 *   other clusters: Beta(μ·κ, (1 − μ)·κ), an empirical-Bayes fit per offer. μ is the other clusters' conversions over
 *   their impressions, with the offer's journey-stage prior worth `priorStrength` impressions added (a weak hyper-prior:
 *   it decides for an offer nobody has seen, and fades as evidence comes in). κ, how many impressions the pooled rate is
 *   worth to one cluster, maximises on a grid the beta-binomial likelihood of each cluster's counts under the prior the
 *   others give it, under a log-normal hyper-prior centred on `priorStrength` (a factor of ten either way is one
 *   standard deviation): clusters that agree lend each other much, clusters that differ little. A sparse cell or a new
 *   cluster so starts where the others are.
 * - **Forgetting.** Counts fade with `halfLifeDays` before any of this, so a change is followed as the old evidence
 *   loses weight, and an offer left unshown drifts back to the pooled prior and is explored again.
 * - **Draws.** Per cluster × offer, `DRAWS` draws from its posterior, seeded by the snapshot's version, the cluster
 *   and the offer, made once per snapshot when a decision first needs them. A decision's Thompson draw is row r of
 *   these (r from the decision's seed), the same row for every offer, so the probability of each choice is the share
 *   of rows in which it wins — exact for the policy as it runs (choice-probability.ts).
 *
 * Pure: the same evidence, moment and version give the same posteriors and draws, whatever was asked before.
 */
export interface LearnedModel {
  /** The snapshot's version: it seeds the draws, and the trace names it so a decision can be replayed. */
  readonly version: number;
  /** The moment the counts are faded to. */
  readonly at: Date;
  readonly evidence: LearnedEvidence;
  /** The posterior of an offer's conversion rate in a cluster ('*' for none). */
  posterior(offer: Offer, cluster: string | null, policy: LearningPolicy): PooledPosterior;
  /** The posterior's draws, one per row. */
  draws(offer: Offer, cluster: string | null, policy: LearningPolicy): Float64Array;
  /** Both in one look-up, the draws only when asked for (the hot path). */
  cell(offer: Offer, cluster: string | null, policy: LearningPolicy, withDraws: boolean): LearnedCell;
}

export interface LearnedCell {
  readonly posterior: PooledPosterior;
  readonly draws?: Float64Array | undefined;
}

export interface PooledPosterior {
  /** The statistics' cluster key: the customer's cluster, or '*' pooled. */
  readonly cluster: string;
  readonly alpha: number;
  readonly beta: number;
  readonly mean: number;
  /** Faded impressions of this cluster × offer. */
  readonly impressions: number;
  /** The prior the cluster's counts were added to: the other clusters' pooled rate and what it is worth. */
  readonly pooled: { readonly mean: number; readonly strength: number };
}

/** Draws per cluster × offer and snapshot: the resolution of the recorded choice probabilities (1/256). */
export const DRAWS = 256;
/** κ's grid: impressions the pooled rate is worth to one cluster, from 1 to 5,000, geometric. */
const STRENGTHS = Array.from({ length: 25 }, (_, i) => 10 ** (i * (Math.log10(5_000) / 24)));
/** The hyper-prior's spread on ln κ: one standard deviation is a factor of ten. */
const LOG_STRENGTH_SD = Math.LN10;

interface CellCounts {
  readonly cluster: string;
  readonly impressions: number;
  readonly conversions: number;
}

interface OfferFit {
  readonly prior: number;
  readonly policy: LearningPolicy;
  readonly cells: ReadonlyMap<string, CellCounts>;
  readonly impressions: number;
  readonly conversions: number;
  readonly strength: number;
}

interface Cell extends LearnedCell {
  readonly fit: OfferFit;
  /** The offer object it was made for: the same object has the same prior, without working it out again. */
  readonly offer: Offer;
  draws?: Float64Array;
}

/** The model of a snapshot. `version` should change whenever the evidence does. */
export function learnedModel(evidence: LearnedEvidence, at: Date, version: number): LearnedModel {
  let byOffer: Map<string, Array<{ cluster: string; evidence: OfferEvidence }>> | undefined;
  const fits = new Map<string, OfferFit>();
  // Offer → cluster → cell: nested maps, so the hot path builds no key strings.
  const cells = new Map<string, Map<string, Cell>>();

  const evidenceOf = (offerId: string) => {
    if (!byOffer) {
      byOffer = new Map();
      for (const [key, counts] of evidence) {
        const split = key.indexOf('\u0000');
        const id = key.slice(split + 1);
        const list = byOffer.get(id) ?? [];
        list.push({ cluster: key.slice(0, split), evidence: counts });
        byOffer.set(id, list);
      }
    }
    return byOffer.get(offerId) ?? [];
  };

  const fitOf = (offer: Offer, policy: LearningPolicy): OfferFit => {
    const prior = offerPrior(offer);
    const known = fits.get(offer.id);
    if (known && known.prior === prior && known.policy === policy) return known;
    const counts = new Map<string, CellCounts>();
    let impressions = 0;
    let conversions = 0;
    for (const { cluster, evidence: stored } of evidenceOf(offer.id)) {
      const faded = fadeEvidence(stored, at, policy.halfLifeDays);
      const n = Math.max(0, faded.impressions);
      const y = Math.min(n, Math.max(0, faded.conversions));
      counts.set(cluster, { cluster, impressions: n, conversions: y });
      impressions += n;
      conversions += y;
    }
    const fit: OfferFit = {
      prior,
      policy,
      cells: counts,
      impressions,
      conversions,
      strength: fitStrength([...counts.values()], { impressions, conversions, prior }, policy),
    };
    fits.set(offer.id, fit);
    return fit;
  };

  const cellOf = (offer: Offer, cluster: string | null, policy: LearningPolicy): Cell => {
    const key = cluster ?? POOLED_CLUSTER;
    let byCluster = cells.get(offer.id);
    const known = byCluster?.get(key);
    // The hot path: the same offer object under the same policy as last time.
    if (known && known.offer === offer && known.fit.policy === policy) return known;
    const fit = fitOf(offer, policy);
    if (known?.fit === fit) return known;
    if (!byCluster) {
      byCluster = new Map();
      cells.set(offer.id, byCluster);
    }
    const cell: Cell = { fit, offer, posterior: posteriorIn(fit, key, policy) };
    byCluster.set(key, cell);
    return cell;
  };
  const drawsOf = (offer: Offer, cell: Cell): Float64Array => {
    if (!cell.draws) {
      const { alpha, beta, cluster: key } = cell.posterior;
      const random = seededRandom(hashSeed(version, `${key}\u0000${offer.id}`));
      const draws = new Float64Array(DRAWS);
      for (let i = 0; i < DRAWS; i++) draws[i] = sampleBeta(alpha, beta, random);
      cell.draws = draws;
    }
    return cell.draws;
  };

  return {
    version,
    at,
    evidence,
    posterior: (offer, cluster, policy) => cellOf(offer, cluster, policy).posterior,
    draws: (offer, cluster, policy) => drawsOf(offer, cellOf(offer, cluster, policy)),
    cell: (offer, cluster, policy, withDraws) => {
      const cell = cellOf(offer, cluster, policy);
      if (withDraws) drawsOf(offer, cell);
      return cell;
    },
  };
}

/** The model of no evidence: every offer at its stage prior, pooled. */
export const EMPTY_LEARNED_MODEL: LearnedModel = learnedModel(new Map(), new Date(0), 0);

/** The pooled rate: conversions over impressions, the stage prior worth `priorStrength` impressions added. */
function pooledMean(prior: number, policy: LearningPolicy, impressions: number, conversions: number): number {
  return (conversions + prior * policy.priorStrength) / (impressions + policy.priorStrength);
}

function posteriorIn(fit: OfferFit, cluster: string, policy: LearningPolicy): PooledPosterior {
  const own = fit.cells.get(cluster);
  const n = own?.impressions ?? 0;
  const y = own?.conversions ?? 0;
  // The others' rate, not the cluster's own counts twice: leave the cluster out of its prior.
  const mean = pooledMean(fit.prior, policy, fit.impressions - n, fit.conversions - y);
  const strength = fit.strength;
  const alpha = mean * strength + y;
  const beta = (1 - mean) * strength + (n - y);
  return { cluster, alpha, beta, mean: alpha / (alpha + beta), impressions: n, pooled: { mean, strength } };
}

/**
 * κ maximising the beta-binomial log likelihood of each cluster's counts under the prior it gets (the other
 * clusters' pooled rate, as in posteriorIn) plus the log-normal hyper-prior, on the grid: the κ with which the other
 * clusters best predict each one. With no evidence the hyper-prior alone decides: `priorStrength`, where learning has
 * always started.
 */
function fitStrength(
  cells: readonly CellCounts[],
  totals: { readonly impressions: number; readonly conversions: number; readonly prior: number },
  policy: LearningPolicy,
): number {
  if (cells.length === 0) return policy.priorStrength;
  const centre = Math.log(policy.priorStrength);
  const means = cells.map((cell) =>
    pooledMean(totals.prior, policy, totals.impressions - cell.impressions, totals.conversions - cell.conversions),
  );
  let best = policy.priorStrength;
  let bestScore = Number.NEGATIVE_INFINITY;
  // priorStrength itself is on the grid: where the counts say nothing about κ (one impression each), it stays.
  for (const strength of [policy.priorStrength, ...STRENGTHS]) {
    let score = -((Math.log(strength) - centre) ** 2) / (2 * LOG_STRENGTH_SD ** 2);
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] as CellCounts;
      const a = (means[i] as number) * strength;
      const b = strength - a;
      score += logBeta(a + cell.conversions, b + cell.impressions - cell.conversions) - logBeta(a, b);
    }
    if (score > bestScore) {
      bestScore = score;
      best = strength;
    }
  }
  return best;
}

const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905,
  -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < 9; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** A 32-bit seed from the snapshot's version and a cell's key (FNV-1a). */
function hashSeed(version: number, key: string): number {
  let hash = (0x811c9dc5 ^ version) >>> 0;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
