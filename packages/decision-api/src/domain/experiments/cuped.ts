import { normalCdf, normalQuantile } from './statistics.js';

/**
 * CUPED (Deng, Xu, Kohavi, Walker 2013): each unit's outcome Y less θ·(X − X̄), where X is a covariate measured
 * before the unit was assigned (so the treatment cannot move it) and θ = cov(X, Y) / var(X) over all units. The mean
 * difference keeps its expectation; its variance falls by the share of Y's variance X explains (ρ²).
 * Everything is computed from per-arm sums, which the store adds up in SQL.
 */
export interface UnitMoments {
  readonly n: number;
  /** Σy, Σy², Σx, Σx², Σxy over the arm's units. */
  readonly sumY: number;
  readonly sumY2: number;
  readonly sumX: number;
  readonly sumX2: number;
  readonly sumXY: number;
}

export interface CupedComparison {
  /** Adjusted variant mean − adjusted control mean. */
  readonly lift: number;
  readonly standardError: number;
  readonly interval: { low: number; high: number };
  readonly z: number;
  /** Two-sided, fixed horizon. */
  readonly pValue: number;
  /** The unadjusted difference's standard error, for the reduction achieved. */
  readonly unadjustedStandardError: number;
  /** 1 − Var(adjusted lift) / Var(unadjusted lift): the share of the lift's variance the covariate removed. */
  readonly varianceReduction: number;
}

export interface CupedResult {
  readonly theta: number;
  /** Correlation of covariate and outcome over all units. */
  readonly correlation: number;
  /** Per variant (in the order given), against control; null when an arm has fewer than two units. */
  readonly comparisons: ReadonlyArray<CupedComparison | null>;
}

/** The adjusted comparison of each variant with control; null when the covariate does not vary (nothing to adjust). */
export function cuped(control: UnitMoments, variants: readonly UnitMoments[], confidence = 0.95): CupedResult | null {
  const all = [control, ...variants].reduce(add);
  if (all.n < 3) return null;
  const meanX = all.sumX / all.n;
  const meanY = all.sumY / all.n;
  const sxx = all.sumX2 - all.n * meanX * meanX;
  const syy = all.sumY2 - all.n * meanY * meanY;
  const sxy = all.sumXY - all.n * meanX * meanY;
  if (!(sxx > 0)) return null;
  const theta = sxy / sxx;
  const correlation = syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const arm = (m: UnitMoments) => {
    const mx = m.sumX / m.n;
    const my = m.sumY / m.n;
    const vx = (m.sumX2 - m.n * mx * mx) / (m.n - 1);
    const vy = (m.sumY2 - m.n * my * my) / (m.n - 1);
    const cxy = (m.sumXY - m.n * mx * my) / (m.n - 1);
    return {
      adjustedMean: my - theta * (mx - meanX),
      adjustedVariance: Math.max(0, vy - 2 * theta * cxy + theta * theta * vx) / m.n,
      variance: Math.max(0, vy) / m.n,
    };
  };
  if (control.n < 2) return { theta, correlation, comparisons: variants.map(() => null) };
  const c = arm(control);
  const comparisons = variants.map((variant) => {
    if (variant.n < 2) return null;
    const v = arm(variant);
    const lift = v.adjustedMean - c.adjustedMean;
    const variance = v.adjustedVariance + c.adjustedVariance;
    const unadjusted = v.variance + c.variance;
    const standardError = Math.sqrt(variance);
    const statistic = standardError === 0 ? 0 : lift / standardError;
    return {
      lift,
      standardError,
      interval: { low: lift - z * standardError, high: lift + z * standardError },
      z: statistic,
      pValue: 2 * normalCdf(-Math.abs(statistic)),
      unadjustedStandardError: Math.sqrt(unadjusted),
      varianceReduction: unadjusted > 0 ? 1 - variance / unadjusted : 0,
    };
  });
  return { theta, correlation, comparisons };
}

function add(a: UnitMoments, b: UnitMoments): UnitMoments {
  return {
    n: a.n + b.n,
    sumY: a.sumY + b.sumY,
    sumY2: a.sumY2 + b.sumY2,
    sumX: a.sumX + b.sumX,
    sumX2: a.sumX2 + b.sumX2,
    sumXY: a.sumXY + b.sumXY,
  };
}
