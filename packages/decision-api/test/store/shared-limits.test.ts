import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProblemError } from '../../src/http/problem.js';
import { rateLimiter } from '../../src/http/rate-limit.js';
import type { SharedLimits } from '../../src/store/shared-limits.js';
import { createSqlStore } from '../../src/store/store.js';
import { databaseFor, engines } from '../support/harness.js';

const limit = { ratePerSecond: 2, burst: 3 };
const MINUTE = 60_000;

describe.each(engines)('the shared rate limits and replay guard, on $name', (engine) => {
  const database = databaseFor(engine);
  // The embedded store takes seconds to start on a busy machine: once per engine, emptied between tests.
  beforeAll(() => database.open(), 120_000);
  afterAll(() => database.close());
  const limitsOf = async (): Promise<SharedLimits> => createSqlStore(await database.open()).limits;

  it('live in PostgreSQL when the store is one, in this process’s memory on the embedded store', async () => {
    expect((await limitsOf()).scope).toBe(engine.name === 'postgresql' ? 'database' : 'process');
  });

  it('give a burst, then one request per refill, and say how long to wait; each bucket on its own', async () => {
    const limits = await limitsOf();
    const take = (nowMs: number) =>
      limits.takeTokens(
        [
          { key: 'customer:a', limit },
          { key: 'site key:pk', limit: { ratePerSecond: 1, burst: 100 } },
        ],
        nowMs,
      );
    const waits = [];
    for (let i = 0; i < 4; i++) waits.push(await take(1_000));
    expect(waits).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [500, 0],
    ]);
    expect(await take(1_500)).toEqual([0, 0]);
    // A clock behind the bucket's (another instance's) refills nothing.
    expect(await take(1_200)).toEqual([500, 0]);
    expect(await limits.takeTokens([{ key: 'customer:b', limit }], 1_500)).toEqual([0]);
  });

  it('never hold more than the burst, however long a key was quiet', async () => {
    const limits = await limitsOf();
    await limits.takeTokens([{ key: 'address:x', limit }], 0);
    const waits = [];
    for (let i = 0; i < 4; i++) waits.push((await limits.takeTokens([{ key: 'address:x', limit }], 3_600_000))[0]);
    expect(waits).toEqual([0, 0, 0, 500]);
  });

  it('accept a partner’s signature once, per partner, until it expires; a forgotten one may be sent again', async () => {
    const limits = await limitsOf();
    expect(await limits.rememberSignature('p1', 'a1', 5 * MINUTE, 0)).toEqual({ outcome: 'fresh' });
    expect(await limits.rememberSignature('p1', 'a1', 5 * MINUTE, 4 * MINUTE)).toEqual({ outcome: 'replayed' });
    expect(await limits.rememberSignature('p2', 'a1', 5 * MINUTE, 4 * MINUTE)).toEqual({ outcome: 'fresh' });
    await limits.forgetSignature('p2', 'a1');
    expect(await limits.rememberSignature('p2', 'a1', 5 * MINUTE, 4 * MINUTE)).toEqual({ outcome: 'fresh' });
    // Past its expiry the timestamp check refuses the request anyway; the guard need not hold it.
    expect(await limits.rememberSignature('p1', 'a1', 11 * MINUTE, 6 * MINUTE)).toEqual({ outcome: 'fresh' });
  });

  it('purge expired signatures and buckets full again, and only those', async () => {
    const db = await database.open();
    const limits = createSqlStore(db).limits;
    await limits.rememberSignature('p1', 'old', MINUTE, 0);
    await limits.rememberSignature('p1', 'live', 10 * MINUTE, 0);
    await limits.takeTokens([{ key: 'customer:quiet', limit }], 0);
    await limits.takeTokens([{ key: 'customer:busy', limit }], 0);
    for (let i = 0; i < 3; i++) await limits.takeTokens([{ key: 'customer:busy', limit }], 1_000);
    // At 2 s the quiet bucket (one token spent at 0) is full again, as good as never seen; the busy one (emptied at
    // 1 s) is full at 2.5 s, and no signature has expired.
    expect(await limits.purgeExpired(2_000)).toEqual({ signatures: 0, buckets: 1 });
    // Kept, it holds the two tokens refilled since 1 s, not a full burst of three.
    const busy = [];
    for (let i = 0; i < 3; i++) busy.push((await limits.takeTokens([{ key: 'customer:busy', limit }], 2_000))[0]);
    expect(busy).toEqual([0, 0, 500]);
    const purged = await limits.purgeExpired(2 * MINUTE);
    if (engine.name === 'postgresql') {
      expect(purged).toEqual({ signatures: 1, buckets: 1 });
      expect(await db.query('SELECT signature FROM partner_signatures')).toEqual([{ signature: 'live' }]);
      expect(await db.query('SELECT count(*)::int AS n FROM rate_limit_buckets')).toEqual([{ n: 0 }]);
    } else {
      // In memory the replay guards prune themselves as they go.
      expect(purged).toEqual({ signatures: 0, buckets: 1 });
    }
    // The busy customer, purged only once full again, gets a full burst as before.
    expect(await limits.takeTokens([{ key: 'customer:busy', limit }], 2 * MINUTE)).toEqual([0]);
    expect(await limits.rememberSignature('p1', 'live', 10 * MINUTE, 2 * MINUTE)).toEqual({ outcome: 'replayed' });
  });
});

describe('the rate limiter while the shared buckets are away', () => {
  it('limits with this process’s own buckets, says so once, and asks the shared ones again later', async () => {
    let calls = 0;
    let away = true;
    const shared: SharedLimits = {
      scope: 'database',
      rememberSignature: async () => ({ outcome: 'fresh' }),
      forgetSignature: async () => {},
      takeTokens: async (takes) => {
        calls += 1;
        if (away) throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
        return takes.map(() => 0);
      },
      purgeExpired: async () => ({ signatures: 0, buckets: 0 }),
    };
    const log = vi.fn();
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const check = rateLimiter({ limits: shared, now: () => new Date(0), deadlineMs: 100, fallbackMs: 5_000, log });
      const rule = { scope: 'customer' as const, key: 'c1', limit };
      for (let i = 0; i < 3; i++) await check([rule]);
      const refused = await check([rule]).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ProblemError);
      expect(refused).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
      expect(calls).toBe(1);
      expect(log).toHaveBeenCalledTimes(1);
      expect(log.mock.calls[0]?.[0]).toMatch(/limits on its own for 5000 ms/);
      away = false;
      vi.advanceTimersByTime(5_001);
      await check([rule]);
      expect(calls).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
