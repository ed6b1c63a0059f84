import type { Experiment, GuardrailMetric } from '../../contract/index.js';
import { cuped } from './cuped.js';
import { breachLook, guardrailValue, marginOf, nonInferiority } from './guardrails.js';
import { holmAdjust } from './holm.js';
import { ALPHA } from './planning.js';
import { alwaysValidPValue, compareArms, sampleRatioMismatch } from './statistics.js';
import { type ArmUnits, armUnits, armUnitsByLook, lookDays, type UnitCohort } from './units.js';

/**
 * Results of an experiment per randomised unit (the first arm is control): who was exposed, who converted after
 * their first exposure, the z-test and the always-valid test per unit, Holm over the variants, CUPED beside the
 * unadjusted lift, guardrails as non-inferiority tests, and SRM on the units assigned.
 */

export interface GuardrailOutcome {
  readonly metric: GuardrailMetric;
  readonly value: number;
  readonly increase: number | null;
  readonly margin: number;
  readonly upperBound: number | null;
  readonly nonInferiorityPValue: number | null;
  readonly adjustedPValue: number | null;
  readonly nonInferior: boolean;
  readonly breachPValue: number | null;
  readonly breached: boolean;
}

export interface ArmOutcome {
  readonly arm: string;
  readonly units: number;
  readonly impressions: number;
  readonly conversions: number;
  readonly rate: number;
  readonly absoluteLift: number | null;
  readonly absoluteLiftInterval: { low: number; high: number } | null;
  readonly relativeLift: number | null;
  readonly relativeLiftInterval: { low: number; high: number } | null;
  readonly z: number | null;
  readonly pValue: number | null;
  readonly adjustedPValue: number | null;
  readonly alwaysValidPValue: number | null;
  readonly adjustedAlwaysValidPValue: number | null;
  readonly cuped: {
    lift: number;
    interval: { low: number; high: number };
    pValue: number;
    adjustedPValue: number;
    varianceReduction: number;
    standardError: number;
  } | null;
  readonly guardrails: readonly GuardrailOutcome[];
}

export interface ResultsSummary {
  readonly arms: readonly ArmOutcome[];
  readonly sampleRatio: { chiSquare: number; pValue: number; mismatch: boolean };
  readonly cuped: { theta: number; correlation: number } | null;
  /** The first breached guardrail, in words, when one is. */
  readonly guardrailBreach: string | null;
}

export const COVARIATE =
  'touchpoints of the experiment’s product (any product when the audience names none) in the 28 days before assignment';

export const RESULTS_METHOD =
  'Per unit (the customer, or the device before login: what is randomised). Exposed: at least one viewable impression after assignment; converted: the primary event within the attribution window after the first exposure. Lift against control with 95 % Wald (absolute) and log-ratio (relative) intervals; the pooled two-proportion z-test for the final read; the mSPRT (normal mixture, τ = the minimum effect) for an always-valid p-value that stays valid when read every day; both Holm-adjusted over the variants. CUPED with the ' +
  COVARIATE +
  ' as covariate, θ pooled over all units, beside the unadjusted lift. Sample-ratio mismatch: Pearson χ² of units per arm against the allocation, flagged at p < 0.001. Guardrails per unit (share of units dismissing, impressions per unit) as one-sided non-inferiority tests against the margin (z, Holm over every guardrail of every variant); the experiment stops when an always-valid one-sided test shows an increase beyond the margin (Holm-adjusted p < 0.05).';

export function summariseResults(
  experiment: Pick<Experiment, 'arms' | 'guardrails' | 'hypothesis'>,
  cohorts: readonly UnitCohort[],
): ResultsSummary {
  const tau = experiment.hypothesis.minimumEffect;
  const days = lookDays(cohorts);
  const [control, ...variants] = experiment.arms as [Experiment['arms'][number], ...Experiment['arms']];
  const totals = new Map(experiment.arms.map((arm) => [arm.id, armUnits(cohorts, arm.id)]));
  const controlUnits = totals.get(control.id) as ArmUnits;
  const counts = (a: ArmUnits) => ({ exposures: a.units, conversions: a.converted });

  // The always-valid p-values, replaying each day as if staff had looked then.
  const sequential = variants.map(() => 1);
  const breach = variants.map(() => experiment.guardrails.map(() => 1));
  const byLook = armUnitsByLook(
    cohorts,
    experiment.arms.map((arm) => arm.id),
    days,
  );
  for (let look = 0; look < days.length; look++) {
    const c = (byLook.get(control.id) as ArmUnits[])[look] as ArmUnits;
    variants.forEach((arm, i) => {
      const v = (byLook.get(arm.id) as ArmUnits[])[look] as ArmUnits;
      sequential[i] = alwaysValidPValue(sequential[i] as number, counts(c), counts(v), tau);
      experiment.guardrails.forEach((g, j) => {
        const row = breach[i] as number[];
        row[j] = breachLook(row[j] as number, g.metric, marginOf(g), c, v);
      });
    });
  }
  const comparisons = variants.map((arm) => compareArms(counts(controlUnits), counts(totals.get(arm.id) as ArmUnits)));
  const usable = (arm: { id: string }) => controlUnits.units > 0 && (totals.get(arm.id) as ArmUnits).units > 0;
  const adjustedP = holmAdjust(comparisons.map((c, i) => (usable(variants[i] as { id: string }) ? c.pValue : 1)));
  const adjustedSequential = holmAdjust(sequential);
  const adjusted = cuped(
    controlUnits.moments,
    variants.map((arm) => (totals.get(arm.id) as ArmUnits).moments),
  );
  const adjustedCuped = holmAdjust((adjusted?.comparisons ?? []).map((c) => c?.pValue ?? 1));

  const guardrailTests = variants.map((arm) =>
    experiment.guardrails.map((g) =>
      nonInferiority(g.metric, marginOf(g), controlUnits, totals.get(arm.id) as ArmUnits, ALPHA),
    ),
  );
  const flatNi = holmAdjust(guardrailTests.flat().map((t) => t.nonInferiorityPValue ?? 1));
  const flatBreach = holmAdjust(breach.flat());
  const perArm = experiment.guardrails.length;
  let guardrailBreach: string | null = null;

  const controlOutcome: ArmOutcome = {
    arm: control.id,
    units: controlUnits.units,
    impressions: controlUnits.impressions,
    conversions: controlUnits.converted,
    rate: controlUnits.units === 0 ? 0 : controlUnits.converted / controlUnits.units,
    absoluteLift: null,
    absoluteLiftInterval: null,
    relativeLift: null,
    relativeLiftInterval: null,
    z: null,
    pValue: null,
    adjustedPValue: null,
    alwaysValidPValue: null,
    adjustedAlwaysValidPValue: null,
    cuped: null,
    guardrails: experiment.guardrails.map((g) => ({
      metric: g.metric,
      value: guardrailValue(g.metric, controlUnits),
      increase: null,
      margin: marginOf(g),
      upperBound: null,
      nonInferiorityPValue: null,
      adjustedPValue: null,
      nonInferior: false,
      breachPValue: null,
      breached: false,
    })),
  };
  const variantOutcomes = variants.map((arm, i): ArmOutcome => {
    const units = totals.get(arm.id) as ArmUnits;
    const comparison = comparisons[i] as (typeof comparisons)[number];
    const has = usable(arm);
    const cupedComparison = adjusted?.comparisons[i] ?? null;
    const guardrails = experiment.guardrails.map((g, j): GuardrailOutcome => {
      const test = (guardrailTests[i] as ReturnType<typeof nonInferiority>[])[j] as ReturnType<typeof nonInferiority>;
      const adjustedNi = flatNi[i * perArm + j] as number;
      const adjustedBreach = flatBreach[i * perArm + j] as number;
      const breached = adjustedBreach < ALPHA;
      const margin = marginOf(g);
      if (breached && guardrailBreach === null) {
        guardrailBreach = `Guardrail ${g.metric} breached in arm "${arm.id}": ${guardrailValue(g.metric, units).toFixed(3)} per customer against control's ${guardrailValue(g.metric, controlUnits).toFixed(3)}, an increase shown to exceed the ${margin} allowed (always-valid p = ${adjustedBreach.toPrecision(2)}, Holm-adjusted).`;
      }
      return {
        metric: g.metric,
        value: guardrailValue(g.metric, units),
        increase: test.increase,
        margin,
        upperBound: test.upperBound,
        nonInferiorityPValue: test.nonInferiorityPValue,
        adjustedPValue: test.nonInferiorityPValue === null ? null : adjustedNi,
        nonInferior: test.nonInferiorityPValue !== null && adjustedNi < ALPHA,
        breachPValue: adjustedBreach,
        breached,
      };
    });
    return {
      arm: arm.id,
      units: units.units,
      impressions: units.impressions,
      conversions: units.converted,
      rate: units.units === 0 ? 0 : units.converted / units.units,
      absoluteLift: has ? comparison.absoluteLift : null,
      absoluteLiftInterval: has ? comparison.absoluteLiftInterval : null,
      relativeLift: has ? comparison.relativeLift : null,
      relativeLiftInterval: has ? comparison.relativeLiftInterval : null,
      z: has ? comparison.z : null,
      pValue: has ? comparison.pValue : null,
      adjustedPValue: has ? (adjustedP[i] as number) : null,
      alwaysValidPValue: sequential[i] as number,
      adjustedAlwaysValidPValue: adjustedSequential[i] as number,
      cuped: cupedComparison
        ? {
            lift: cupedComparison.lift,
            interval: cupedComparison.interval,
            pValue: cupedComparison.pValue,
            adjustedPValue: adjustedCuped[i] as number,
            varianceReduction: cupedComparison.varianceReduction,
            standardError: cupedComparison.standardError,
          }
        : null,
      guardrails,
    };
  });
  const arms = [controlOutcome, ...variantOutcomes];
  const srm = sampleRatioMismatch(
    arms.map((o) => o.units),
    experiment.arms.map((arm) => arm.allocation),
  );
  return {
    arms,
    sampleRatio: { chiSquare: srm.chiSquare, pValue: srm.pValue, mismatch: srm.mismatch },
    cuped: adjusted ? { theta: adjusted.theta, correlation: adjusted.correlation } : null,
    guardrailBreach,
  };
}
