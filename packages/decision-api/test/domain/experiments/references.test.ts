import { describe, expect, it } from 'vitest';
import { cuped, type UnitMoments } from '../../../src/domain/experiments/cuped.js';
import { holmAdjust } from '../../../src/domain/experiments/holm.js';
import { metaAnalysis } from '../../../src/domain/experiments/pooling.js';
import { msprtBoundary, sequentialPower } from '../../../src/domain/experiments/sequential-power.js';
import { studentTCdf, studentTQuantile } from '../../../src/domain/experiments/student-t.js';

/** Each expected value was computed with Debian's statsmodels 0.13.5 / scipy 1.10.1; the Python is beside it. */

describe('Holm–Bonferroni', () => {
  it('matches statsmodels.stats.multitest.multipletests(method="holm")', () => {
    // multipletests([0.01, 0.04, 0.03, 0.2], method='holm')[1] → [0.04, 0.09, 0.09, 0.2]
    expect(holmAdjust([0.01, 0.04, 0.03, 0.2]).map((p) => Number(p.toFixed(12)))).toEqual([0.04, 0.09, 0.09, 0.2]);
    // multipletests([0.02, 0.02, 0.5], method='holm')[1] → [0.06, 0.06, 0.5]
    expect(holmAdjust([0.02, 0.02, 0.5]).map((p) => Number(p.toFixed(12)))).toEqual([0.06, 0.06, 0.5]);
  });
});

describe('random-effects pooling (DerSimonian–Laird)', () => {
  // from statsmodels.stats.meta_analysis import combine_effects
  // eff = np.array([0.021, 0.004, 0.035, -0.006, 0.018]); se = np.array([0.008, 0.007, 0.010, 0.009, 0.006])
  // r = combine_effects(eff, se**2, method_re='dl'); r.tau2, r.i2, r.q, r.mean_effect_fe, r.sd_eff_w_fe,
  // r.mean_effect_re, r.sd_eff_w_re, r.conf_int(); prediction interval: r.mean_effect_re ± scipy.stats.t.ppf(0.975, 3)
  // * sqrt(r.tau2 + r.sd_eff_w_re**2)
  const estimates = [0.021, 0.004, 0.035, -0.006, 0.018];
  const errors = [0.008, 0.007, 0.01, 0.009, 0.006];
  const result = metaAnalysis(estimates.map((estimate, i) => ({ estimate, standardError: errors[i] as number })));
  it('matches combine_effects(method_re="dl") for τ², I², Q and both estimates', () => {
    expect(result?.tauSquared).toBeCloseTo(0.00012903692543411648, 14);
    expect(result?.iSquared).toBeCloseTo(0.6823953816257893, 10);
    expect(result?.q).toBeCloseTo(12.59427529887833, 9);
    expect(result?.fixed.estimate).toBeCloseTo(0.01376195558999797, 12);
    expect(result?.fixed.standardError).toBeCloseTo(0.003406870874154364, 12);
    expect(result?.fixed.interval.low).toBeCloseTo(0.00708461137667692, 10);
    expect(result?.random.estimate).toBeCloseTo(0.014030722824709834, 12);
    expect(result?.random.standardError).toBeCloseTo(0.006203694276276995, 12);
    expect(result?.random.interval.low).toBeCloseTo(0.00187170547210964, 10);
    expect(result?.random.interval.high).toBeCloseTo(0.02618974017731002, 10);
  });
  it('gives the prediction interval with t on k − 2 degrees of freedom, which includes 0 where the fixed CI does not', () => {
    expect(result?.random.predictionInterval?.low).toBeCloseTo(-0.027159864005707, 9);
    expect(result?.random.predictionInterval?.high).toBeCloseTo(0.05522130965512667, 9);
    expect(result?.fixed.interval.low).toBeGreaterThan(0);
  });
  it('computes Student’s t as scipy.stats.t does', () => {
    expect(studentTQuantile(0.975, 3)).toBeCloseTo(3.182446305284263, 9); // t.ppf(0.975, 3)
    expect(studentTQuantile(0.9, 10)).toBeCloseTo(1.3721836411102863, 9); // t.ppf(0.9, 10)
    expect(studentTCdf(-1.3, 4)).toBeCloseTo(0.13172579823561206, 12); // t.cdf(-1.3, 4)
  });
});

describe('CUPED', () => {
  // rng = np.random.default_rng(7); n = 40; x_c = rng.poisson(3, n); x_v = rng.poisson(3, n)
  // y_c = rng.random(n) < 0.1 + 0.05 * x_c; y_v = rng.random(n) < 0.15 + 0.05 * x_v
  // x, y = concat(x_c, x_v), concat(y_c, y_v); theta = np.cov(x, y)[0, 1] / np.var(x, ddof=1)
  // adj = y − theta * (x − x.mean()); cm = CompareMeans(DescrStatsW(adj_v), DescrStatsW(adj_c))
  // z, p = cm.ztest_ind(usevar='unequal'); se = cm.std_meandiff_separatevar; se_un likewise on y
  const xc = [
    4, 1, 4, 3, 5, 1, 0, 5, 1, 2, 1, 2, 5, 5, 2, 6, 2, 1, 3, 6, 1, 5, 2, 0, 5, 1, 3, 5, 5, 3, 1, 4, 2, 4, 7, 4, 4, 5, 1,
    3,
  ];
  const yc = [
    0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0,
    1,
  ];
  const xv = [
    4, 4, 1, 4, 4, 0, 0, 2, 1, 3, 6, 1, 3, 2, 5, 4, 2, 7, 0, 4, 3, 2, 4, 2, 2, 1, 2, 1, 4, 3, 3, 3, 3, 3, 7, 2, 5, 0, 5,
    3,
  ];
  const yv = [
    0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1,
    0,
  ];
  const moments = (x: number[], y: number[]): UnitMoments => ({
    n: x.length,
    sumY: y.reduce((s, v) => s + v, 0),
    sumY2: y.reduce((s, v) => s + v * v, 0),
    sumX: x.reduce((s, v) => s + v, 0),
    sumX2: x.reduce((s, v) => s + v * v, 0),
    sumXY: x.reduce((s, v, i) => s + v * (y[i] as number), 0),
  });
  it('matches the adjusted difference, its standard error and z-test computed with numpy and statsmodels', () => {
    const result = cuped(moments(xc, yc), [moments(xv, yv)]);
    const [c] = result?.comparisons ?? [];
    expect(result?.theta).toBeCloseTo(0.05110398007567413, 12);
    expect(result?.correlation).toBeCloseTo(0.19520446865972865, 12);
    expect(c?.lift).toBeCloseTo(-0.06350160448297332, 12);
    expect(c?.standardError).toBeCloseTo(0.10477464091276577, 12);
    expect(c?.z).toBeCloseTo(-0.6060779968298251, 10);
    expect(c?.pValue).toBeCloseTo(0.5444629612407685, 10);
    expect(c?.unadjustedStandardError).toBeCloseTo(0.10674376220290704, 12);
    expect(c?.varianceReduction).toBeCloseTo(0.03655405961730174, 10);
  });
});

describe('the always-valid test’s power', () => {
  // p1, p2, tau, alpha = 0.2, 0.26, 0.06, 0.05; looks = [200, 400, 600] per arm; W = pbar(1 − pbar)·2/n
  // c = sqrt(2W(W + τ²)/τ² · (ln(1/α) + ½ ln((W + τ²)/W))); Vt = (p1(1 − p1) + p2(1 − p2))/n; b = c/sqrt(Vt)
  // 1 − scipy.stats.multivariate_normal.cdf(b, mean=(p2 − p1)/sqrt(Vt), cov=[[sqrt(n_i/n_j)]], lower_limit=−b,
  //   abseps=1e-10, releps=1e-10) → 0.3078025040397945; one look at 200: 0.03334368976296964
  const design = { control: 0.2, variant: 0.26, tau: 0.06, alpha: 0.05 };
  it('puts the mSPRT boundary where scipy’s arithmetic does', () => {
    const w = (0.23 * 0.77 * 2) / 200;
    expect(msprtBoundary(w, 0.06, 0.05)).toBeCloseTo(0.13697564482680427, 12);
  });
  it('matches scipy’s multivariate normal over three looks, and the exact single look', () => {
    expect(sequentialPower({ ...design, looks: [200] })).toBeCloseTo(0.03334368976296964, 12);
    expect(sequentialPower({ ...design, looks: [200, 400, 600] })).toBeCloseTo(0.3078025040397945, 4);
  });
});
