import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDecisionRecorder } from '../../src/jobs/decision-recorder.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { createSqlStore, type Store, type StoredDecision } from '../../src/store/store.js';
import { databaseFor, engines, NOW } from '../support/harness.js';
import { interruptedDatabase, type Outage } from '../support/outage.js';

const decisionsNamed = (from: number, count: number): StoredDecision[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(from + i).padStart(12, '0')}`,
    subject: `c:c-${from + i}`,
    placement: 'dashboard-hero',
    offerId: null,
    channel: 'netbank',
    page: '/dashboard',
    locale: 'en',
    reason: 'generic',
    trace: { note: `decision ${from + i}` },
    createdAt: NOW,
  }));

/** The real store, with `before` awaited before each of its decision writes. */
function beforeEachWrite(store: Store, before: (decisions: readonly StoredDecision[]) => Promise<void>): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key !== 'recordDecisions') return Reflect.get(target, key, receiver);
      return async (decisions: readonly StoredDecision[]) => {
        await before(decisions);
        return target.recordDecisions(decisions);
      };
    },
  });
}

/** The real store, each write held until the test lets it through and its batch size noted: a store that is behind. */
function heldStore(store: Store) {
  const batches: number[] = [];
  let release: () => void = () => {};
  let held = Promise.resolve();
  return {
    batches,
    hold() {
      held = new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
    store: beforeEachWrite(store, async (decisions) => {
      batches.push(decisions.length);
      await held;
    }),
  };
}

/** Requests arrive in turns of the event loop, not all in one. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const engine = engines[0] as (typeof engines)[number];

describe('decision records written behind the answers', () => {
  const database = databaseFor(engine);
  let db: SqlDatabase;
  let outage: Outage;
  afterAll(() => database.close());
  afterEach(() => {
    vi.useRealTimers();
  });
  beforeEach(async () => {
    db = await database.open();
    outage = interruptedDatabase(db);
  });
  const storedIds = async () =>
    (await db.query<{ id: string }>('SELECT id FROM decisions ORDER BY id')).map((row) => row.id);

  it('a flush resolves once what was recorded before it is stored', async () => {
    const recorder = createDecisionRecorder(createSqlStore(db), { delayMs: 60_000 });
    recorder.record(decisionsNamed(1, 3));
    await recorder.flush();
    expect(await storedIds()).toEqual(decisionsNamed(1, 3).map((d) => d.id));
    expect(recorder.pending).toBe(0);
    expect(await recorder.close()).toBe(0);
  });

  it('while the store is away, one write fails per retry, not one per batch, and all are written when it is back', async () => {
    const errors: unknown[] = [];
    const held = heldStore(createSqlStore(outage.db));
    const recorder = createDecisionRecorder(held.store, {
      delayMs: 60_000,
      maxBuffered: 500,
      retryMs: 60_000,
      onError: (error) => errors.push(error),
    });
    outage.refuse();
    for (let i = 0; i < 2_000; i += 10) {
      recorder.record(decisionsNamed(i, 10));
      await nextTurn();
    }
    await recorder.flush();
    // The write when 500 were buffered, and the flush asked for; none at 1,000, 1,500 and 2,000.
    expect(errors).toHaveLength(2);
    expect(recorder.pending).toBe(2_000);
    outage.restore();
    held.batches.length = 0;
    await recorder.flush();
    // The backlog goes out in batches no larger than a normal one.
    expect(held.batches).toEqual([500, 500, 500, 500]);
    expect(await storedIds()).toHaveLength(2_000);
    expect(await recorder.close()).toBe(0);
  });

  it('a store that stays away keeps at most maxKept and refuses the rest: nothing kept is dropped', async () => {
    const told: Array<[number, number]> = [];
    const recorder = createDecisionRecorder(createSqlStore(outage.db), {
      delayMs: 60_000,
      maxKept: 100,
      retryMs: 60_000,
      onError: () => {},
      onRefused: (count, total) => told.push([count, total]),
    });
    outage.refuse();
    expect(recorder.record(decisionsNamed(0, 60))).toBe(true);
    await recorder.flush();
    // 40 more fit beside the 60 that failed to be written; 190 at once do not, and none of them is kept.
    expect(recorder.record(decisionsNamed(60, 190))).toBe(false);
    expect(recorder.admits(41)).toBe(false);
    expect(recorder.record(decisionsNamed(60, 40))).toBe(true);
    expect(recorder.pending).toBe(100);
    expect(recorder.refused).toBe(231);
    expect(recorder.kept).toBe(100);
    expect(told).toEqual([[190, 190]]);
    outage.restore();
    await recorder.flush();
    expect(await storedIds()).toEqual(decisionsNamed(0, 100).map((d) => d.id));
    expect(await recorder.close()).toBe(0);
  });

  it('a store slower than the decisions holds memory to maxKept, counting the write under way: later decisions are refused, every kept one written in order', async () => {
    const told: Array<[number, number]> = [];
    let clock = 0;
    const held = heldStore(createSqlStore(db));
    held.hold();
    const recorder = createDecisionRecorder(held.store, {
      delayMs: 60_000,
      maxBuffered: 10,
      maxKept: 100,
      refusedLogMs: 10_000,
      now: () => clock,
      onRefused: (count, total) => told.push([count, total]),
    });
    // 30 batches of 10 while the first write hangs: it is under way, 90 more wait, the rest are refused.
    const answers: boolean[] = [];
    for (let batch = 0; batch < 30; batch++) {
      answers.push(recorder.record(decisionsNamed(batch * 10, 10)));
      await nextTurn();
      expect(recorder.pending).toBeLessThanOrEqual(90);
      clock += 1_000;
    }
    expect(answers).toEqual([...Array(10).fill(true), ...Array(20).fill(false)]);
    expect(recorder.pending).toBe(90);
    expect(recorder.refused).toBe(200);
    // Told at the first refusal and again after ten seconds, not at every refusal.
    expect(told).toEqual([
      [10, 10],
      [100, 110],
    ]);
    held.release();
    expect(await recorder.close()).toBe(0);
    // The write that was under way, then the ninety that waited, joined, in the order they were decided.
    expect(held.batches).toEqual([10, 90]);
    expect(await storedIds()).toEqual(decisionsNamed(0, 100).map((d) => d.id));
  });

  it('a write that fails gives its decisions back without dropping any: the bound counted them while under way', async () => {
    const held = heldStore(createSqlStore(outage.db));
    held.hold();
    const recorder = createDecisionRecorder(held.store, {
      delayMs: 60_000,
      maxKept: 20,
      retryMs: 60_000,
      onError: () => {},
    });
    recorder.record(decisionsNamed(0, 15));
    const written = recorder.flush();
    // Under way: 15 of the 20 taken, so 5 more fit and 6 do not.
    expect(recorder.record(decisionsNamed(15, 6))).toBe(false);
    expect(recorder.record(decisionsNamed(15, 5))).toBe(true);
    outage.refuse();
    held.release();
    await written;
    expect(recorder.pending).toBe(20);
    expect(recorder.admits(1)).toBe(false);
    outage.restore();
    await recorder.flush();
    expect(await storedIds()).toEqual(decisionsNamed(0, 20).map((d) => d.id));
    expect(await recorder.close()).toBe(0);
  });

  it('while the store is away and decisions keep coming, a write is tried once per retry, not once per batch', async () => {
    const errors: unknown[] = [];
    // A store that is away and takes 5 ms to say so, as a refused connection does.
    const slowToRefuse = beforeEachWrite(createSqlStore(outage.db), async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    const recorder = createDecisionRecorder(slowToRefuse, {
      delayMs: 10,
      retryMs: 1_000,
      onError: (error) => errors.push(error),
    });
    outage.refuse();
    // Three seconds of a decision every 10 ms (timers faked).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    for (let i = 0; i < 300; i++) {
      recorder.record(decisionsNamed(i, 1));
      await vi.advanceTimersByTimeAsync(10);
    }
    vi.useRealTimers();
    // The first batch's write, then one retry a second.
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(errors.length).toBeLessThanOrEqual(4);
    outage.restore();
    await recorder.flush();
    expect(await storedIds()).toHaveLength(300);
    expect(await recorder.close()).toBe(0);
  });

  it('a write that hangs fails after writeTimeoutMs and is retried; the late answer and the retry store each once', async () => {
    const errors: unknown[] = [];
    const held = heldStore(createSqlStore(db));
    held.hold();
    // Long enough for a write that is let through to finish on a busy machine, short enough for the test.
    const writeTimeoutMs = 250;
    const recorder = createDecisionRecorder(held.store, {
      delayMs: 60_000,
      retryMs: 20,
      writeTimeoutMs,
      onError: (error) => errors.push(error),
    });
    recorder.record(decisionsNamed(0, 10));
    // Resolves when the hung write is given up, not when it answers.
    await recorder.flush();
    expect(String(errors[0])).toContain(`did not answer within ${writeTimeoutMs} ms`);
    expect(recorder.pending).toBe(10);
    // Retried while it hangs (every 20 ms after each wait); then let everything through.
    await vi.waitFor(() => expect(held.batches.length).toBeGreaterThan(1), { timeout: 10_000 });
    held.release();
    // Until a write that was let through answers (each flush resolves when the write under way is done).
    await vi.waitFor(
      async () => {
        await recorder.flush();
        expect(recorder.pending).toBe(0);
      },
      { timeout: 20_000, interval: 20 },
    );
    expect(await recorder.close()).toBe(0);
    expect(await storedIds()).toEqual(decisionsNamed(0, 10).map((d) => d.id));
  });

  it('callbacks that throw stop neither recording nor writing', async () => {
    const recorder = createDecisionRecorder(createSqlStore(outage.db), {
      delayMs: 60_000,
      retryMs: 60_000,
      maxKept: 5,
      onError: () => {
        throw new Error('a logger that throws');
      },
      onRefused: () => {
        throw new Error('a logger that throws');
      },
    });
    outage.refuse();
    recorder.record(decisionsNamed(0, 3));
    await expect(recorder.flush()).resolves.toBeUndefined();
    expect(() => recorder.record(decisionsNamed(3, 7))).not.toThrow();
    expect(recorder.refused).toBe(7);
    expect(recorder.record(decisionsNamed(3, 2))).toBe(true);
    outage.restore();
    await recorder.flush();
    expect(await storedIds()).toEqual(decisionsNamed(0, 5).map((d) => d.id));
    expect(await recorder.close()).toBe(0);
  });
});
