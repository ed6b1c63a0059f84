import type { UnitMoments } from './cuped.js';

/**
 * What the store counts per randomised unit (a customer, or a device before login), grouped: the units of one arm
 * first exposed on one day, who converted on one day (or not yet) and first dismissed on one day (or never). The
 * sums carry what per-unit analyses need without sending every unit: impressions for contact pressure, the
 * pre-exposure covariate for CUPED.
 */
export interface UnitCohort {
  readonly arm: string;
  /** UTC day (YYYY-MM-DD) of the units' first viewable impression. */
  readonly exposedDay: string;
  /** The day of the primary event within the attribution window after first exposure; null: none. */
  readonly convertedDay: string | null;
  readonly dismissedDay: string | null;
  readonly units: number;
  /** Σ viewable impressions and Σ impressions² of these units. */
  readonly impressions: number;
  readonly impressionsSquared: number;
  /** Σ covariate and Σ covariate² (activity before assignment). */
  readonly covariate: number;
  readonly covariateSquared: number;
}

/** One arm's units as of a day (inclusive), or overall. */
export interface ArmUnits {
  readonly units: number;
  readonly converted: number;
  readonly dismissed: number;
  readonly impressions: number;
  readonly impressionsSquared: number;
  /** CUPED's moments, y = converted. */
  readonly moments: UnitMoments;
}

export function armUnits(cohorts: readonly UnitCohort[], arm: string, upTo?: string): ArmUnits {
  let units = 0;
  let converted = 0;
  let dismissed = 0;
  let impressions = 0;
  let impressionsSquared = 0;
  let sumX = 0;
  let sumX2 = 0;
  let sumXY = 0;
  for (const cohort of cohorts) {
    if (cohort.arm !== arm) continue;
    if (upTo !== undefined && cohort.exposedDay > upTo) continue;
    units += cohort.units;
    impressions += cohort.impressions;
    impressionsSquared += cohort.impressionsSquared;
    sumX += cohort.covariate;
    sumX2 += cohort.covariateSquared;
    if (cohort.convertedDay !== null && (upTo === undefined || cohort.convertedDay <= upTo)) {
      converted += cohort.units;
      sumXY += cohort.covariate;
    }
    if (cohort.dismissedDay !== null && (upTo === undefined || cohort.dismissedDay <= upTo)) dismissed += cohort.units;
  }
  return {
    units,
    converted,
    dismissed,
    impressions,
    impressionsSquared,
    moments: { n: units, sumY: converted, sumY2: converted, sumX, sumX2, sumXY },
  };
}

/** Every day something happened, in order: the looks the always-valid tests replay. */
export function lookDays(cohorts: readonly UnitCohort[]): string[] {
  const days = new Set<string>();
  for (const cohort of cohorts) {
    days.add(cohort.exposedDay);
    if (cohort.convertedDay !== null) days.add(cohort.convertedDay);
    if (cohort.dismissedDay !== null) days.add(cohort.dismissedDay);
  }
  return [...days].sort();
}

/**
 * Each arm's units as of every look day (cumulative), in one pass over the cohorts: the always-valid tests replay
 * the looks without adding the cohorts up again for each. Moments are left empty (CUPED reads the totals only).
 */
export function armUnitsByLook(
  cohorts: readonly UnitCohort[],
  arms: readonly string[],
  days: readonly string[],
): Map<string, ArmUnits[]> {
  const index = new Map(days.map((day, i) => [day, i]));
  const fresh = () => ({ units: 0, converted: 0, dismissed: 0, impressions: 0, impressionsSquared: 0 });
  const perDay = new Map(arms.map((arm) => [arm, days.map(fresh)]));
  for (const cohort of cohorts) {
    const series = perDay.get(cohort.arm);
    if (!series) continue;
    const exposed = series[index.get(cohort.exposedDay) as number] as ReturnType<typeof fresh>;
    exposed.units += cohort.units;
    exposed.impressions += cohort.impressions;
    exposed.impressionsSquared += cohort.impressionsSquared;
    if (cohort.convertedDay !== null)
      (series[index.get(cohort.convertedDay) as number] as ReturnType<typeof fresh>).converted += cohort.units;
    if (cohort.dismissedDay !== null)
      (series[index.get(cohort.dismissedDay) as number] as ReturnType<typeof fresh>).dismissed += cohort.units;
  }
  const empty = { n: 0, sumY: 0, sumY2: 0, sumX: 0, sumX2: 0, sumXY: 0 };
  return new Map(
    arms.map((arm) => {
      const running = fresh();
      return [
        arm,
        (perDay.get(arm) as ReturnType<typeof fresh>[]).map((day) => {
          running.units += day.units;
          running.converted += day.converted;
          running.dismissed += day.dismissed;
          running.impressions += day.impressions;
          running.impressionsSquared += day.impressionsSquared;
          return { ...running, moments: empty };
        }),
      ];
    }),
  );
}
