import { describe, expect, it } from 'vitest';
import { DEFAULT_LEARNING_POLICY, type Offer } from '../../../src/contract/index.js';
import { compileCatalog } from '../../../src/domain/decision/catalog.js';
import { decide } from '../../../src/domain/decision/decide.js';
import { learnedModel } from '../../../src/domain/decision/learned-model.js';
import {
  addEvidence,
  evidenceKey,
  fadeEvidence,
  type OfferEvidence,
  offerPrior,
  sampleBeta,
  seededRandom,
} from '../../../src/domain/decision/learning.js';
import { EMPTY_PROFILE } from '../../../src/domain/journeys/profile.js';
import { demoCatalog } from '../../support/harness.js';

const catalog = compileCatalog(demoCatalog);
const offer = (id: string) => catalog.offers.get(id) as Offer;
const NOW = new Date('2026-11-22T12:00:00Z');
const DAY = 86_400_000;
const policy = { halfLifeDays: 30, priorStrength: 50 };
const evidence = (impressions: number, conversions: number, at = NOW): OfferEvidence => ({
  impressions,
  clicks: conversions,
  conversions,
  at: at.toISOString(),
});

describe('the learned propensity of an offer', () => {
  it('starts at the offer’s journey-stage prior, worth priorStrength impressions', () => {
    expect(offerPrior(offer('car-loan-price'))).toBeCloseTo((0.04 + 0.08) / 2, 12);
    expect(offerPrior(offer('car-loan-quote'))).toBe(0.16);
    expect(offerPrior(offer('house-savings-goal'))).toBe(0.01);
    const empty = learnedModel(new Map(), NOW, 1).posterior(offer('car-loan-quote'), 'cluster-1', policy);
    expect(empty).toMatchObject({ alpha: 8, beta: 42, mean: 0.16, impressions: 0 });
  });

  it('counts conversions as successes and the other impressions as failures', () => {
    // One cluster only: its prior is the stage prior (no other cluster to pool), worth κ impressions as fitted.
    const model = learnedModel(new Map([[evidenceKey('cluster-1', 'car-loan-quote'), evidence(100, 30)]]), NOW, 1);
    const { alpha, beta, mean, pooled } = model.posterior(offer('car-loan-quote'), 'cluster-1', policy);
    expect(pooled.mean).toBe(0.16);
    expect(alpha).toBeCloseTo(0.16 * pooled.strength + 30, 12);
    expect(beta).toBeCloseTo(0.84 * pooled.strength + 70, 12);
    expect(mean).toBeCloseTo(alpha / (alpha + beta), 12);
  });

  it('lets old evidence fade: after one half-life it counts half, and new evidence adds to what is left', () => {
    const old = evidence(40, 8, new Date(NOW.getTime() - 30 * DAY));
    expect(fadeEvidence(old, NOW, 30)).toEqual({ ...evidence(20, 4), clicks: 4 });
    const added = addEvidence(old, 'conversion', NOW, 30);
    expect(added).toMatchObject({ impressions: 20, conversions: 5, at: NOW.toISOString() });
    expect(addEvidence(undefined, 'impression', NOW, 30)).toEqual({ ...evidence(1, 0), clicks: 0 });
    // Evidence stamped after `at` is not faded backwards.
    expect(fadeEvidence(evidence(3, 1, NOW), new Date(NOW.getTime() - DAY), 30)).toEqual(evidence(3, 1, NOW));
  });

  it('Thompson draws have the posterior’s mean and spread, and repeat for a seed', () => {
    for (const [alpha, beta] of [
      [2, 8],
      [38, 112],
      [0.5, 0.5],
    ] as const) {
      const random = seededRandom(42);
      const draws = Array.from({ length: 20_000 }, () => sampleBeta(alpha, beta, random));
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
      const n = alpha + beta;
      expect(mean).toBeCloseTo(alpha / n, 2);
      expect(variance).toBeCloseTo((alpha * beta) / (n * n * (n + 1)), 2);
      expect(draws.every((d) => d >= 0 && d <= 1)).toBe(true);
    }
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect(Array.from({ length: 5 }, () => sampleBeta(3, 9, a))).toEqual(
      Array.from({ length: 5 }, () => sampleBeta(3, 9, b)),
    );
  });

  it('draws, for a seed, what that seed has always drawn, so a stored decision replays', () => {
    const random = seededRandom(2026);
    const draws = (alpha: number, beta: number) => Array.from({ length: 3 }, () => sampleBeta(alpha, beta, random));
    expect(draws(0.4, 49.6)).toEqual([0.0012713139788337832, 0.012616545602088927, 0.000023338609796961904]);
    expect(draws(3, 9)).toEqual([0.236907049225368, 0.13069015904975773, 0.44683988989541606]);
    expect(draws(8, 42)).toEqual([0.2297334011604509, 0.2293301830406783, 0.18063593737089392]);
    expect(draws(0.8, 1.2)).toEqual([0.15976730332343267, 0.3499295839026008, 0.9550837664250547]);
    expect(draws(120, 880)).toEqual([0.1135029858478547, 0.11816139517127279, 0.12467329929162242]);
  });

  it('reads the customer’s cluster, or the pooled statistics when the cluster is unknown', () => {
    const model = learnedModel(
      new Map([
        [evidenceKey('cluster-2', 'car-loan-quote'), evidence(200, 60)],
        [evidenceKey(null, 'car-loan-quote'), evidence(200, 2)],
      ]),
      NOW,
      1,
    );
    const inCluster = model.posterior(offer('car-loan-quote'), 'cluster-2', policy);
    const pooled = model.posterior(offer('car-loan-quote'), null, policy);
    expect(inCluster).toMatchObject({ cluster: 'cluster-2', impressions: 200 });
    expect(pooled).toMatchObject({ cluster: '*', impressions: 200 });
    expect(inCluster.mean).toBeGreaterThan(0.2);
    expect(pooled.mean).toBeLessThan(0.05);
    // A cluster with no evidence borrows the others' rate: between the two.
    const unseen = model.posterior(offer('car-loan-quote'), 'cluster-9', policy);
    expect(unseen.mean).toBeCloseTo((60 + 2 + 0.16 * 50) / (400 + 50), 12);
  });
});

describe('arbitration with learned propensities', () => {
  const pricedCarLoan = (daysAgo: number) => ({
    ...EMPTY_PROFILE,
    journeys: {
      car_loan: { stage: 'compare' as const, lastAt: new Date(NOW.getTime() - daysAgo * DAY).toISOString() },
    },
  });
  const decideFor = (profile: typeof EMPTY_PROFILE, extra: Partial<Parameters<typeof decide>[0]> = {}) =>
    decide({
      catalog,
      profile,
      context: { channel: 'netbank', page: '/dashboard', locale: 'en' },
      placements: ['dashboard-hero'],
      now: NOW,
      ...extra,
    })[0];
  const scoreOf = (outcome: ReturnType<typeof decideFor>, offerId: string) =>
    outcome?.trace.candidates.find((c) => c.offerId === offerId)?.score;

  it('without evidence and without a seed, ranks exactly as the stage prior × recency did', () => {
    const score = scoreOf(decideFor(pricedCarLoan(14)), 'car-loan-quote');
    expect(score?.propensity).toBeCloseTo(0.16 * 0.5, 12);
    expect(score).toMatchObject({ source: 'learned', recency: 0.5, learned: { mean: 0.16, sampled: 0.16 } });
    expect(DEFAULT_LEARNING_POLICY).toEqual({ halfLifeDays: 10, priorStrength: 50 });
  });

  it('scales the cluster’s learned rate by the customer’s journey: a stale journey still fades', () => {
    const learned = learnedModel(new Map([[evidenceKey('cluster-1', 'car-loan-quote'), evidence(950, 380)]]), NOW, 1);
    const fresh = scoreOf(decideFor(pricedCarLoan(0), { learned, cluster: 'cluster-1' }), 'car-loan-quote');
    const stale = scoreOf(decideFor(pricedCarLoan(28), { learned, cluster: 'cluster-1' }), 'car-loan-quote');
    const rate = learned.posterior(offer('car-loan-quote'), 'cluster-1', policy).mean;
    expect(rate).toBeCloseTo(0.4, 1);
    expect(fresh?.propensity).toBeCloseTo(rate, 12);
    expect(stale?.propensity).toBeCloseTo(rate * 0.25, 12);
    expect(stale?.learned?.journeyMultiplier).toBeCloseTo(0.25, 12);
  });

  it('explores: with a seed the learned propensity is a draw from the posterior, recorded with the seed', () => {
    const outcome = decideFor(pricedCarLoan(0), { seed: 99 });
    const score = scoreOf(outcome, 'car-loan-quote');
    expect(outcome?.trace.seed).toBe(99);
    expect(score?.learned?.sampled).not.toBe(score?.learned?.mean);
    // The draw is the decision's row of the snapshot's draws for this cluster × offer.
    const { sampling } = outcome?.trace ?? {};
    expect(sampling).toMatchObject({ snapshot: 0 });
    const draws = learnedModel(new Map(), new Date(0), 0).draws(offer('car-loan-quote'), null, DEFAULT_LEARNING_POLICY);
    expect(score?.learned?.sampled).toBe(draws[sampling?.row as number]);
    expect(decideFor(pricedCarLoan(0), { seed: 99 })).toEqual(outcome);
  });

  it('uses the bank model’s score of the customer instead of the learned propensity', () => {
    const bankScores = new Map([['car-loan-quote', { score: 0.42, modelName: 'loans', modelVersion: '3' }]]);
    const score = scoreOf(decideFor(pricedCarLoan(28), { bankScores, seed: 1 }), 'car-loan-quote');
    expect(score).toMatchObject({ source: 'bank-model', propensity: 0.42, bankModel: { modelName: 'loans' } });
    expect(score?.learned).toBeUndefined();
  });
});
