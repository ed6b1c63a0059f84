import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ExperimentDraft, type Touchpoint } from '../../src/contract/index.js';
import { seededRandom } from '../../src/domain/decision/learning.js';
import { newExperiment, summariseResults, type UnitCohort } from '../../src/domain/experiments/experiments.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { createSqlStore, type Store, type StoredDecision } from '../../src/store/store.js';
import { databaseFor, engines } from '../support/harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 10, 2, 8);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * A seeded world of customers randomised to two arms, each with a click rate of their own and 1 + Poisson(4)
 * viewable impressions over one or two decisions, pre-assignment activity on the product (and some that must not
 * count: another product, or older than 28 days), clicks late beyond the attribution window, and dismissals. Returns
 * the rows to store and the cohorts the store must count from them.
 */
function world(seed: number, units: number, experimentId: string) {
  const random = seededRandom(seed);
  const poisson = (mean: number) => {
    let k = 0;
    let p = random();
    while (p > Math.exp(-mean)) {
      k++;
      p *= random();
    }
    return k;
  };
  const decisions: StoredDecision[] = [];
  const touchpoints: Array<{ subject: `c:${string}`; anonymousId: null; touchpoint: Touchpoint }> = [];
  const expected = new Map<string, UnitCohort>();
  const touch = (subject: `c:${string}`, at: number, fields: Partial<Touchpoint> & { type: Touchpoint['type'] }) =>
    touchpoints.push({
      subject,
      anonymousId: null,
      touchpoint: {
        id: crypto.randomUUID(),
        occurredAt: new Date(at).toISOString(),
        channel: 'netbank',
        ...fields,
      } as Touchpoint,
    });
  for (let u = 0; u < units; u++) {
    const subject = `c:unit-${seed}-${u}` as const;
    const arm = random() < 0.5 ? 'control' : 'peers';
    const latent = random() < 0.3 ? 0.3 : 0.03;
    const assigned = START + Math.floor(random() * 6 * DAY);
    // Activity before assignment: on the product within 28 days (counts), on another product, and too old (neither).
    const activity = poisson(latent > 0.1 ? 4 : 1);
    for (let i = 0; i < activity; i++)
      touch(subject, assigned - (1 + random() * 26) * DAY, { type: 'product_view', product: 'savings' });
    touch(subject, assigned - 2 * DAY, { type: 'product_view', product: 'pension' });
    touch(subject, assigned - 30 * DAY, { type: 'product_view', product: 'savings' });
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    ids.forEach((id, i) => {
      decisions.push({
        id,
        subject,
        placement: 'dashboard-hero',
        offerId: 'house-savings-goal',
        channel: 'netbank',
        page: '/dashboard',
        locale: 'en',
        reason: 'experiment',
        trace: { experiment: { id: experimentId, arm, note: 'simulated' } },
        createdAt: new Date(assigned + i * DAY),
      });
    });
    const seen = random() < 0.85;
    if (!seen) continue; // assigned, never shown: not exposed
    const impressions = 1 + poisson(4);
    let first = Number.POSITIVE_INFINITY;
    let converted: number | null = null;
    let dismissed: number | null = null;
    for (let i = 0; i < impressions; i++) {
      const decisionId = ids[i % 2] as string;
      const at = assigned + (i % 2) * DAY + HOUR + i * 7 * HOUR;
      first = Math.min(first, at);
      const refer = { offer: 'house-savings-goal', placement: 'dashboard-hero', decisionId };
      touch(subject, at, { type: 'offer_impression', ...refer });
      if (random() < latent) {
        touch(subject, at + 60_000, { type: 'offer_click', ...refer });
        converted = converted === null ? at + 60_000 : Math.min(converted, at + 60_000);
      }
      if (random() < 0.05) {
        touch(subject, at + 120_000, { type: 'offer_dismiss', ...refer });
        dismissed = dismissed === null ? at + 120_000 : Math.min(dismissed, at + 120_000);
      }
    }
    // A click nine days after the first exposure is beyond the 7-day attribution window.
    if (random() < 0.2)
      touch(subject, first + 9 * DAY, {
        type: 'offer_click',
        offer: 'house-savings-goal',
        decisionId: ids[0] as string,
      });
    const key = [
      arm,
      day(first),
      converted === null ? null : day(converted),
      dismissed === null ? null : day(dismissed),
    ].join(' ');
    const previous = expected.get(key);
    expected.set(key, {
      arm,
      exposedDay: day(first),
      convertedDay: converted === null ? null : day(converted),
      dismissedDay: dismissed === null ? null : day(dismissed),
      units: (previous?.units ?? 0) + 1,
      impressions: (previous?.impressions ?? 0) + impressions,
      impressionsSquared: (previous?.impressionsSquared ?? 0) + impressions * impressions,
      covariate: (previous?.covariate ?? 0) + activity,
      covariateSquared: (previous?.covariateSquared ?? 0) + activity * activity,
    });
  }
  return { decisions, touchpoints, expected: [...expected.values()] };
}

const sorted = (cohorts: readonly UnitCohort[]) =>
  [...cohorts].sort((a, b) =>
    `${a.arm} ${a.exposedDay} ${a.convertedDay} ${a.dismissedDay}`.localeCompare(
      `${b.arm} ${b.exposedDay} ${b.convertedDay} ${b.dismissedDay}`,
    ),
  );

describe.each(engines)('per-customer experiment counts in SQL on $name', (engine) => {
  const database = databaseFor(engine);
  let db: SqlDatabase;
  let store: Store;
  beforeEach(async () => {
    db = await database.open();
    store = createSqlStore(db);
  });
  afterAll(() => database.close());

  it('counts each customer once per arm, from the first viewable impression, with clicks in the window and activity before assignment', async () => {
    const experiment = newExperiment(
      ExperimentDraft.parse({
        name: 'Peers on the savings hero',
        hypothesis: {
          change: 'Tell customers how many peers have a savings goal',
          audience: { placements: ['dashboard-hero'], product: 'savings' },
          primaryMetric: 'click_through',
          minimumEffect: 0.05,
          direction: 'increase',
          principle: 'social_proof',
          rationale: 'People follow what others like them do (Cialdini).',
        },
        arms: [
          { id: 'control', name: 'Control', allocation: 1 },
          { id: 'peers', name: 'Peers', allocation: 1, lever: 1.2 },
        ],
      }),
      { id: crypto.randomUUID(), salt: 'salt' },
      'm.hansen',
      new Date(START),
    );
    await store.experiments.insert({ ...experiment, status: 'running' }, 'm.hansen');
    const { decisions, touchpoints, expected } = world(11, 160, experiment.id);
    await store.recordDecisions(decisions);
    await store.insertTouchpoints(touchpoints);
    const cohorts = await store.experiments.unitCohorts(experiment);
    expect(sorted(cohorts)).toEqual(sorted(expected));
    const units = expected.reduce((sum, c) => sum + c.units, 0);
    const impressions = expected.reduce((sum, c) => sum + c.impressions, 0);
    // Repeated impressions: counting them would have counted each customer about five times.
    expect(impressions).toBeGreaterThan(3 * units);
    const summary = summariseResults(experiment, cohorts);
    expect(summary.arms.reduce((sum, arm) => sum + arm.units, 0)).toBe(units);
    expect(summary.arms.reduce((sum, arm) => sum + arm.impressions, 0)).toBe(impressions);
    // The covariate tracks the customers' rates here, so CUPED removes variance.
    expect(summary.cuped?.correlation).toBeGreaterThan(0);
    expect(summary.arms[1]?.cuped?.varianceReduction).toBeGreaterThan(0);
  });

  it('reads the audience in customers: each once over the window, the holdout left out, converted within the window', async () => {
    const now = START + 20 * DAY;
    const decision = (id: string, subject: `c:${string}`, at: number, extra: Record<string, unknown> = {}) => ({
      id,
      subject,
      placement: 'dashboard-hero',
      offerId: 'house-savings-goal',
      channel: 'netbank',
      page: '/dashboard',
      locale: 'en',
      reason: 'best',
      trace: { cluster: null, stages: {}, ...extra },
      createdAt: new Date(at),
    });
    const ids = Array.from({ length: 5 }, () => crypto.randomUUID());
    await store.recordDecisions([
      // One customer on two days: one unit, not two.
      decision(ids[0] as string, 'c:aud-1', now - 10 * DAY),
      decision(ids[1] as string, 'c:aud-1', now - 9 * DAY),
      decision(ids[2] as string, 'c:aud-2', now - 5 * DAY),
      // In the holdout: never in an experiment, so not audience.
      decision(ids[3] as string, 'c:aud-3', now - 5 * DAY, { holdout: true }),
      // Before the window.
      decision(ids[4] as string, 'c:aud-4', now - 40 * DAY),
    ]);
    const refer = (i: number) => ({
      offer: 'house-savings-goal',
      placement: 'dashboard-hero',
      decisionId: ids[i] as string,
    });
    const at = (ms: number) => new Date(ms).toISOString();
    const tp = (subject: `c:${string}`, type: Touchpoint['type'], ms: number, i: number) => ({
      subject,
      anonymousId: null,
      touchpoint: { id: crypto.randomUUID(), type, occurredAt: at(ms), channel: 'netbank', ...refer(i) } as Touchpoint,
    });
    await store.insertTouchpoints([
      tp('c:aud-1', 'offer_impression', now - 10 * DAY + HOUR, 0),
      tp('c:aud-1', 'offer_impression', now - 9 * DAY + HOUR, 1),
      tp('c:aud-1', 'offer_click', now - 9 * DAY + 2 * HOUR, 1),
      tp('c:aud-2', 'offer_impression', now - 5 * DAY + HOUR, 2),
      // Clicked eight days after the first exposure: beyond the 7-day window.
      tp('c:aud-2', 'offer_click', now - 5 * DAY + 8 * DAY, 2),
      tp('c:aud-3', 'offer_impression', now - 5 * DAY + HOUR, 3),
      tp('c:aud-3', 'offer_click', now - 5 * DAY + 2 * HOUR, 3),
    ]);
    const history = await store.experiments.audienceHistory(
      ExperimentDraft.parse({
        name: 'Audience',
        hypothesis: {
          change: 'Any change on the hero',
          audience: { placements: ['dashboard-hero'] },
          primaryMetric: 'click_through',
          minimumEffect: 0.05,
          direction: 'increase',
          principle: 'social_proof',
          rationale: 'Only the audience is read here, nothing else.',
        },
        arms: [
          { id: 'control', name: 'Control', allocation: 1 },
          { id: 'b', name: 'B', allocation: 1, lever: 1.1 },
        ],
      }).hypothesis,
      { since: new Date(now - 28 * DAY), days: 28 },
    );
    expect(history).toEqual({ units: 2, convertedUnits: 1, dailyNewUnits: 2 / 28, source: 'decisions' });
  });
});
