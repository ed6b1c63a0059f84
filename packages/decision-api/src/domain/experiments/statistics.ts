/**
 * The statistics of experiments, as pure functions: sample size before launch, the two-proportion test and intervals
 * after, an always-valid sequential test for looking every day, the sample-ratio-mismatch check, and pooling across
 * experiments. Each is tested against values computed by an independent tool (scipy), written next to the case.
 */

/** Standard normal cumulative distribution, Φ(x). W. J. Cody's rational approximations via erfc; |error| < 1e-15. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Complementary error function, accurate to about 1e-15 (Numerical Recipes' Chebyshev fit, 3rd edition). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 2 / (2 + z);
  const ty = 4 * t - 2;
  let d = 0;
  let dd = 0;
  for (let j = ERFC_COEFFICIENTS.length - 1; j > 0; j--) {
    const previous = d;
    d = ty * d - dd + (ERFC_COEFFICIENTS[j] as number);
    dd = previous;
  }
  const result = t * Math.exp(-z * z + 0.5 * ((ERFC_COEFFICIENTS[0] as number) + ty * d) - dd);
  return x >= 0 ? result : 2 - result;
}

const ERFC_COEFFICIENTS = [
  -1.3026537197817094, 6.419697923564902e-1, 1.9476473204185836e-2, -9.561514786808631e-3, -9.46595344482036e-4,
  3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5, -1.624290004647e-6, 1.30365583558e-6, 1.5626441722e-8,
  -8.5238095915e-8, 6.529054439e-9, 5.059343495e-9, -9.91364156e-10, -2.27365122e-10, 9.6467911e-11, 2.394038e-12,
  -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17,
];

/**
 * Standard normal quantile, Φ⁻¹(p): P. J. Acklam's rational approximation refined by one Halley step on the exact
 * CDF, which brings it to machine precision.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = poly(c, q) / (poly(d, q) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = (poly(a, r) * q) / (poly(b, r) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -poly(c, q) / (poly(d, q) * q + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Horner evaluation of c[0]·x^(n-1) + … + c[n-1]. */
function poly(coefficients: readonly number[], x: number): number {
  return coefficients.reduce((sum, coefficient) => sum * x + coefficient, 0);
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9); relative error about 1e-15. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const g = 7;
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = coefficients[0] as number;
  for (let i = 1; i < g + 2; i++) sum += (coefficients[i] as number) / (z + i);
  const t = z + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Upper regularized incomplete gamma Q(a, x) = Γ(a, x) / Γ(a): series below a + 1, continued fraction above. */
export function upperRegularizedGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const logFactor = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - sum * Math.exp(logFactor);
  }
  // Modified Lentz for the continued fraction of Γ(a, x).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(logFactor) * h;
}

/** P(X ≥ x) for X ~ χ² with `df` degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  return upperRegularizedGamma(df / 2, x / 2);
}

export interface SampleSizeInput {
  /** The control arm's expected rate, from the audience's observed baseline. */
  readonly baseline: number;
  /** The smallest absolute difference worth detecting (0.02 for 10 % → 12 %). */
  readonly minimumEffect: number;
  readonly alpha?: number;
  readonly power?: number;
  /** Two-sided unless set. */
  readonly sides?: 1 | 2;
}

/**
 * Customers needed per arm to detect `baseline → baseline + minimumEffect` with a two-proportion z-test: the normal
 * approximation with the pooled variance under H0 and the separate variances under H1 (Fleiss; what R's
 * power.prop.test and statsmodels' NormalIndPower with Cohen's h approximate). Rounded up.
 */
export function sampleSizePerArm({
  baseline,
  minimumEffect,
  alpha = 0.05,
  power = 0.8,
  sides = 2,
}: SampleSizeInput): number {
  const p1 = baseline;
  const p2 = baseline + minimumEffect;
  if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1) || minimumEffect === 0) {
    throw new RangeError('[touchpoint] baseline and baseline + minimum effect must both lie strictly between 0 and 1');
  }
  const zAlpha = normalQuantile(1 - alpha / sides);
  const zBeta = normalQuantile(power);
  const pBar = (p1 + p2) / 2;
  const numerator = zAlpha * Math.sqrt(2 * pBar * (1 - pBar)) + zBeta * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return Math.ceil((numerator * numerator) / (minimumEffect * minimumEffect));
}

export interface ArmCounts {
  /** Viewable impressions: customers who saw the arm. */
  readonly exposures: number;
  readonly conversions: number;
}

export interface Interval {
  readonly low: number;
  readonly high: number;
}

export interface Comparison {
  readonly controlRate: number;
  readonly variantRate: number;
  /** variant − control. */
  readonly absoluteLift: number;
  readonly absoluteLiftInterval: Interval;
  /** variant / control − 1; null when the control has no conversions. */
  readonly relativeLift: number | null;
  readonly relativeLiftInterval: Interval | null;
  /** Pooled two-proportion z statistic. */
  readonly z: number;
  /** Two-sided p-value of the pooled z-test: valid for one look at the end, not for daily peeking. */
  readonly pValue: number;
}

/**
 * Compares a variant with control: the pooled two-proportion z-test, a Wald interval for the absolute lift, and a
 * delta-method interval on the log of the rate ratio for the relative lift.
 */
export function compareArms(control: ArmCounts, variant: ArmCounts, confidence = 0.95): Comparison {
  const p1 = rate(control);
  const p2 = rate(variant);
  const z975 = normalQuantile(1 - (1 - confidence) / 2);
  const pooled = (control.conversions + variant.conversions) / Math.max(1, control.exposures + variant.exposures);
  const pooledSe = Math.sqrt(
    pooled * (1 - pooled) * (1 / Math.max(1, control.exposures) + 1 / Math.max(1, variant.exposures)),
  );
  const z = pooledSe === 0 ? 0 : (p2 - p1) / pooledSe;
  const se = Math.sqrt(
    (p1 * (1 - p1)) / Math.max(1, control.exposures) + (p2 * (1 - p2)) / Math.max(1, variant.exposures),
  );
  const absoluteLift = p2 - p1;
  let relativeLift: number | null = null;
  let relativeLiftInterval: Interval | null = null;
  if (control.conversions > 0 && variant.conversions > 0) {
    relativeLift = p2 / p1 - 1;
    const logSe = Math.sqrt(
      1 / variant.conversions - 1 / variant.exposures + 1 / control.conversions - 1 / control.exposures,
    );
    const logRatio = Math.log(p2 / p1);
    relativeLiftInterval = { low: Math.exp(logRatio - z975 * logSe) - 1, high: Math.exp(logRatio + z975 * logSe) - 1 };
  } else if (control.conversions > 0) {
    relativeLift = -1;
  }
  return {
    controlRate: p1,
    variantRate: p2,
    absoluteLift,
    absoluteLiftInterval: { low: absoluteLift - z975 * se, high: absoluteLift + z975 * se },
    relativeLift,
    relativeLiftInterval,
    z,
    pValue: 2 * normalCdf(-Math.abs(z)),
  };
}

function rate({ exposures, conversions }: ArmCounts): number {
  return exposures === 0 ? 0 : conversions / exposures;
}

/**
 * The mixture sequential probability ratio test (mSPRT; Johari, Pekelis, Walsh 2017, "Always valid inference"), for
 * the difference of two rates with a normal mixing distribution N(0, τ²) over the true difference. Its p-value stays
 * valid however often staff look: the running minimum of 1/Λ over all looks never falls below α with probability
 * more than α under H0. We chose it over a Bayesian probability to beat control because it keeps the same meaning as
 * the fixed-horizon p-value (a false-positive rate the bank can state to its regulators) while allowing daily looks.
 *
 * `tau` defaults to the minimum effect the hypothesis names: the mixture then puts its weight where the bank cares.
 */
export function sequentialLikelihoodRatio(control: ArmCounts, variant: ArmCounts, tau: number): number {
  const p1 = rate(control);
  const p2 = rate(variant);
  if (control.exposures === 0 || variant.exposures === 0) return 1;
  const pooled = (control.conversions + variant.conversions) / (control.exposures + variant.exposures);
  const variance = pooled * (1 - pooled) * (1 / control.exposures + 1 / variant.exposures);
  if (variance === 0) return 1;
  const tau2 = tau * tau;
  const difference = p2 - p1;
  return (
    Math.sqrt(variance / (variance + tau2)) *
    Math.exp((tau2 * difference * difference) / (2 * variance * (variance + tau2)))
  );
}

/**
 * The always-valid p-value after a new look: the smaller of the previous one and 1/Λ now. Start from 1; feed each
 * daily snapshot of the cumulative counts.
 */
export function alwaysValidPValue(previous: number, control: ArmCounts, variant: ArmCounts, tau: number): number {
  return Math.min(previous, 1 / sequentialLikelihoodRatio(control, variant, tau), 1);
}

export interface SampleRatioCheck {
  readonly chiSquare: number;
  readonly degreesOfFreedom: number;
  readonly pValue: number;
  /** p below the threshold (0.001): assignment is broken, results cannot be trusted. */
  readonly mismatch: boolean;
}

/**
 * Sample-ratio mismatch: Pearson's χ² goodness of fit of the arms' exposure counts against their planned allocation.
 * A p-value below 0.001 flags broken assignment (a bug, a bot, a redirect that loses one arm).
 */
export function sampleRatioMismatch(
  observed: readonly number[],
  allocation: readonly number[],
  threshold = 0.001,
): SampleRatioCheck {
  if (observed.length !== allocation.length || observed.length < 2) {
    throw new RangeError('[touchpoint] sample-ratio check needs one allocation per arm and at least two arms');
  }
  const total = observed.reduce((sum, count) => sum + count, 0);
  const weight = allocation.reduce((sum, share) => sum + share, 0);
  let chiSquare = 0;
  observed.forEach((count, i) => {
    const expected = (total * (allocation[i] as number)) / weight;
    if (expected > 0) chiSquare += ((count - expected) * (count - expected)) / expected;
  });
  const degreesOfFreedom = observed.length - 1;
  const pValue = total === 0 ? 1 : chiSquareSurvival(chiSquare, degreesOfFreedom);
  return { chiSquare, degreesOfFreedom, pValue, mismatch: pValue < threshold };
}

export interface Effect {
  readonly estimate: number;
  readonly standardError: number;
}

export interface PooledEffect extends Effect {
  readonly interval: Interval;
  readonly pValue: number;
  /** Cochran's Q and I²: how much the experiments disagree beyond chance. */
  readonly q: number;
  readonly iSquared: number;
  readonly experiments: number;
}

/**
 * Fixed-effect meta-analysis by inverse-variance weighting: each experiment's lift weighted by 1/SE². Answers "does
 * loss aversion work for this cluster?" across the experiments that tried it; I² says whether they agree.
 */
export function poolEffects(effects: readonly Effect[], confidence = 0.95): PooledEffect | null {
  const usable = effects.filter((effect) => effect.standardError > 0 && Number.isFinite(effect.estimate));
  if (usable.length === 0) return null;
  let weightSum = 0;
  let weighted = 0;
  for (const { estimate, standardError } of usable) {
    const weight = 1 / (standardError * standardError);
    weightSum += weight;
    weighted += weight * estimate;
  }
  const estimate = weighted / weightSum;
  const standardError = Math.sqrt(1 / weightSum);
  const q = usable.reduce((sum, effect) => sum + ((effect.estimate - estimate) / effect.standardError) ** 2, 0);
  const df = usable.length - 1;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  return {
    estimate,
    standardError,
    interval: { low: estimate - z * standardError, high: estimate + z * standardError },
    pValue: 2 * normalCdf(-Math.abs(estimate / standardError)),
    q,
    iSquared: q > df && q > 0 ? (q - df) / q : 0,
    experiments: usable.length,
  };
}

/** The standard error of an absolute lift, for pooling. */
export function liftStandardError(control: ArmCounts, variant: ArmCounts): number {
  const p1 = rate(control);
  const p2 = rate(variant);
  return Math.sqrt((p1 * (1 - p1)) / Math.max(1, control.exposures) + (p2 * (1 - p2)) / Math.max(1, variant.exposures));
}
