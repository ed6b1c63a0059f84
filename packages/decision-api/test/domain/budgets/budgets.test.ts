import { describe, expect, it } from 'vitest';
import { Budget, Catalog } from '../../../src/contract/index.js';
import {
  budgetHold,
  budgetStanding,
  elapsedShare,
  localDay,
  localWeek,
  minimumBoost,
  pacingPlan,
  periodAt,
  trafficProfile,
} from '../../../src/domain/budgets/index.js';
import { demoCatalog } from '../../support/harness.js';

const ZONE = 'Europe/Copenhagen';
const daily = Budget.parse({
  id: 'pension-daily',
  name: 'Pension campaign impressions',
  scope: { kind: 'product', product: 'pension' },
  measure: 'served_decisions',
  period: 'day',
  maximum: 1000,
});

describe('budget periods in the bank’s time zone', () => {
  it('a day begins at Copenhagen midnight, and the day the clocks go forward has 23 hours', () => {
    const { start, end } = localDay(new Date('2026-03-29T12:00:00Z'), ZONE);
    expect(start.toISOString()).toBe('2026-03-28T23:00:00.000Z'); // CET, UTC+1
    expect(end.toISOString()).toBe('2026-03-29T22:00:00.000Z'); // CEST, UTC+2
    expect((end.getTime() - start.getTime()) / 3_600_000).toBe(23);
  });

  it('a week runs from Monday midnight, local time', () => {
    // Sunday 6 December 2026, 23:30 in Copenhagen is still that week; a minute past midnight is the next.
    expect(localWeek(new Date('2026-12-06T22:30:00Z'), ZONE).start.toISOString()).toBe('2026-11-29T23:00:00.000Z');
    expect(localWeek(new Date('2026-12-06T23:01:00Z'), ZONE).start.toISOString()).toBe('2026-12-06T23:00:00.000Z');
  });

  it('the counter of a day is named by its local date, and a campaign is in force only between its dates', () => {
    expect(periodAt(daily, new Date('2026-12-07T23:30:00Z'), ZONE)?.key).toBe('day-2026-12-08');
    const campaign = Budget.parse({
      ...daily,
      period: 'campaign',
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-31T00:00:00Z',
    });
    expect(periodAt(campaign, new Date('2026-11-30T12:00:00Z'), ZONE)).toBeNull();
    expect(periodAt(campaign, new Date('2026-12-10T12:00:00Z'), ZONE)?.key).toBe('campaign');
  });
});

describe('pacing', () => {
  const { start, end } = localDay(new Date('2026-12-08T12:00:00Z'), ZONE);

  it('is linear in time without a traffic profile', () => {
    const plan = pacingPlan(start, end, null, ZONE);
    expect(elapsedShare(plan, new Date(start.getTime() + 6 * 3_600_000))).toBeCloseTo(0.25, 10);
    expect(elapsedShare(plan, end)).toBe(1);
  });

  it('follows the hourly profile of the last weeks: a quiet night lets little through', () => {
    // Two weeks of traffic: nothing at night (00–06), 100 decisions an hour by day.
    const counts = Array.from({ length: 14 * 24 }, (_, h) => {
      const hour = new Date(Date.parse('2026-11-23T23:00:00Z') + h * 3_600_000);
      const local = (h % 24) as number;
      return { hour, decisions: local < 6 ? 0 : 100 };
    });
    const profile = trafficProfile(counts, ZONE);
    const plan = pacingPlan(start, end, profile, ZONE);
    expect(elapsedShare(plan, new Date(start.getTime() + 6 * 3_600_000))).toBeLessThan(0.001);
    expect(elapsedShare(plan, new Date(start.getTime() + 15 * 3_600_000))).toBeCloseTo(0.5, 2);
  });

  it('an offer behind the pace to its minimum gets a boost, up to double, and none on pace', () => {
    expect(minimumBoost(200, 100, 0.5)).toBe(1);
    expect(minimumBoost(200, 90, 0.5)).toBeCloseTo(1.5, 10);
    expect(minimumBoost(200, 0, 0.5)).toBe(2);
    expect(minimumBoost(undefined, 0, 0.5)).toBe(1);
  });
});

describe('holding an offer back', () => {
  const period = { key: 'day-2026-12-08', start: new Date(0), end: new Date(1) };

  it('names budget-exhausted once the maximum is reached and budget-paced while spend is at the pacing line', () => {
    const exhausted = budgetStanding(daily, period, 0.9, { spent: 1000, leased: { left: 0, used: 1000 } });
    const paced = budgetStanding(daily, period, 0.3, { spent: 300, leased: { left: 0, used: 300 } });
    const open = budgetStanding(daily, period, 0.3, { spent: 290, leased: { left: 4, used: 294 } });
    const none = new Map<string, number>();
    expect(budgetHold(new Map([[daily.id, exhausted]]), [daily], none)?.rule).toBe('budget-exhausted');
    expect(budgetHold(new Map([[daily.id, paced]]), [daily], none)?.rule).toBe('budget-paced');
    expect(budgetHold(new Map([[daily.id, open]]), [daily], none)).toBeNull();
    // What earlier placements of the page took counts.
    expect(budgetHold(new Map([[daily.id, open]]), [daily], new Map([[daily.id, 4]]))?.rule).toBe('budget-paced');
  });

  it('a budget counted on ingest is held to its pacing line from its counted spend', () => {
    const impressions = Budget.parse({ ...daily, measure: 'viewable_impressions' });
    expect(budgetStanding(impressions, period, 0.5, { spent: 499, leased: null }).available).toBe(1);
    expect(budgetStanding(impressions, period, 0.5, { spent: 500, leased: null }).available).toBe(0);
  });
});

describe('budgets in the catalog', () => {
  it('refuses a budget of an unknown offer, a minimum above the maximum and leads counted outside leads', () => {
    const result = Catalog.safeParse({
      ...demoCatalog,
      budgets: [
        { ...daily, id: 'a', scope: { kind: 'offer', offer: 'no-such-offer' } },
        { ...daily, id: 'b', minimum: 2000 },
        { ...daily, id: 'c', measure: 'leads_handed_over' },
        { ...daily, id: 'd', period: 'campaign' },
      ],
      timeZone: 'Mars/Olympus',
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('/'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'budgets/0/scope/offer',
        'budgets/1/minimum',
        'budgets/2/measure',
        'budgets/3/from',
        'budgets/3/to',
        'timeZone',
      ]),
    );
  });
});
