import { describe, expect, it } from 'vitest';
import { calibrate, simulatedExperiment } from '../../../src/cli/experiment-simulation.js';
import { ExperimentDraft } from '../../../src/contract/index.js';
import { planPower } from '../../../src/domain/experiments/planning.js';

/**
 * The analysis calibrated by simulation: seeded experiments randomised per customer, each customer with a rate of
 * their own (intra-class correlation 0.3) and 1 + Poisson(4) viewable impressions, tallied as the store tallies them
 * and analysed by summariseResults. With 2,000 runs the Monte-Carlo standard error of a 5 % rate is 0.49 points, so
 * the ± 1.5 point band is three standard errors wide. `pnpm simulate --experiments` prints the same table.
 */
const RUNS = 2000;
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

describe('experiments analysed per customer, calibrated by simulation', { timeout: 120_000 }, () => {
  it('keeps an A/A test’s false positives at 5 % at the end, and at most 5 % when staff look every day', () => {
    const rows = calibrate(RUNS, 17, AA, simulatedExperiment(2, 0.03), {
      end: (s) => (s.arms[1]?.pValue ?? 1) < 0.05,
      peeking: (s) => (s.arms[1]?.alwaysValidPValue ?? 1) < 0.05,
      cuped: (s) => (s.arms[1]?.cuped?.pValue ?? 1) < 0.05,
    });
    expect(rows.end?.rate).toBeGreaterThanOrEqual(0.035);
    expect(rows.end?.rate).toBeLessThanOrEqual(0.065);
    expect(rows.peeking?.rate).toBeLessThanOrEqual(0.05);
    // CUPED keeps the level too.
    expect(rows.cuped?.rate).toBeGreaterThanOrEqual(0.035);
    expect(rows.cuped?.rate).toBeLessThanOrEqual(0.065);
  });

  it('keeps the family-wise false positives of three variants at most 5 % with Holm (about 12 % without)', () => {
    const spec = { ...AA, arms: [0, 1, 2, 3].map(() => ({ rate: 0.05, allocation: 1 })), units: 1600, days: 7 };
    const rows = calibrate(RUNS, 23, spec, simulatedExperiment(4, 0.03), {
      holm: (s) => s.arms.slice(1).some((arm) => (arm.adjustedPValue ?? 1) < 0.05),
      unadjusted: (s) => s.arms.slice(1).some((arm) => (arm.pValue ?? 1) < 0.05),
      holmPeeking: (s) => s.arms.slice(1).some((arm) => (arm.adjustedAlwaysValidPValue ?? 1) < 0.05),
    });
    // Holm's bound is ≤ 5 % for the true rate; the estimate may exceed it by Monte-Carlo error (SE ≈ 0.5 points), so
    // it is held to 5 % plus two standard errors (`pnpm simulate --experiments --runs 20000` narrows it further).
    expect((rows.holm?.rate as number) - 2 * (rows.holm?.standardError as number)).toBeLessThanOrEqual(0.05);
    expect(rows.holmPeeking?.rate).toBeLessThanOrEqual(0.05);
    expect(rows.unadjusted?.rate).toBeGreaterThan(0.08);
  });

  it('raises no sample-ratio alarm (at most 0.2 %) when assignment is fair though one arm gets 25 % more impressions', () => {
    const spec = {
      ...AA,
      mode: 'unit' as const,
      arms: [
        { rate: 0.2, allocation: 1 },
        { rate: 0.2, allocation: 1, extraImpressions: 1.25 },
      ],
    };
    const rows = calibrate(RUNS, 29, spec, simulatedExperiment(2, 0.03), { srm: (s) => s.sampleRatio.mismatch });
    expect(rows.srm?.rate).toBeLessThanOrEqual(0.002);
  });

  it('reaches the planned power of the always-valid test at the planned sample, within 5 points', () => {
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
    expect(plan.feasible).toBe(true);
    const days = plan.expectedDays as number;
    const runs = 1000;
    const spec = {
      arms: [
        { rate: 0.3, allocation: 1 },
        { rate: 0.38, allocation: 1 },
      ],
      units: Math.round(plan.dailyAudience * days),
      days,
      mode: 'unit' as const,
    };
    const rows = calibrate(runs, 31, spec, simulatedExperiment(2, 0.08), {
      power: (s) => (s.arms[1]?.alwaysValidPValue ?? 1) < plan.alpha,
    });
    expect(Math.abs((rows.power?.rate as number) - plan.power)).toBeLessThanOrEqual(0.05);
  });

  it('reduces the variance of the lift with CUPED where the covariate tracks the customer’s rate', () => {
    let reduction = 0;
    const runs = 300;
    calibrate(runs, 37, AA, simulatedExperiment(2, 0.03), {
      sum: (s) => {
        reduction += s.arms[1]?.cuped?.varianceReduction ?? 0;
        return true;
      },
    });
    expect(reduction / runs).toBeGreaterThan(0.05);
  });
});
