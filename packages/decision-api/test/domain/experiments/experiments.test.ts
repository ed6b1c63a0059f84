import { describe, expect, it } from 'vitest';
import { type Experiment, ExperimentDraft, type ExperimentDraftInput } from '../../../src/contract/index.js';
import {
  type ArmDay,
  allocateLayerRange,
  approvalRefusal,
  assignExperiment,
  compareExperiments,
  inHoldout,
  newExperiment,
  planPower,
  summariseResults,
} from '../../../src/domain/experiments/experiments.js';

export const DRAFT: ExperimentDraftInput = {
  name: 'Loss framing on the car-loan hero',
  hypothesis: {
    change: 'Say what waiting costs per month instead of what the loan costs per month',
    audience: { placements: ['dashboard-hero'], product: 'car_loan', stages: ['compare'] },
    primaryMetric: 'click_through',
    minimumEffect: 0.02,
    direction: 'increase',
    principle: 'loss_aversion',
    rationale: 'Customers weigh a loss about twice as much as an equal gain (Kahneman & Tversky).',
  },
  arms: [
    { id: 'control', name: 'Today’s hero', allocation: 1 },
    { id: 'loss', name: 'Cost of waiting', allocation: 1, offer: 'car-loan-calculator', lever: 1.2 },
  ],
};

function experiment(overrides: Partial<Experiment> = {}, draft: ExperimentDraftInput = DRAFT): Experiment {
  return {
    ...newExperiment(ExperimentDraft.parse(draft), { id: crypto.randomUUID(), salt: 'salt-1' }, 'm.hansen', new Date()),
    ...overrides,
  };
}

describe('a hypothesis', () => {
  it('is refused without the reasoning, the principle or a variant that changes something', () => {
    const bad = ExperimentDraft.safeParse({
      ...DRAFT,
      hypothesis: { ...DRAFT.hypothesis, rationale: 'because', principle: 'hunch' },
    });
    expect(bad.error?.issues.map((issue) => issue.path.join('/'))).toEqual(
      expect.arrayContaining(['hypothesis/rationale', 'hypothesis/principle']),
    );
    const noChange = ExperimentDraft.safeParse({
      ...DRAFT,
      arms: [DRAFT.arms[0], { id: 'b', name: 'B', allocation: 1 }],
    });
    expect(noChange.error?.issues.map((issue) => issue.path.join('/'))).toEqual(['arms/1']);
  });
});

describe('power before launch', () => {
  const parsed = ExperimentDraft.parse(DRAFT);
  it('plans 3,841 per arm for 10 % → 12 % and says how long the audience needs', () => {
    const plan = planPower(
      parsed.hypothesis,
      parsed.arms,
      { exposures: 10_000, events: 1_000, dailyCustomers: 400 },
      56,
    );
    expect(plan.baselineSource).toBe('observed');
    expect(plan.samplePerArm).toBe(3841);
    // two arms of 3,841 from half of 400 customers a day: 39 days
    expect(plan.expectedDays).toBe(39);
    expect(plan.feasible).toBe(true);
  });

  it('refuses an audience too small to reach the sample within the maximum duration, with the reason', () => {
    const plan = planPower(
      parsed.hypothesis,
      parsed.arms,
      { exposures: 10_000, events: 1_000, dailyCustomers: 100 },
      56,
    );
    expect(plan.feasible).toBe(false);
    expect(plan.reason).toMatch(/too small.*3,841.*154 days.*56/);
  });

  it('uses the prior baseline when the audience has too little history, and refuses an impossible target', () => {
    expect(
      planPower(parsed.hypothesis, parsed.arms, { exposures: 50, events: 40, dailyCustomers: 10 }, 56).baselineSource,
    ).toBe('prior');
    const decrease = { ...parsed.hypothesis, direction: 'decrease' as const, minimumEffect: 0.2 };
    const plan = planPower(decrease, parsed.arms, { exposures: 1000, events: 100, dailyCustomers: 100 }, 56);
    expect(plan.feasible).toBe(false);
    expect(plan.reason).toMatch(/not a possible rate/);
  });
});

describe('assignment', () => {
  it('never puts one customer in two experiments of the same layer', () => {
    const first = allocateLayerRange([]);
    const second = allocateLayerRange(first ? [first] : []);
    expect(first && second).toBeTruthy();
    expect(allocateLayerRange([first, second].filter((r) => r !== null))).toBeNull();
    const a = experiment({ id: 'a', status: 'running', layerRange: first, salt: 'sa' });
    const b = experiment({ id: 'b', status: 'running', layerRange: second, salt: 'sb' });
    const context = {
      placement: 'dashboard-hero',
      channel: 'netbank',
      cluster: null,
      stages: { car_loan: 'compare' as const },
    };
    const seen = { a: 0, b: 0 };
    for (let i = 0; i < 2000; i++) {
      const unit = `c-${i}`;
      const inA = assignExperiment([a], unit, context);
      const inB = assignExperiment([b], unit, context);
      expect(inA !== null && inB !== null).toBe(false);
      if (inA) seen.a++;
      if (inB) seen.b++;
      // Stable: the same customer lands in the same arm again.
      expect(assignExperiment([a, b], unit, context)?.arm.id).toBe((inA ?? inB)?.arm.id);
    }
    expect(seen.a).toBeGreaterThan(800);
    expect(seen.b).toBeGreaterThan(800);
  });

  it('leaves decisions outside the audience alone', () => {
    const running = experiment({ status: 'running', layerRange: { from: 0, to: 10_000 } });
    const base = { placement: 'dashboard-hero', channel: 'netbank', cluster: null };
    expect(assignExperiment([running], 'c-1', { ...base, stages: { car_loan: 'compare' } })).not.toBeNull();
    expect(assignExperiment([running], 'c-1', { ...base, stages: { car_loan: 'aware' } })).toBeNull();
    expect(
      assignExperiment([running], 'c-1', { ...base, placement: 'product-sidebar', stages: { car_loan: 'compare' } }),
    ).toBeNull();
    expect(
      assignExperiment([{ ...running, status: 'stopped' }], 'c-1', { ...base, stages: { car_loan: 'compare' } }),
    ).toBeNull();
  });

  it('keeps about the holdout share out of personalization', () => {
    let held = 0;
    for (let i = 0; i < 20_000; i++) if (inHoldout(`c-${i}`, 0.05, 'touchpoint-holdout')) held++;
    expect(held / 20_000).toBeGreaterThan(0.045);
    expect(held / 20_000).toBeLessThan(0.055);
    expect(inHoldout('c-1', 0, 'touchpoint-holdout')).toBe(false);
  });

  it('is approved by someone other than its author', () => {
    expect(approvalRefusal({ createdBy: 'm.hansen' }, 'm.hansen')).toMatch(/four eyes/);
    expect(approvalRefusal({ createdBy: 'm.hansen' }, 'k.larsen')).toBeNull();
  });
});

describe('results', () => {
  const days = (list: Array<[number, number, number, number]>): ArmDay[] =>
    list.map(([exposures, events, dismissals, customers], i) => ({
      day: `2026-11-${String(i + 1).padStart(2, '0')}`,
      exposures,
      events,
      dismissals,
      customers,
    }));

  it('gives lifts, both p-values and no mismatch for a healthy test', () => {
    const running = experiment();
    const summary = summariseResults(
      running,
      new Map([
        [
          'control',
          days([
            [1000, 100, 10, 900],
            [1000, 100, 10, 900],
          ]),
        ],
        [
          'loss',
          days([
            [1000, 125, 10, 900],
            [1000, 125, 10, 900],
          ]),
        ],
      ]),
    );
    const variant = summary.arms[1];
    expect(variant?.absoluteLift).toBeCloseTo(0.025, 12);
    expect(variant?.pValue).toBeCloseTo(0.012350947711191423, 9); // as scipy: 200/2000 vs 250/2000
    expect(variant?.alwaysValidPValue).toBeGreaterThan(variant?.pValue ?? 1);
    expect(summary.sampleRatio.mismatch).toBe(false);
    expect(summary.guardrailBreach).toBeNull();
  });

  it('flags a sample-ratio mismatch', () => {
    const summary = summariseResults(
      experiment(),
      new Map([
        ['control', days([[4800, 480, 10, 4000]])],
        ['loss', days([[5200, 520, 10, 4300]])],
      ]),
    );
    expect(summary.sampleRatio.mismatch).toBe(true);
  });

  it('reports a breached guardrail when dismissals rise beyond the limit', () => {
    const summary = summariseResults(
      experiment(),
      new Map([
        ['control', days(Array.from({ length: 10 }, () => [1000, 100, 20, 900] as [number, number, number, number]))],
        ['loss', days(Array.from({ length: 10 }, () => [1000, 100, 120, 900] as [number, number, number, number]))],
      ]),
    );
    expect(summary.guardrailBreach).toMatch(/dismiss_rate breached in arm "loss"/);
    expect(summary.arms[1]?.guardrails.find((g) => g.metric === 'dismiss_rate')?.breached).toBe(true);
  });
});

describe('the registry', () => {
  it('pools lifts of experiments on the same principle and leaves others out', () => {
    const entry = (principle: string, control: number, variant: number) => ({
      experiment: { ...experiment(), hypothesis: { ...experiment().hypothesis, principle: principle as never } },
      control: { exposures: 4000, conversions: control },
      variants: [{ arm: 'loss', counts: { exposures: 4000, conversions: variant } }],
    });
    const result = compareExperiments(
      [entry('loss_aversion', 400, 480), entry('loss_aversion', 400, 440), entry('social_proof', 400, 300)],
      { principle: 'loss_aversion' },
    );
    expect(result.experiments).toBe(2);
    expect(result.pooled?.estimate).toBeCloseTo(0.015, 2);
    expect(result.pooled?.interval.low).toBeGreaterThan(0);
  });
});
