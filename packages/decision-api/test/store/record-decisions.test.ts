import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { SqlDatabase } from '../../src/store/sql.js';
import { createSqlStore, type Store, type StoredDecision } from '../../src/store/store.js';
import { databaseFor, engines } from '../support/harness.js';

const trace = {
  cluster: { id: 'cluster-2' },
  stages: { car_loan: 'compare', pension: 'aware' },
  candidates: [
    { offerId: 'car-loan-green', product: 'car_loan' },
    { offerId: 'pension-check', product: 'pension' },
    { offerId: 'generic', product: null },
  ],
};

let next = 0;
const decision = (over: Partial<StoredDecision> = {}): StoredDecision => ({
  id: `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`,
  subject: 'c:c-1',
  placement: 'hero',
  offerId: 'car-loan-green',
  channel: 'mobilebank',
  page: '/loans/car',
  locale: 'da',
  reason: 'Fordi du kigger på billån',
  trace,
  // Just before midnight UTC (after midnight in Copenhagen): the counts' day is the UTC day.
  createdAt: new Date('2026-11-22T23:59:00Z'),
  ...over,
});

const served = (over: Record<string, unknown>) => ({
  day: '2026-11-22',
  offerId: 'car-loan-green',
  placement: 'hero',
  channel: 'mobilebank',
  type: 'served',
  cluster: 'cluster-2',
  stage: 'compare',
  ...over,
});

describe.each(engines)('recording decisions on $name', (engine) => {
  const database = databaseFor(engine);
  let db: SqlDatabase;
  let store: Store;
  afterAll(() => database.close());
  beforeEach(async () => {
    db = await database.open();
    store = createSqlStore(db);
  });

  it('stores each decision with its trace, and counts the served offers by the cluster and stage it saw', async () => {
    const first = decision();
    await store.recordDecisions([
      first,
      decision(),
      decision({ offerId: 'pension-check', placement: 'sidebar' }),
      decision({ offerId: 'generic', trace: { ...trace, cluster: null } }),
      // Nothing served: stored, not counted.
      decision({ offerId: null }),
      decision({ offerId: 'car-loan-green', createdAt: new Date('2026-11-23T00:00:00Z') }),
    ]);
    expect(await store.decision(first.id)).toEqual(first);
    expect(await store.offerDailyCounts()).toEqual([
      served({ count: 2 }),
      served({ offerId: 'generic', cluster: '', stage: '', count: 1 }),
      served({ offerId: 'pension-check', placement: 'sidebar', stage: 'aware', count: 1 }),
      served({ day: '2026-11-23', count: 1 }),
    ]);
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM decisions');
    expect(row?.n).toBe(6);
  });

  it('a repeated write stores and counts nothing twice; in a batch with new decisions, the new ones count', async () => {
    const batch = [decision(), decision({ offerId: 'pension-check' })];
    await store.recordDecisions(batch);
    await store.recordDecisions(batch);
    await store.recordDecisions([...batch, decision()]);
    expect(await store.offerDailyCounts()).toEqual([
      served({ count: 2 }),
      served({ offerId: 'pension-check', stage: 'aware', count: 1 }),
    ]);
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM decisions');
    expect(row?.n).toBe(3);
  });

  it('an id twice in one batch is stored and counted once, as its first', async () => {
    const first = decision();
    await store.recordDecisions([first, { ...first, offerId: 'pension-check', placement: 'sidebar' }]);
    expect(await store.decision(first.id)).toEqual(first);
    expect(await store.offerDailyCounts()).toEqual([served({ count: 1 })]);
  });

  it('a batch with a decision the database refuses stores none of it and counts nothing', async () => {
    const refused = decision({ subject: null as unknown as StoredDecision['subject'] });
    await expect(store.recordDecisions([decision(), refused])).rejects.toThrow();
    expect(await store.offerDailyCounts()).toEqual([]);
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM decisions');
    expect(row?.n).toBe(0);
  });

  it('an empty batch writes nothing', async () => {
    await store.recordDecisions([]);
    expect(await store.offerDailyCounts()).toEqual([]);
  });
});
