import { ExperimentDraft } from '../contract/index.js';
import { planPower } from '../domain/experiments/planning.js';
import { compareArms } from '../domain/experiments/statistics.js';
import { calibrate, simulatedExperiment } from './experiment-simulation.js';

const AA = {
  arms: [
    { rate: 0.05, allocation: 1 },
    { rate: 0.05, allocation: 1 },
  ],
  units: 1000,
  days: 14,
  mode: 'impression' as const,
  icc: 0.3,
  covariateScale: 3,
};

/** The experiments' calibration table: each row a rate over `runs` seeded experiments, its Monte-Carlo SE and its bound. */
export function calibrationTable({ runs, seed }: { runs: number; seed: number }): string {
  const started = performance.now();
  const lines: string[] = [];
  const row = (name: string, rate: { rate: number; standardError: number } | undefined, bound: string) =>
    lines.push(
      `${name.padEnd(72)}${`${((rate?.rate ?? 0) * 100).toFixed(2)} %`.padStart(9)}${`± ${((rate?.standardError ?? 0) * 100).toFixed(2)}`.padStart(9)}   ${bound}`,
    );
  const aa = calibrate(runs, seed, AA, simulatedExperiment(2, 0.03), {
    end: (s) => (s.arms[1]?.pValue ?? 1) < 0.05,
    peeking: (s) => (s.arms[1]?.alwaysValidPValue ?? 1) < 0.05,
    cuped: (s) => (s.arms[1]?.cuped?.pValue ?? 1) < 0.05,
    perImpression: (_, t) =>
      compareArms(
        { exposures: t.impressions[0] ?? 0, conversions: t.clicks[0] ?? 0 },
        { exposures: t.impressions[1] ?? 0, conversions: t.clicks[1] ?? 0 },
      ).pValue < 0.05,
  });
  row('A/A, z-test per customer at the end', aa.end, '5 % ± 1.5');
  row('A/A, z-test per impression (the former analysis)', aa.perImpression, '(why the unit matters)');
  row('A/A, always-valid test per customer, read daily (14 days)', aa.peeking, '≤ 5 %');
  row('A/A, CUPED z-test at the end', aa.cuped, '5 % ± 1.5');
  const four = { ...AA, arms: [0, 1, 2, 3].map(() => ({ rate: 0.05, allocation: 1 })), units: 1600, days: 7 };
  const fw = calibrate(runs, seed + 1, four, simulatedExperiment(4, 0.03), {
    holm: (s) => s.arms.slice(1).some((arm) => (arm.adjustedPValue ?? 1) < 0.05),
    unadjusted: (s) => s.arms.slice(1).some((arm) => (arm.pValue ?? 1) < 0.05),
    peeking: (s) => s.arms.slice(1).some((arm) => (arm.adjustedAlwaysValidPValue ?? 1) < 0.05),
  });
  row('A/A/A/A, any variant at the end, Holm', fw.holm, '≤ 5 %');
  row('A/A/A/A, any variant at the end, unadjusted', fw.unadjusted, '(what Holm prevents)');
  row('A/A/A/A, any variant read daily, always-valid + Holm', fw.peeking, '≤ 5 %');
  const srm = calibrate(
    runs,
    seed + 2,
    {
      ...AA,
      mode: 'unit',
      arms: [
        { rate: 0.2, allocation: 1 },
        { rate: 0.2, allocation: 1, extraImpressions: 1.25 },
      ],
    },
    simulatedExperiment(2, 0.03),
    { srm: (s) => s.sampleRatio.mismatch },
  );
  row('SRM alarms, fair assignment, +25 % impressions in one arm', srm.srm, '≤ 0.2 %');
  const draft = ExperimentDraft.parse({
    name: 'Power check',
    hypothesis: {
      change: 'A change big enough to plan for',
      audience: { placements: ['dashboard-hero'] },
      primaryMetric: 'click_through',
      minimumEffect: 0.08,
      direction: 'increase',
      principle: 'social_proof',
      rationale: 'Planned to be checked by simulation at its own sample.',
    },
    arms: [
      { id: 'arm-0', name: 'Control', allocation: 1 },
      { id: 'arm-1', name: 'Variant', allocation: 1, lever: 1.1 },
    ],
  });
  const plan = planPower(
    draft.hypothesis,
    draft.arms,
    { units: 10_000, convertedUnits: 3_000, dailyNewUnits: 200 },
    56,
  );
  const days = plan.expectedDays ?? 1;
  const power = calibrate(
    runs,
    seed + 3,
    {
      arms: [
        { rate: 0.3, allocation: 1 },
        { rate: 0.38, allocation: 1 },
      ],
      units: Math.round(plan.dailyAudience * days),
      days,
      mode: 'unit',
    },
    simulatedExperiment(2, 0.08),
    {
      sequential: (s) => (s.arms[1]?.alwaysValidPValue ?? 1) < plan.alpha,
      fixed: (s) => (s.arms[1]?.pValue ?? 1) < plan.alpha,
    },
  );
  row(
    `A/B 30 % → 38 %, always-valid read daily at the plan (${plan.samplePerArm}/arm, ${days} days)`,
    power.sequential,
    `${(plan.power * 100).toFixed(0)} % ± 5 (the plan)`,
  );
  row('A/B, the same runs read once at the end (z-test)', power.fixed, '(more: it may not be read daily)');
  let reduction = 0;
  let squares = 0;
  const cupedRuns = Math.max(1, Math.round(runs / 4));
  calibrate(cupedRuns, seed + 4, AA, simulatedExperiment(2, 0.03), {
    sum: (s) => {
      const v = s.arms[1]?.cuped?.varianceReduction ?? 0;
      reduction += v;
      squares += v * v;
      return true;
    },
  });
  const mean = reduction / cupedRuns;
  const se = Math.sqrt(Math.max(0, squares / cupedRuns - mean * mean) / cupedRuns);
  lines.push(
    `${'CUPED variance reduction (covariate tracks the rate)'.padEnd(72)}${`${(mean * 100).toFixed(2)} %`.padStart(9)}${`± ${(se * 100).toFixed(2)}`.padStart(9)}   > 0`,
  );
  const header = `${'criterion'.padEnd(72)}${'rate'.padStart(9)}${'MC SE'.padStart(9)}   bound`;
  return [
    `${runs} simulated experiments per row (CUPED ${cupedRuns}), seed ${seed}; 1 + Poisson(4) impressions per customer, ICC 0.3`,
    '',
    header,
    ...lines,
    '',
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
  ].join('\n');
}
