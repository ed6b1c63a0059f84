import { DEFAULT_GUARDRAIL_MARGIN, type Guardrail, type GuardrailMetric } from '../../contract/index.js';
import { normalCdf, normalQuantile } from './statistics.js';
import type { ArmUnits } from './units.js';

/**
 * Guardrails as one-sided non-inferiority tests per unit: a variant may raise a guardrail metric by less than the
 * margin the hypothesis set. Two questions, two tests:
 * - "is it shown to be within the margin?" H0: increase ≥ margin, a one-sided z-test read at the end;
 * - "is it shown to be beyond the margin?" H0: increase ≤ margin, an always-valid (mSPRT) one-sided test read every
 *   day, which stops the experiment.
 * Each family (every guardrail of every variant) is Holm-adjusted.
 */

export function marginOf(guardrail: Guardrail): number {
  return guardrail.margin ?? guardrail.maxIncrease ?? DEFAULT_GUARDRAIL_MARGIN[guardrail.metric];
}

/** A guardrail metric per unit: its value, and the variance of that value's estimate. */
function estimate(metric: GuardrailMetric, arm: ArmUnits): { value: number; variance: number } | null {
  if (arm.units < 2) return null;
  if (metric === 'dismiss_rate') {
    const value = arm.dismissed / arm.units;
    // The variance from a rate nudged off 0 and 1, so a test is possible when no unit (or every unit) dismissed.
    const shrunk = (arm.dismissed + 0.5) / (arm.units + 1);
    return { value, variance: (shrunk * (1 - shrunk)) / arm.units };
  }
  const value = arm.impressions / arm.units;
  const sampleVariance = Math.max(0, (arm.impressionsSquared - arm.units * value * value) / (arm.units - 1));
  return { value, variance: sampleVariance / arm.units };
}

export function guardrailValue(metric: GuardrailMetric, arm: ArmUnits): number {
  if (arm.units === 0) return 0;
  return metric === 'dismiss_rate' ? arm.dismissed / arm.units : arm.impressions / arm.units;
}

export interface GuardrailTest {
  readonly increase: number | null;
  readonly upperBound: number | null;
  readonly nonInferiorityPValue: number | null;
  readonly breachPValue: number;
}

/** The end-of-experiment non-inferiority test of one variant's guardrail against control. */
export function nonInferiority(
  metric: GuardrailMetric,
  margin: number,
  control: ArmUnits,
  variant: ArmUnits,
  alpha: number,
): Omit<GuardrailTest, 'breachPValue'> {
  const c = estimate(metric, control);
  const v = estimate(metric, variant);
  if (!c || !v) return { increase: null, upperBound: null, nonInferiorityPValue: null };
  const increase = v.value - c.value;
  const se = Math.sqrt(c.variance + v.variance);
  if (se === 0) return { increase, upperBound: increase, nonInferiorityPValue: increase < margin ? 0 : 1 };
  return {
    increase,
    upperBound: increase + normalQuantile(1 - alpha) * se,
    nonInferiorityPValue: normalCdf((increase - margin) / se),
  };
}

/**
 * One look of the always-valid breach test: the mSPRT's likelihood ratio for the increase beyond the margin (mixing
 * scale τ = the margin), counted only when the increase is beyond it. Returns the new running p-value.
 */
export function breachLook(
  previous: number,
  metric: GuardrailMetric,
  margin: number,
  control: ArmUnits,
  variant: ArmUnits,
): number {
  const c = estimate(metric, control);
  const v = estimate(metric, variant);
  if (!c || !v) return previous;
  const excess = v.value - c.value - margin;
  const variance = c.variance + v.variance;
  if (!(excess > 0) || variance === 0) return previous;
  const tau2 = margin * margin;
  const ratio =
    Math.sqrt(variance / (variance + tau2)) * Math.exp((tau2 * excess * excess) / (2 * variance * (variance + tau2)));
  return Math.min(previous, 1 / ratio, 1);
}
