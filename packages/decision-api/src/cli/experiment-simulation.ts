import type { Experiment } from '../contract/index.js';
import { seededRandom } from '../domain/decision/learning.js';
import { summariseResults } from '../domain/experiments/results.js';
import { regularizedBeta } from '../domain/experiments/student-t.js';
import type { UnitCohort } from '../domain/experiments/units.js';

/**
 * Simulated experiments for calibrating the analysis: units (customers) randomised to arms, each with a latent rate
 * of its own (so a unit's impressions are correlated: the intra-class correlation), 1 + Poisson(4) viewable
 * impressions, days of arrival, and a pre-assignment covariate that tracks the latent rate. The units are tallied
 * into the cohorts the store's SQL returns, and analysed by the real summariseResults.
 */
export interface SimulatedArm {
  /** Mean rate per impression (impression mode) or per unit (unit mode). */
  readonly rate: number;
  readonly allocation: number;
  /** Mean extra impressions per unit in this arm (an arm that shows the offer more often). */
  readonly extraImpressions?: number;
}

export interface SimulationSpec {
  readonly arms: readonly SimulatedArm[];
  /** Units in all arms together, arriving evenly over the days. */
  readonly units: number;
  readonly days: number;
  /**
   * impression: a unit converts when any of its impressions is clicked, each with the unit's latent rate drawn from a
   * Beta of the arm's mean and intra-class correlation `icc`; unit: each unit converts with the arm's rate.
   */
  readonly mode: 'impression' | 'unit';
  readonly icc?: number;
  /** Covariate per unit: Poisson with mean 1 + covariateScale × latent rate ÷ mean rate (0: no covariate). */
  readonly covariateScale?: number;
  readonly dismissRate?: number;
}

const START = Date.UTC(2026, 10, 2);
const DAY_MS = 86_400_000;

const DAYS = Array.from({ length: 400 }, (_, i) => new Date(START + i * DAY_MS).toISOString().slice(0, 10));
function dayOf(index: number): string {
  return DAYS[index] ?? new Date(START + index * DAY_MS).toISOString().slice(0, 10);
}

function poisson(mean: number, random: () => number): number {
  // Knuth's product method: fine for the small means here.
  const limit = Math.exp(-mean);
  let k = 0;
  let product = random();
  while (product > limit) {
    k++;
    product *= random();
  }
  return k;
}

/** Beta(a, b) quantiles at the midpoints of `size` equal slices: a draw is one uniform, a table look-up. */
const tables = new Map<string, Float64Array>();
function betaTable(a: number, b: number, size = 4096): Float64Array {
  const key = `${a} ${b} ${size}`;
  let table = tables.get(key);
  if (table) return table;
  table = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const p = (i + 0.5) / size;
    let low = 0;
    let high = 1;
    for (let step = 0; step < 60; step++) {
      const mid = (low + high) / 2;
      if (regularizedBeta(mid, a, b) < p) low = mid;
      else high = mid;
    }
    table[i] = (low + high) / 2;
  }
  tables.set(key, table);
  return table;
}

/** Impressions and clicks per arm, as the former analysis per impression counted them. */
export interface ImpressionTally {
  readonly impressions: number[];
  readonly clicks: number[];
}

export function simulateCohorts(spec: SimulationSpec, random: () => number, tally?: ImpressionTally): UnitCohort[] {
  const icc = spec.icc ?? 0.3;
  // Beta(m·s, (1 − m)·s) has intra-class correlation 1 / (s + 1).
  const strength = 1 / icc - 1;
  const latentTables = spec.arms.map((arm) =>
    spec.mode === 'impression' ? betaTable(arm.rate * strength, (1 - arm.rate) * strength) : null,
  );
  const total = spec.arms.reduce((sum, arm) => sum + arm.allocation, 0);
  const cohorts = new Map<number, { -readonly [K in keyof UnitCohort]: UnitCohort[K] }>();
  for (let u = 0; u < spec.units; u++) {
    let pick = random() * total;
    let armIndex = 0;
    while (armIndex < spec.arms.length - 1 && pick >= (spec.arms[armIndex] as SimulatedArm).allocation) {
      pick -= (spec.arms[armIndex] as SimulatedArm).allocation;
      armIndex++;
    }
    const arm = spec.arms[armIndex] as SimulatedArm;
    const exposed = Math.floor((u * spec.days) / spec.units);
    const impressions = 1 + poisson(4 + (arm.extraImpressions ?? 0), random);
    const table = latentTables[armIndex];
    const latent = table ? (table[Math.floor(random() * table.length)] as number) : arm.rate;
    // Clicked at least once in its impressions (impression mode), on one of the next days; dismissed likewise.
    // Impression mode: each impression is clicked with the unit's rate; the unit converted when any was.
    let clicks = 0;
    if (table) for (let i = 0; i < impressions; i++) if (random() < latent) clicks++;
    const hit = table ? clicks > 0 : random() < latent;
    const converted = hit ? exposed + (table ? Math.floor(random() * 3) : 0) : null;
    if (tally) {
      tally.impressions[armIndex] = (tally.impressions[armIndex] ?? 0) + impressions;
      tally.clicks[armIndex] = (tally.clicks[armIndex] ?? 0) + (table ? clicks : hit ? 1 : 0);
    }
    const dismissChance = 1 - (1 - (spec.dismissRate ?? 0.02)) ** impressions;
    const dismissed = random() < dismissChance ? exposed + Math.floor(random() * 3) : null;
    const covariate = spec.covariateScale ? poisson(1 + (spec.covariateScale * latent) / arm.rate, random) : 0;
    const key = ((armIndex * 512 + exposed) * 512 + (converted ?? -1) + 1) * 512 + (dismissed ?? -1) + 1;
    let cohort = cohorts.get(key);
    if (!cohort) {
      cohort = {
        arm: `arm-${armIndex}`,
        exposedDay: dayOf(exposed),
        convertedDay: converted === null ? null : dayOf(converted),
        dismissedDay: dismissed === null ? null : dayOf(dismissed),
        units: 0,
        impressions: 0,
        impressionsSquared: 0,
        covariate: 0,
        covariateSquared: 0,
      };
      cohorts.set(key, cohort);
    }
    cohort.units++;
    cohort.impressions += impressions;
    cohort.impressionsSquared += impressions * impressions;
    cohort.covariate += covariate;
    cohort.covariateSquared += covariate * covariate;
  }
  return [...cohorts.values()];
}

/** An experiment shaped for the simulated arms: control first, two-sided, τ = the minimum effect. */
export function simulatedExperiment(
  arms: number,
  minimumEffect: number,
  margins: { dismiss_rate: number; contact_pressure: number } = { dismiss_rate: 0.05, contact_pressure: 1 },
): Pick<Experiment, 'arms' | 'guardrails' | 'hypothesis'> {
  return {
    arms: Array.from({ length: arms }, (_, i) => ({ id: `arm-${i}`, name: `Arm ${i}`, allocation: 1 })),
    guardrails: [
      { metric: 'dismiss_rate', margin: margins.dismiss_rate },
      { metric: 'contact_pressure', margin: margins.contact_pressure },
    ],
    hypothesis: {
      change: 'simulated change',
      audience: { placements: ['dashboard-hero'], channels: [], clusters: [], stages: [], product: null },
      primaryMetric: 'click_through',
      minimumEffect,
      direction: 'increase',
      attributionDays: 7,
      principle: 'social_proof',
      rationale: 'simulated for calibration',
    },
  };
}

/** Runs `runs` seeded experiments through the analysis and counts, per criterion, those for which it holds. */
export function calibrate(
  runs: number,
  seed: number,
  spec: SimulationSpec,
  experiment: ReturnType<typeof simulatedExperiment>,
  criteria: Readonly<Record<string, (summary: ReturnType<typeof summariseResults>, tally: ImpressionTally) => boolean>>,
): Record<string, { rate: number; standardError: number; runs: number }> {
  const random = seededRandom(seed);
  const hits = Object.fromEntries(Object.keys(criteria).map((name) => [name, 0]));
  for (let r = 0; r < runs; r++) {
    const tally: ImpressionTally = { impressions: [], clicks: [] };
    const summary = summariseResults(experiment, simulateCohorts(spec, random, tally));
    for (const [name, hit] of Object.entries(criteria))
      if (hit(summary, tally)) hits[name] = (hits[name] as number) + 1;
  }
  return Object.fromEntries(
    Object.entries(hits).map(([name, count]) => {
      const rate = count / runs;
      return [name, { rate, standardError: Math.sqrt((rate * (1 - rate)) / runs), runs }];
    }),
  );
}
