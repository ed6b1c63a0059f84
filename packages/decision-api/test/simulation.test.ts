import { describe, expect, it } from 'vitest';
import { prepareBank, simulate } from '../src/cli/policy-simulation.js';
import { regretChart } from '../src/cli/regret-chart.js';
import { cumulativeRegret, ofOracle } from '../src/cli/simulation-goals.js';
import { SCENARIOS } from '../src/demo/scenarios.js';
import { demoCatalog } from './support/harness.js';

// Small worlds: the three-seed tables of every scenario run in `pnpm simulate`, not here.
const bank = prepareBank({ catalog: demoCatalog, customers: 1_200 });

describe('the demo bank lives through a month against the engine', () => {
  it('the learning engine converts nearly as well as an oracle of the true rates, and far better than chance', () => {
    const result = simulate({ catalog: demoCatalog, bank, days: 30 });
    expect(result.clusters).toBeGreaterThan(1);
    // Every policy meets the same visits and shows an offer on nearly all of them.
    expect(result.engine.impressions).toBe(result.oracle.impressions);
    expect(result.engine.conversions).toBeGreaterThanOrEqual(0.9 * result.oracle.conversions);
    expect(result.engine.value).toBeGreaterThanOrEqual(0.9 * result.oracle.value);
    expect(result.engine.conversions).toBeGreaterThan(1.5 * result.random.conversions);
    // The demo world's priors are right: learning keeps up with them (it cannot do much better, and exploring costs).
    expect(result.engine.conversions).toBeGreaterThanOrEqual(0.97 * result.prior.conversions);
    // The days add up to the totals.
    const days = result.daily.engine;
    expect(days).toHaveLength(30);
    expect(days.reduce((sum, day) => sum + day.impressions, 0)).toBe(result.engine.impressions);
    expect(days.reduce((sum, day) => sum + day.conversions, 0)).toBe(result.engine.conversions);
  }, 120_000);

  it('gives the same figures for the same seed, and others for another', () => {
    const small = { catalog: demoCatalog, days: 5, customers: 300 };
    expect(simulate(small)).toEqual(simulate(small));
    expect(simulate({ ...small, seed: 7 })).not.toEqual(simulate(small));
  }, 60_000);
});

describe('the harder worlds', () => {
  it('where the priors are wrong in two segments, the priors alone lose conversions they keep in the demo world', () => {
    const demo = simulate({ catalog: demoCatalog, bank, days: 20 });
    const wrong = simulate({ catalog: demoCatalog, bank, days: 20, scenario: 'wrong-priors' });
    expect(ofOracle(wrong, 'prior').conversions).toBeLessThan(ofOracle(demo, 'prior').conversions - 0.08);
    // … and the engine finds out: it wins back most of what the priors lose.
    expect(wrong.engine.conversions).toBeGreaterThan(1.1 * wrong.prior.conversions);
    expect(wrong.engine.value).toBeGreaterThan(wrong.prior.value);
    // The same visits: only the true rates differ.
    expect(wrong.visits).toBe(demo.visits);
  }, 120_000);

  it('a new offer is shown by no one before it enters, and the oracle shows it to savers after', () => {
    const result = simulate({ catalog: demoCatalog, bank, days: 26, scenario: 'cold-start' });
    const entry = SCENARIOS['cold-start'].focus?.day as number;
    for (const policy of ['random', 'prior', 'engine', 'oracle'] as const) {
      expect(result.daily[policy].slice(0, entry).every((day) => day.focus.offerImpressions === 0)).toBe(true);
    }
    const afterwards = result.daily.oracle.slice(entry).reduce((sum, day) => sum + day.focus.offerImpressions, 0);
    expect(afterwards).toBeGreaterThan(0);
  }, 120_000);

  it('a true rate moves on the day of the change, and only for its segment and product', () => {
    const change = SCENARIOS.change;
    const offer = demoCatalog.offers.find((o) => o.id === 'savings-fixed-rate');
    const other = demoCatalog.offers.find((o) => o.id === 'pension-meeting');
    if (!offer || !other) throw new Error('demo catalog changed');
    const at = new Date('2026-12-01T12:00:00Z');
    const journey = { stage: 'compare' as const, daysSince: 1 };
    const rate = (day: number, segment: 'savers' | 'dormant', o = offer) =>
      change.rate({ segment, offer: o, journey, day, at });
    expect(rate(30, 'savers')).toBeCloseTo(4 * rate(29.9, 'savers'), 12);
    expect(rate(30, 'dormant')).toBe(rate(29.9, 'dormant'));
    expect(rate(30, 'savers', other)).toBe(rate(29.9, 'savers', other));
  });

  it('the weekly rhythm brings fewer visits at the weekend than early in the week', () => {
    const result = simulate({ catalog: demoCatalog, bank, days: 14, scenario: 'weekly' });
    // The simulation starts on a Sunday: days 0, 6, 7 and 13 are weekend days, 1 and 8 Mondays.
    const visits = result.daily.oracle.map((day) => day.impressions);
    const weekend = (visits[0] as number) + (visits[6] as number) + (visits[7] as number) + (visits[13] as number);
    const mondays = (visits[1] as number) + (visits[8] as number);
    expect(mondays / 2).toBeGreaterThan(1.4 * (weekend / 4));
  }, 120_000);
});

describe('the regret chart', () => {
  it('draws each policy’s cumulative regret per day, the oracle flat at zero, and marks the event day', () => {
    const result = simulate({ catalog: demoCatalog, days: 6, customers: 300, scenario: 'change' });
    const engine = cumulativeRegret([result], 'engine');
    expect(engine).toHaveLength(6);
    expect(cumulativeRegret([result], 'oracle').every((value) => value === 0)).toBe(true);
    const svg = regretChart({
      title: 'change',
      subtitle: 'a <test> & more',
      series: [
        { name: 'engine', color: '#2166ac', values: engine },
        { name: 'oracle', color: '#1b7837', values: cumulativeRegret([result], 'oracle') },
      ],
      marker: { day: 3, label: 'day 3' },
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => (m[1] as string).split(' '));
    expect(lines.map((points) => points.length)).toEqual([6, 6]);
    expect(svg).toContain('a &lt;test&gt; &amp; more');
    expect(svg).toContain('stroke-dasharray');
  }, 60_000);
});
