import { ALPHA } from './planning.js';
import type { ResultsSummary } from './results.js';

export interface PlanProgress {
  readonly samplePerArm: number;
  readonly expectedDays: number | null;
  readonly unitsSoFar: number;
  readonly daysSoFar: number;
}

/** What staff may conclude today, in words, from the per-unit results and how far the plan has got. */
export function conclusion(
  summary: ResultsSummary,
  direction: 'increase' | 'decrease',
  plan: PlanProgress | null,
): string {
  const lines: string[] = [];
  if (summary.sampleRatio.mismatch) {
    return `Assignment looks broken: the customers per arm do not match the allocation (SRM p = ${p(summary.sampleRatio.pValue)}). Nothing may be concluded until the cause is found.`;
  }
  if (summary.guardrailBreach) lines.push(`${summary.guardrailBreach} The variant may not ship.`);
  const [control, ...variants] = summary.arms;
  if (!control || control.units === 0 || variants.every((v) => v.units === 0)) {
    return 'No customer has been exposed in every arm yet: nothing may be concluded.';
  }
  const reached = plan !== null && plan.unitsSoFar >= plan.samplePerArm;
  for (const v of variants) {
    const lift = v.absoluteLift;
    if (lift === null) continue;
    const points = `${(Math.abs(lift) * 100).toFixed(1)} points`;
    const way = lift > 0 === (direction === 'increase') ? 'as hypothesised' : 'against the hypothesis';
    const moved = lift > 0 ? 'raises' : 'lowers';
    if ((v.adjustedAlwaysValidPValue ?? 1) < ALPHA) {
      lines.push(
        `"${v.arm}" ${moved} the rate per customer by ${points} (${way}; always-valid p = ${p(v.adjustedAlwaysValidPValue)}, Holm-adjusted): this may be concluded today.`,
      );
    } else if (reached && (v.adjustedPValue ?? 1) < ALPHA) {
      lines.push(
        `"${v.arm}" ${moved} the rate per customer by ${points} (${way}; at the planned sample, z-test p = ${p(v.adjustedPValue)}, Holm-adjusted).`,
      );
    } else if (reached) {
      lines.push(
        `"${v.arm}": no difference shown at the planned sample (always-valid p = ${p(v.adjustedAlwaysValidPValue)}); an effect of the planned size is unlikely.`,
      );
    } else {
      lines.push(
        `"${v.arm}": no difference shown yet (always-valid p = ${p(v.adjustedAlwaysValidPValue)}, Holm-adjusted); the fixed-horizon p-value is for the end and may not be read now.`,
      );
    }
    const unshown = v.guardrails.filter((g) => !g.nonInferior && !g.breached).map((g) => g.metric);
    if (unshown.length > 0) lines.push(`"${v.arm}" is not yet shown within the margin on ${unshown.join(' and ')}.`);
  }
  if (plan !== null && !reached) {
    lines.push(
      `Plan: ${plan.unitsSoFar.toLocaleString('en')} of ${plan.samplePerArm.toLocaleString('en')} customers in the smallest arm after ${plan.daysSoFar} of about ${plan.expectedDays ?? '?'} days.`,
    );
  }
  return lines.join(' ');
}

function p(value: number | null): string {
  if (value === null) return 'n/a';
  return value < 0.0001 ? '< 0.0001' : value.toPrecision(2);
}
