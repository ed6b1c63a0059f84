import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { createProfileCache } from '../../src/snapshots/profile-cache.js';
import { customerSubject } from '../../src/store/store.js';
import { customerToken, decisionRequest, engines, touchpointOf, useHarness } from '../support/harness.js';

interface Decision {
  readonly decisionId: string;
}

/**
 * A customer's profile is kept in memory between their decisions while the store's change feed is live, and dropped
 * whenever anything changes it: this app's writes at once, anyone else's through the feed (on PostgreSQL over the
 * listening connection, on PGlite in process).
 */
describe.each(engines)('profiles kept between decisions on $name', (engine) => {
  const h = useHarness(engine);
  const stats = () => h.touchpoint.services.profileCache.stats();

  const decide = async (device: string, token: string) => {
    const response = await h.post('/v1/decisions', decisionRequest(['dashboard-hero'], '/dashboard', device), {
      token,
    });
    expect(response.status).toBe(200);
    const { decisions } = (await response.json()) as { decisions: Decision[] };
    const decisionId = decisions[0]?.decisionId as string;
    await h.touchpoint.flush();
    const stored = await h.store.decision(decisionId);
    return stored?.trace as { stages: Record<string, string>; productsHeld: string[] };
  };

  it('reads a customer once for repeated decisions, and again after their own touchpoints', async () => {
    const token = await customerToken('c-cache-1');
    const device = crypto.randomUUID();
    expect(stats().live).toBe(true);
    const first = await decide(device, token);
    expect(first.stages.car_loan).toBeUndefined();
    const { hits, misses } = stats();
    await decide(device, token);
    await decide(device, token);
    expect(stats()).toMatchObject({ hits: hits + 2, misses });

    const tracked = await h.post(
      '/v1/touchpoints',
      { anonymousId: device, touchpoints: [touchpointOf('calculator_used', { product: 'car_loan' })] },
      { token },
    );
    expect(tracked.status).toBe(200);
    // No waiting: the app's own write dropped the kept profile before the touchpoints were acknowledged.
    const after = await decide(device, token);
    expect(after.stages.car_loan).toBeDefined();
    expect(stats().misses).toBe(misses + 1);
  });

  it('hears a profile changed behind its back, by another process or by hand', async () => {
    const token = await customerToken('c-cache-2');
    const device = crypto.randomUUID();
    await h.store.putProfiles([
      {
        subject: customerSubject('c-cache-2'),
        profile: { ...(await h.store.profile(customerSubject('c-cache-2'))), productsHeld: [] },
      },
    ]);
    expect((await decide(device, token)).productsHeld).toEqual([]);
    expect(stats().size).toBeGreaterThan(0);
    // Written as another process would: not through this app's store, so only the database's notification tells.
    await h.db.query(
      `UPDATE profiles SET body = jsonb_set(body, '{productsHeld}', '["car_loan"]') WHERE subject = $1`,
      [customerSubject('c-cache-2')],
    );
    await vi.waitFor(async () => expect((await decide(device, token)).productsHeld).toEqual(['car_loan']), {
      timeout: 10_000,
      interval: 50,
    });
  });

  it('drops every kept profile when the bank uploads scores', async () => {
    await decide(crypto.randomUUID(), await customerToken('c-cache-3'));
    expect(stats().size).toBeGreaterThan(0);
    await h.db.query(
      `INSERT INTO propensity_scores (customer_id, offer_id, score, model_name, model_version, uploaded_at)
       VALUES ('c-cache-3', 'car-loan-calculator', 0.9, 'bank', '1', now())`,
    );
    await vi.waitFor(() => expect(stats().size).toBe(0), { timeout: 10_000, interval: 50 });
  });

  it('forgets an erased customer at once', async () => {
    const token = await customerToken('c-cache-4');
    const device = crypto.randomUUID();
    await h.post(
      '/v1/touchpoints',
      { anonymousId: device, touchpoints: [touchpointOf('calculator_used', { product: 'car_loan' })] },
      { token },
    );
    expect((await decide(device, token)).stages.car_loan).toBeDefined();
    expect((await h.delete('/v1/me', { token })).status).toBeLessThan(300);
    expect((await decide(device, token)).stages.car_loan).toBeUndefined();
  });

  it('does not keep what a read found when the profile changed while it was under way', async () => {
    const customerId = 'c-cache-5';
    const device = crypto.randomUUID();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The real store, with its answer held back until the test lets it go.
    const cache = createProfileCache(
      {
        customerProfile: async (...args) => {
          const read = await h.store.customerProfile(...args);
          await held;
          return read;
        },
        storedProfile: (subject) => h.store.storedProfile(subject),
      },
      { maxEntries: 100, ttlMs: 60_000 },
    );
    cache.live(true);
    const reading = cache.customer(customerId, device);
    cache.drop([customerSubject(customerId)]);
    release();
    await reading;
    // Only the device's (unchanged) absence is kept: the customer is read again.
    expect(cache.stats().size).toBe(1);
    await cache.customer(customerId, device);
    expect(cache.stats()).toMatchObject({ size: 2, hits: 0, misses: 2 });
    // Read with nothing in the way: kept.
    await cache.customer(customerId, device);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2 });
  });

  it('keeps at most its number of profiles, and nothing past their time', async () => {
    let clock = 0;
    const cache = createProfileCache(h.store, { maxEntries: 4, ttlMs: 1_000, clock: () => clock });
    cache.live(true);
    for (const n of [1, 2, 3]) await cache.customer(`c-cache-lru-${n}`, `00000000-0000-4000-8000-00000000000${n}`);
    // Each customer brings their device: six subjects, four kept, the least recently used gone.
    expect(cache.stats().size).toBe(4);
    await cache.customer('c-cache-lru-3', '00000000-0000-4000-8000-000000000003');
    expect(cache.stats().hits).toBe(1);
    clock = 1_000;
    await cache.customer('c-cache-lru-3', '00000000-0000-4000-8000-000000000003');
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 4 });
  });

  it('keeps nothing while it cannot hear changes', async () => {
    const cache = createProfileCache(h.store, { maxEntries: 100, ttlMs: 60_000 });
    await cache.customer('c-cache-6', crypto.randomUUID());
    expect(cache.stats().size).toBe(0);
    cache.live(true);
    const device = crypto.randomUUID();
    await cache.customer('c-cache-6', device);
    expect(cache.stats().size).toBe(2);
    cache.live(false);
    expect(cache.stats().size).toBe(0);
    await cache.customer('c-cache-6', device);
    expect(cache.stats()).toMatchObject({ size: 0, hits: 0 });
  });

  it.runIf(engine.name === 'postgresql')(
    'stops keeping profiles when its listening connection is cut, and starts again when it is back',
    async () => {
      const token = await customerToken('c-cache-7');
      const device = crypto.randomUUID();
      await decide(device, token);
      expect(stats().size).toBeGreaterThan(0);
      const [row] = await h.db.query<{ schema: string }>('SELECT current_schema() AS schema');
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      try {
        const cut = await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
          [`touchpoint listen ${row?.schema}`.slice(0, 63)],
        );
        expect(cut.rowCount).toBe(1);
      } finally {
        await admin.end();
      }
      await vi.waitFor(() => expect(stats()).toMatchObject({ live: false, size: 0 }), { timeout: 10_000 });
      await vi.waitFor(() => expect(stats().live).toBe(true), { timeout: 20_000, interval: 100 });
      await decide(device, token);
      expect(stats().size).toBeGreaterThan(0);
    },
  );
});
