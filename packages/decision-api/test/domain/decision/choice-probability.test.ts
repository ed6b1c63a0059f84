import { describe, expect, it } from 'vitest';
import type { JourneyStage } from '../../../src/contract/index.js';
import { compileCatalog } from '../../../src/domain/decision/catalog.js';
import { decide } from '../../../src/domain/decision/decide.js';
import { learnedModel } from '../../../src/domain/decision/learned-model.js';
import { evidenceKey, type OfferEvidence, seededRandom } from '../../../src/domain/decision/learning.js';
import { type CustomerProfile, EMPTY_PROFILE } from '../../../src/domain/journeys/profile.js';
import { demoCatalog } from '../../support/harness.js';

const catalog = compileCatalog(demoCatalog);
const NOW = new Date('2026-11-22T12:00:00Z');
const DAY = 86_400_000;
const counts = (impressions: number, conversions: number): OfferEvidence => ({
  impressions,
  clicks: conversions,
  conversions,
  at: NOW.toISOString(),
});

// Little evidence and close rates, so several offers have a fair chance on most pages.
const model = learnedModel(
  new Map([
    [evidenceKey('c1', 'car-loan-quote'), counts(60, 6)],
    [evidenceKey('c1', 'mortgage-price'), counts(40, 2)],
    [evidenceKey('c1', 'pension-check'), counts(30, 3)],
    [evidenceKey('c2', 'car-loan-quote'), counts(30, 1)],
    [evidenceKey('c2', 'investments-start'), counts(50, 6)],
    [evidenceKey('c2', 'savings-buffer'), counts(20, 4)],
    [evidenceKey('c2', 'home-insurance-price'), counts(25, 5)],
  ]),
  NOW,
  3,
);

const PRODUCTS = ['car_loan', 'mortgage', 'pension', 'investments', 'savings', 'home_insurance'] as const;
const STAGES: readonly JourneyStage[] = ['aware', 'explore', 'compare'];

/** A customer with two to four journeys at random stages and ages: different candidates and multipliers each time. */
function customer(random: () => number): CustomerProfile {
  const journeys: Record<string, { stage: JourneyStage; lastAt: string }> = {};
  for (const product of PRODUCTS) {
    if (random() < 0.55) {
      journeys[product] = {
        stage: STAGES[Math.floor(random() * STAGES.length)] as JourneyStage,
        lastAt: new Date(NOW.getTime() - random() * 20 * DAY).toISOString(),
      };
    }
  }
  return { ...EMPTY_PROFILE, journeys };
}

describe('the probability of every choice', () => {
  it('is calibrated: among decisions whose choice was recorded with probability p, that choice comes again a share p of the time', () => {
    const random = seededRandom(424242);
    const recorded: Array<{ p: number; share: number }> = [];
    const REPLAYS = 40;
    for (let situation = 0; situation < 500; situation++) {
      const profile = customer(random);
      const cluster = random() < 0.5 ? 'c1' : 'c2';
      const placements = random() < 0.5 ? ['dashboard-hero'] : ['dashboard-hero', 'product-sidebar'];
      const input = {
        catalog,
        profile,
        context: { channel: 'netbank' as const, page: '/dashboard', locale: 'en' as const },
        placements,
        now: NOW,
        cluster,
        learned: model,
      };
      const first = decide({ ...input, seed: Math.floor(random() * 2 ** 32) });
      const again = Array.from({ length: REPLAYS }, () => decide({ ...input, seed: Math.floor(random() * 2 ** 32) }));
      first.forEach((outcome, p) => {
        const { propensity, runnerUp } = outcome.trace;
        const chosen = outcome.offer?.id ?? null;
        const share = (offerId: string | null) =>
          again.filter((outcomes) => (outcomes[p]?.offer?.id ?? null) === offerId).length / REPLAYS;
        recorded.push({ p: propensity, share: share(chosen) });
        if (runnerUp) recorded.push({ p: runnerUp.propensity, share: share(runnerUp.offerId) });
      });
    }
    const buckets = Array.from({ length: 10 }, () => ({ p: 0, share: 0, n: 0 }));
    for (const { p, share } of recorded) {
      const bucket = buckets[Math.min(9, Math.floor(p * 10))] as { p: number; share: number; n: number };
      bucket.p += p;
      bucket.share += share;
      bucket.n += 1;
    }
    const filled = buckets.filter((bucket) => bucket.n >= 30);
    // Probabilities across the range, not only certainties.
    expect(filled.length).toBeGreaterThanOrEqual(6);
    for (const bucket of filled) {
      expect(Math.abs(bucket.share / bucket.n - bucket.p / bucket.n)).toBeLessThanOrEqual(0.05);
    }
  }, 120_000);

  it('is exact for a deterministic choice: 1 for the winner and 0 for the runner-up without exploration', () => {
    const profile: CustomerProfile = {
      ...EMPTY_PROFILE,
      journeys: {
        car_loan: { stage: 'compare', lastAt: new Date(NOW.getTime() - DAY).toISOString() },
        pension: { stage: 'explore', lastAt: new Date(NOW.getTime() - DAY).toISOString() },
      },
    };
    const input = {
      catalog,
      profile,
      context: { channel: 'netbank' as const, page: '/dashboard', locale: 'en' as const },
      placements: ['dashboard-hero'],
      now: NOW,
      cluster: 'c1',
      learned: model,
    };
    // An exploring decision first draws on the snapshot; the preview after it still ranks by posterior means.
    decide({ ...input, seed: 11 });
    const [outcome] = decide(input);
    for (const candidate of outcome?.trace.candidates ?? []) {
      if (candidate.score?.learned) expect(candidate.score.learned.sampled).toBe(candidate.score.learned.mean);
    }
    expect(outcome?.trace.propensity).toBe(1);
    expect(outcome?.trace.runnerUp).toMatchObject({ propensity: 0 });
    expect(outcome?.trace.runnerUp?.offerId).not.toBe(outcome?.offer?.id);
    expect(outcome?.trace.sampling).toBeUndefined();
  });

  it('a lone candidate is chosen with probability 1 even when the decision explores, and no offer at all too', () => {
    const [lone] = decide({
      catalog,
      profile: EMPTY_PROFILE,
      context: { channel: 'netbank', page: '/dashboard', locale: 'en' },
      placements: ['dashboard-hero', 'no-such-placement'],
      now: NOW,
      learned: model,
      seed: 7,
    });
    expect(lone?.offer?.id).toBe('house-savings-goal');
    expect(lone?.trace).toMatchObject({ propensity: 1, runnerUp: null });
    const none = decide({
      catalog,
      profile: EMPTY_PROFILE,
      context: { channel: 'netbank', page: '/dashboard', locale: 'en' },
      placements: ['no-such-placement'],
      now: NOW,
      seed: 7,
    })[0];
    expect(none?.offer).toBeNull();
    expect(none?.trace).toMatchObject({ propensity: 1, runnerUp: null });
  });
});
