import { describe, expect, it } from 'vitest';
import { simulate } from '../src/simulation.js';
import { demoCatalog } from './support/harness.js';

describe('the demo bank lives through a month against the engine', () => {
  it('the learning engine converts nearly as well as an oracle of the true rates, and far better than chance', () => {
    const result = simulate({ catalog: demoCatalog, days: 30, customers: 1_500 });
    expect(result.clusters).toBeGreaterThan(1);
    // Every policy meets the same visits and shows an offer on nearly all of them.
    expect(result.engine.impressions).toBe(result.oracle.impressions);
    expect(result.engine.conversions).toBeGreaterThanOrEqual(0.9 * result.oracle.conversions);
    expect(result.engine.value).toBeGreaterThanOrEqual(0.9 * result.oracle.value);
    expect(result.engine.conversions).toBeGreaterThan(1.5 * result.random.conversions);
    expect(result.engine.value).toBeGreaterThan(result.prior.value);
  }, 120_000);

  it('gives the same figures for the same seed, and others for another', () => {
    const small = { catalog: demoCatalog, days: 5, customers: 300 };
    expect(simulate(small)).toEqual(simulate(small));
    expect(simulate({ ...small, seed: 7 })).not.toEqual(simulate(small));
  }, 60_000);
});
