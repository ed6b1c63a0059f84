import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TOUCHPOINT_TYPES } from '../../../src/contract/index.js';
import { createRandom, generateDemoBank } from '../../../src/demo/index.js';
import { productOfDemoPage } from '../../../src/demo/segments.js';
import { assignClusterForDecision } from '../../../src/domain/clustering/cluster-assignment.js';
import { assignCluster, trainClusters } from '../../../src/domain/clustering/clusters.js';
import {
  EMPTY_BEHAVIOUR,
  featuresOfBehaviour,
  MAX_RECENT_TOUCHPOINTS,
} from '../../../src/domain/journeys/behaviour.js';
import { FEATURE_NAMES, featuresOf } from '../../../src/domain/journeys/features.js';
import {
  applyTouchpoints,
  behaviourOf,
  type CustomerProfile,
  EMPTY_PROFILE,
  mergeProfiles,
  type ProfileTouchpoint,
} from '../../../src/domain/journeys/profile.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const DAY_MS = 86_400_000;
const TOLERANCE = 1e-9;
const productOfPage = (page: string) =>
  page.startsWith('/loans/car') ? 'car_loan' : page.startsWith('/pension') ? 'pension' : undefined;

const touchpointArb: fc.Arbitrary<ProfileTouchpoint> = fc.record(
  {
    type: fc.constantFrom(...TOUCHPOINT_TYPES),
    // Up to 400 days back, to the millisecond, and on the 30- and 90-day edges now and then.
    occurredAt: fc
      .oneof(
        fc.integer({ min: 0, max: 400 * DAY_MS }),
        fc.constantFrom(0, 30 * DAY_MS, 90 * DAY_MS, 90 * DAY_MS + 1, 30 * DAY_MS - 1),
      )
      .map((ago) => new Date(NOW.getTime() - ago).toISOString()),
    channel: fc.constantFrom('netbank' as const, 'mobilebank' as const),
    product: fc.constantFrom('car_loan', 'pension', 'savings', 'mortgage', 'credit_card'),
    page: fc.constantFrom('/loans/car', '/pension/payout', '/dashboard'),
  },
  { requiredKeys: ['type', 'occurredAt', 'channel'] },
);

/** The history cut into batches that arrive in any order, as ingest would see them. */
const batchesArb = fc
  .array(touchpointArb, { maxLength: 60 })
  .chain((history) =>
    fc
      .tuple(fc.array(fc.nat(history.length), { maxLength: 6 }), fc.nat())
      .map(([cuts, seed]) => ({ history, batches: shuffled(split(history, cuts), seed) })),
  );

function split<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const points = [...new Set([0, ...cuts, items.length])].sort((a, b) => a - b);
  return points.slice(1).map((end, i) => items.slice(points[i], end));
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = createRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

const ingested = (batches: readonly (readonly ProfileTouchpoint[])[], start: CustomerProfile = EMPTY_PROFILE) =>
  batches.reduce((profile, batch) => applyTouchpoints(profile, batch, productOfPage), start);

function vectorFromProfile(profile: CustomerProfile, now: Date): number[] {
  const behaviour = behaviourOf(profile);
  if (!behaviour) throw new Error('the profile keeps no behaviour');
  return featuresOfBehaviour(behaviour, profile.productsHeld, now);
}

function expectClose(actual: readonly number[], expected: readonly number[]) {
  expect(actual).toHaveLength(FEATURE_NAMES.length);
  actual.forEach((value, i) => {
    if (Math.abs(value - (expected[i] as number)) > TOLERANCE) {
      throw new Error(`${FEATURE_NAMES[i]}: ${value} from the profile, ${expected[i]} from the history`);
    }
  });
}

describe('a customer’s behaviour kept in the profile', () => {
  it('gives the features the history gives, however the touchpoints arrive and whenever the decision is', () => {
    fc.assert(
      fc.property(batchesArb, fc.integer({ min: 0, max: 200 * DAY_MS }), ({ history, batches }, later) => {
        const profile = ingested(batches);
        const now = new Date(NOW.getTime() + later);
        expectClose(vectorFromProfile(profile, now), featuresOf(history, profile.productsHeld, now, productOfPage));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same features when a device’s history joins the customer’s at login', () => {
    fc.assert(
      fc.property(batchesArb, batchesArb, ({ history: mine, batches: a }, { history: device, batches: b }) => {
        const merged = mergeProfiles(ingested(a), ingested(b));
        expectClose(
          vectorFromProfile(merged, NOW),
          featuresOf([...mine, ...device], merged.productsHeld, NOW, productOfPage),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('matches the batch features for the demo bank’s customers, as seeding builds their profiles', () => {
    const bank = generateDemoBank({ now: NOW, customers: 400, seed: 11 });
    const history = new Map<string, ProfileTouchpoint[]>();
    for (const { customerId, ...touchpoint } of bank.touchpoints) {
      history.set(customerId, [...(history.get(customerId) ?? []), touchpoint as ProfileTouchpoint]);
    }
    for (const customer of bank.customers) {
      const own = history.get(customer.id) ?? [];
      const profile = applyTouchpoints(
        { ...EMPTY_PROFILE, productsHeld: [...customer.productsHeld].sort() },
        own,
        productOfDemoPage,
      );
      expectClose(vectorFromProfile(profile, NOW), featuresOf(own, profile.productsHeld, NOW, productOfDemoPage));
    }
  });

  it('counts a touchpoint exactly 30 days old in the 30-day window, and one a millisecond older only in the 90-day one', () => {
    const thirty = new Date(NOW.getTime() - 30 * DAY_MS).toISOString();
    const older = new Date(NOW.getTime() - 30 * DAY_MS - 1).toISOString();
    const profile = ingested([
      [{ type: 'page_view', occurredAt: thirty, channel: 'netbank' }],
      [{ type: 'page_view', occurredAt: older, channel: 'mobilebank' }],
    ]);
    const named = Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, vectorFromProfile(profile, NOW)[i]]));
    expect(named['activity.touchpoints_30d']).toBe(Math.log1p(1));
    expect(named['activity.touchpoints_90d']).toBe(Math.log1p(2));
    expect(named['channel.mobile_share']).toBe(0.5);
    expect(behaviourOf(profile)?.firstAt).toBe(older);
    expect(behaviourOf(profile)?.lastAt).toBe(thirty);
  });

  it('counts active days the same when a stored behaviour’s times are out of order', () => {
    fc.assert(
      fc.property(batchesArb, ({ batches }) => {
        const behaviour = behaviourOf(ingested(batches)) as NonNullable<ReturnType<typeof behaviourOf>>;
        const shuffled = { ...behaviour, recent: [...behaviour.recent].reverse() };
        expect(featuresOfBehaviour(shuffled, [], NOW)).toEqual(featuresOfBehaviour(behaviour, [], NOW));
      }),
      { numRuns: 100 },
    );
  });

  it('keeps the profile row bounded: only the last 90 days’ times, at most a fixed number', () => {
    const many = Array.from({ length: MAX_RECENT_TOUCHPOINTS + 50 }, (_, i) => ({
      type: 'page_view' as const,
      occurredAt: new Date(NOW.getTime() - i * 60_000).toISOString(),
      channel: 'netbank' as const,
    }));
    const old = {
      type: 'page_view' as const,
      occurredAt: new Date(NOW.getTime() - 200 * DAY_MS).toISOString(),
      channel: 'netbank' as const,
    };
    const behaviour = behaviourOf(ingested([[old], many]));
    expect(behaviour?.recent).toHaveLength(MAX_RECENT_TOUCHPOINTS);
    expect(behaviour?.touchpoints).toBe(MAX_RECENT_TOUCHPOINTS + 51);
    expect(behaviour?.recent.at(-1)).toBe(NOW.getTime());
  });
});

describe('profiles stored before behaviour was kept', () => {
  const old: CustomerProfile = {
    ...EMPTY_PROFILE,
    touchpointCount: 3,
    lastSeenAt: NOW.toISOString(),
    productsHeld: ['savings'],
  };

  it('keep no behaviour rather than a partial one, so no cluster is guessed from part of a history', () => {
    const after = applyTouchpoints(
      old,
      [{ type: 'page_view', occurredAt: NOW.toISOString(), channel: 'netbank' }],
      productOfPage,
    );
    expect(behaviourOf(after)).toBeUndefined();
    expect(after.behaviour).toBeUndefined();
    expect(behaviourOf(mergeProfiles(old, ingested([[]])))).toBeUndefined();
  });

  it('count as empty when the subject was never seen in the bank’s own channels', () => {
    const neverSeen: CustomerProfile = { ...EMPTY_PROFILE, touchpointCount: 2 };
    expect(behaviourOf(neverSeen)).toEqual(EMPTY_BEHAVIOUR);
    const seen = applyTouchpoints(
      neverSeen,
      [{ type: 'product_view', occurredAt: NOW.toISOString(), channel: 'netbank', product: 'pension' }],
      productOfPage,
    );
    expect(behaviourOf(seen)?.touchpoints).toBe(1);
  });
});

describe('assigning a cluster at decision time', () => {
  const random = createRandom(3);
  const vectors = Array.from({ length: 240 }, (_, i) =>
    FEATURE_NAMES.map((_, j) => (i % 2 === 0 ? 0 : 4) + (j === 0 ? random.normal(0, 0.2) : 0)),
  );
  const { model } = trainClusters(vectors, { random: random.next, now: NOW, k: 2, minClusterSize: 10 });
  const customer = ingested([
    [
      { type: 'calculator_used', occurredAt: NOW.toISOString(), channel: 'netbank', product: 'car_loan' },
      { type: 'page_view', occurredAt: NOW.toISOString(), channel: 'mobilebank', page: '/pension' },
    ],
  ]);

  it('gives a customer the nearest centre of the active model, with the model version', () => {
    const assignment = assignClusterForDecision({ model, profile: customer, personalized: true, now: NOW });
    const expected = assignCluster(
      model,
      featuresOf(
        [
          { type: 'calculator_used', occurredAt: NOW.toISOString(), channel: 'netbank', product: 'car_loan' },
          { type: 'page_view', occurredAt: NOW.toISOString(), channel: 'mobilebank', page: '/pension' },
        ],
        [],
        NOW,
        productOfPage,
      ),
    );
    expect(assignment.cluster).toEqual({ id: expected, modelVersion: 1 });
    expect(assignment.reason).toContain('model v1');
  });

  it('gives no cluster, and says why, without consent, without a model, or without a history', () => {
    expect(assignClusterForDecision({ model, profile: customer, personalized: false, now: NOW })).toEqual({
      cluster: null,
      reason: expect.stringContaining('no consent'),
    });
    expect(assignClusterForDecision({ model: null, profile: customer, personalized: true, now: NOW }).reason).toBe(
      'no cluster model has been trained yet',
    );
    const newcomer = assignClusterForDecision({ model, profile: EMPTY_PROFILE, personalized: true, now: NOW });
    expect(newcomer.cluster).toBeNull();
    expect(newcomer.reason).toContain('no touchpoints');
    const stale = { ...EMPTY_PROFILE, touchpointCount: 4, lastSeenAt: NOW.toISOString() };
    expect(assignClusterForDecision({ model, profile: stale, personalized: true, now: NOW }).reason).toContain(
      'predates',
    );
    const otherFeatures = { ...model, featureNames: ['x', ...model.featureNames.slice(1)] };
    expect(
      assignClusterForDecision({ model: otherFeatures, profile: customer, personalized: true, now: NOW }).cluster,
    ).toBeNull();
  });
});
