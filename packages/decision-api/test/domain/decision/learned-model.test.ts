import { describe, expect, it } from 'vitest';
import type { Offer } from '../../../src/contract/index.js';
import { compileCatalog } from '../../../src/domain/decision/catalog.js';
import { DRAWS, learnedModel, logBeta, logGamma } from '../../../src/domain/decision/learned-model.js';
import { evidenceKey, type OfferEvidence } from '../../../src/domain/decision/learning.js';
import { demoCatalog } from '../../support/harness.js';

const catalog = compileCatalog(demoCatalog);
const quote = catalog.offers.get('car-loan-quote') as Offer; // stage prior 0.16
const NOW = new Date('2026-11-22T12:00:00Z');
const DAY = 86_400_000;
const policy = { halfLifeDays: 30, priorStrength: 50 };
const counts = (impressions: number, conversions: number, at = NOW): OfferEvidence => ({
  impressions,
  clicks: conversions,
  conversions,
  at: at.toISOString(),
});
const modelOf = (cells: ReadonlyArray<readonly [string, number, number]>, at = NOW) =>
  learnedModel(new Map(cells.map(([cluster, n, y]) => [evidenceKey(cluster, quote.id), counts(n, y)])), at, 1);

describe('posteriors pooled across clusters', () => {
  it('ln Γ and ln B agree with scipy.special.gammaln and betaln', () => {
    // Reference values: scipy 1.10.1, scipy.special.gammaln(x) and betaln(a, b).
    const gamma: Array<[number, number]> = [
      [0.3, 1.0957979948180756],
      [1.5, -0.12078223763524526],
      [8, 8.525161361065415],
      [42, 114.03421178146169],
      [1234.5, 7550.550901077894],
    ];
    for (const [x, expected] of gamma) expect(logGamma(x)).toBeCloseTo(expected, 10);
    expect(logBeta(0.4, 49.6)).toBeCloseTo(-0.7624975744868067, 10);
    expect(logBeta(8, 42)).toBeCloseTo(-22.006370803817767, 10);
    expect(logBeta(388, 612)).toBeCloseTo(-669.6608353403153, 9);
  });

  it('fits how much clusters lend each other as scipy’s optimum of the same likelihood does, to a step of the grid', () => {
    // Reference: scipy.optimize.minimize_scalar (bounded, on ln κ) of minus the leave-one-out beta-binomial log
    // likelihood plus the log-normal hyper-prior (centre ln 50, sd ln 10), stage prior 0.16 worth 50 impressions.
    const differ = modelOf([
      ['c1', 400, 40],
      ['c2', 300, 33],
      ['c3', 50, 2],
      ['c4', 500, 10],
    ]);
    const agree = modelOf([
      ['c1', 400, 40],
      ['c2', 300, 30],
      ['c3', 350, 36],
      ['c4', 500, 49],
    ]);
    const step = 5_000 ** (1 / 24);
    const strengthOf = (model: ReturnType<typeof modelOf>) => model.posterior(quote, 'c1', policy).pooled.strength;
    expect(Math.abs(Math.log(strengthOf(differ) / 19.415656587322434))).toBeLessThanOrEqual(Math.log(step));
    expect(Math.abs(Math.log(strengthOf(agree) / 931.3748997036604))).toBeLessThanOrEqual(Math.log(step));
  });

  it('a sparse cluster borrows the others’ rate; a cluster with much evidence keeps its own', () => {
    const model = modelOf([
      ['c1', 800, 80],
      ['c2', 900, 92],
      ['c3', 700, 68],
      ['sparse', 4, 0],
    ]);
    const sparse = model.posterior(quote, 'sparse', policy);
    const busy = model.posterior(quote, 'c1', policy);
    // The other clusters convert about 10 % (the stage prior said 16 %): the sparse one starts there, not at 0 %.
    expect(sparse.pooled.mean).toBeCloseTo((80 + 92 + 68 + 0.16 * 50) / (2_400 + 50), 12);
    expect(sparse.mean).toBeGreaterThan(0.08);
    expect(sparse.mean).toBeLessThan(0.11);
    expect(busy.mean).toBeCloseTo(0.1, 1);
    // A cluster never seen: the pooled rate of all.
    expect(model.posterior(quote, 'new', policy).mean).toBeCloseTo((240 + 8) / (2_404 + 50), 2);
  });

  it('where one cluster’s rate is far from the others’, its own evidence outweighs theirs', () => {
    const model = modelOf([
      ['c1', 600, 60],
      ['c2', 600, 58],
      ['c3', 600, 62],
      ['odd', 600, 6],
    ]);
    const odd = model.posterior(quote, 'odd', policy);
    expect(odd.pooled.mean).toBeGreaterThan(0.09);
    expect(odd.mean).toBeLessThan(0.03);
  });

  it('forgets: counts fade with the half-life to the model’s moment', () => {
    const old = new Date(NOW.getTime() - 30 * DAY);
    const model = learnedModel(new Map([[evidenceKey('c1', quote.id), counts(200, 40, old)]]), NOW, 1);
    expect(model.posterior(quote, 'c1', policy).impressions).toBeCloseTo(100, 9);
    const faster = model.posterior(quote, 'c1', { ...policy, halfLifeDays: 10 });
    expect(faster.impressions).toBeCloseTo(25, 9);
  });

  it('draws the same rows from the same snapshot, other rows from another version, around the posterior', () => {
    const cells: Array<[string, number, number]> = [['c1', 300, 30]];
    const a = modelOf(cells).draws(quote, 'c1', policy);
    const b = modelOf(cells).draws(quote, 'c1', policy);
    expect(a).toHaveLength(DRAWS);
    expect([...a]).toEqual([...b]);
    const other = learnedModel(new Map([[evidenceKey('c1', quote.id), counts(300, 30)]]), NOW, 2);
    expect([...other.draws(quote, 'c1', policy)]).not.toEqual([...a]);
    const { mean } = modelOf(cells).posterior(quote, 'c1', policy);
    const average = a.reduce((sum, d) => sum + d, 0) / a.length;
    expect(Math.abs(average - mean)).toBeLessThan(0.01);
  });
});
