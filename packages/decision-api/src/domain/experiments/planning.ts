import type { Arm, Hypothesis, PowerPlan, PrimaryMetric } from '../../contract/index.js';
import { sequentialPower } from './sequential-power.js';
import { sampleSizePerArm } from './statistics.js';

/**
 * The plan before launch, in customers (the randomised unit), for the test that decides: staff may stop on the
 * always-valid p-value, so the sample is the one at which the mSPRT with daily looks reaches the power; the
 * fixed-horizon z-test's sample is given beside it. With several variants α is split over them (Bonferroni: Holm's
 * first step, so the plan holds for the variant Holm tests first and is conservative for the others).
 */

export const ALPHA = 0.05;
export const POWER = 0.8;
/** Fewer exposed customers than this in the observation window and the observed baseline is too noisy to plan with. */
export const MIN_BASELINE_UNITS = 200;
/** Baselines per exposed customer assumed when the audience has too little history, per primary metric. */
export const PRIOR_BASELINE: Readonly<Record<PrimaryMetric, number>> = {
  click_through: 0.05,
  conversion: 0.01,
  advisor_outcome: 0.05,
};
/** Share of a layer a new experiment takes, so two experiments can run side by side on one placement. */
export const LAYER_SHARE = 0.5;
/** Looks the power integration takes at most: beyond it looks are spread evenly, which understates power a little. */
const MAX_LOOKS = 30;
/** Looks assumed when the audience is unknown (no traffic): daily over four weeks. */
const DEFAULT_LOOKS = 28;

export const PLAN_METHOD =
  'Per customer. Always-valid sample: the smallest sample per arm at which the mSPRT (normal mixture, τ = the minimum effect), read once a day, rejects with probability 0.8, computed by recursive numerical integration of the normal approximation over the daily looks (no simulation; at most 30 looks, spread evenly beyond that, which understates the power a little). Fixed-horizon sample: the two-proportion z-test read once (Fleiss). α = 0.05 split over the variants (Holm’s first step).';

export interface UnitHistory {
  /** Customers exposed at the audience's placements over the observation window, and those of them who converted. */
  readonly units: number;
  readonly convertedUnits: number;
  /** New eligible customers per day: distinct, consenting, outside the holdout (before the layer's share). */
  readonly dailyNewUnits: number;
}

export function planPower(
  hypothesis: Hypothesis,
  arms: readonly Pick<Arm, 'allocation'>[],
  history: UnitHistory,
  maxDurationDays: number,
): PowerPlan {
  const observed = history.units >= MIN_BASELINE_UNITS;
  const baseline = observed
    ? clamp(history.convertedUnits / history.units, 0.001, 0.999)
    : PRIOR_BASELINE[hypothesis.primaryMetric];
  const variants = Math.max(1, arms.length - 1);
  const alpha = ALPHA / variants;
  const effect = hypothesis.direction === 'increase' ? hypothesis.minimumEffect : -hypothesis.minimumEffect;
  const target = baseline + effect;
  const dailyAudience = history.dailyNewUnits * LAYER_SHARE;
  const base = {
    unit: 'customer' as const,
    baseline,
    baselineSource: observed ? ('observed' as const) : ('prior' as const),
    alpha,
    power: POWER,
    test: 'always-valid' as const,
    dailyAudience,
    maxDurationDays,
    method: PLAN_METHOD,
  };
  if (!(target > 0 && target < 1)) {
    return {
      ...base,
      samplePerArm: 0,
      fixedHorizonSamplePerArm: 0,
      expectedDays: null,
      fixedHorizonDays: null,
      feasible: false,
      reason: `A ${hypothesis.direction} of ${pct(hypothesis.minimumEffect)} from a baseline of ${pct(baseline)} is not a possible rate.`,
    };
  }
  const weights = arms.map((arm) => arm.allocation);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const control = weights[0] as number;
  const smallestVariant = Math.min(...weights.slice(1));
  const smallest = Math.min(control, smallestVariant);
  // The smallest arm must reach the sample; its daily share of the audience sets the pace.
  const dailySmallest = (dailyAudience * smallest) / total;
  const fixedHorizonSamplePerArm = sampleSizePerArm({ baseline, minimumEffect: effect, alpha, power: POWER });
  const samplePerArm = sequentialSample({
    control: baseline,
    variant: target,
    tau: hypothesis.minimumEffect,
    alpha,
    ratio: smallestVariant / control,
    dailySmallest,
    start: fixedHorizonSamplePerArm,
  });
  const days = (n: number) => (dailySmallest > 0 ? Math.ceil(n / dailySmallest) : null);
  const expectedDays = days(samplePerArm);
  const fixedHorizonDays = days(fixedHorizonSamplePerArm);
  const feasible = expectedDays !== null && expectedDays <= maxDurationDays;
  const n = samplePerArm.toLocaleString('en');
  const fixed = `${fixedHorizonSamplePerArm.toLocaleString('en')} for a single look at the end`;
  const reason = feasible
    ? `${n} customers per arm for the always-valid test with daily looks (${fixed}), reached in about ${expectedDays} days of ${maxDurationDays}.`
    : expectedDays === null
      ? `The audience has had no new eligible customers in the observation window, so it cannot reach ${n} customers per arm.`
      : `The audience is too small: ${n} customers per arm (always-valid test, daily looks; ${fixed}) would take about ${expectedDays} days, more than the ${maxDurationDays} allowed. Widen the audience, or test a larger effect.`;
  return { ...base, samplePerArm, fixedHorizonSamplePerArm, expectedDays, fixedHorizonDays, feasible, reason };
}

/**
 * The smallest per-arm sample (of the smaller arm) at which the mSPRT read daily has the power. The looks follow the
 * days it takes the audience to get there; the power grows with the sample, so bisection finds it.
 */
export function sequentialSample(design: {
  control: number;
  variant: number;
  tau: number;
  alpha: number;
  ratio: number;
  /** Units the smallest arm gets per day; 0 when unknown. */
  dailySmallest: number;
  /** Where to start looking: the fixed-horizon sample, below which the sequential test never has the power. */
  start: number;
  power?: number;
}): number {
  const wanted = design.power ?? POWER;
  const powerAt = (n: number) => {
    const days = design.dailySmallest > 0 ? Math.max(1, Math.ceil(n / design.dailySmallest)) : DEFAULT_LOOKS;
    const count = Math.min(days, MAX_LOOKS);
    const looks = Array.from({ length: count }, (_, j) => (n * (j + 1)) / count);
    return sequentialPower({ ...design, looks });
  };
  let low = Math.max(1, design.start);
  let high = low * 2;
  while (powerAt(high) < wanted && high < 1e9) {
    low = high;
    high *= 2;
  }
  // To a percent of the sample: the plan is an estimate, not an exact count.
  while (high - low > Math.max(1, low * 0.01)) {
    const mid = Math.floor((low + high) / 2);
    if (powerAt(mid) >= wanted) high = mid;
    else low = mid;
  }
  return Math.ceil(high);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}
