import { describe, expect, it } from 'vitest';
import type { Touchpoint } from '../../src/contract/index.js';
import type { CustomerProfile } from '../../src/domain/journeys/profile.js';
import { purgeExpiredTouchpoints } from '../../src/jobs/retention.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations.js';
import { listMonthPartitions, monthStart, partitionName } from '../../src/store/partitions.js';
import type { SqlClient } from '../../src/store/sql.js';
import { createSqlStore, customerSubject, type TouchpointRow } from '../../src/store/store.js';
import { customerToken, engines, NOW, touchpointOf, useHarness } from '../support/harness.js';

const DAY_MS = 86_400_000;
/** The middle of the UTC month `offset` months from `at`: far from any month boundary. */
const midMonth = (at: Date, offset: number) => new Date(monthStart(at, offset).getTime() + 14 * DAY_MS);

const aTouchpoint = (occurredAt: Date, fields: Partial<Touchpoint> = {}): Touchpoint => ({
  id: crypto.randomUUID(),
  type: 'offer_impression',
  occurredAt: occurredAt.toISOString(),
  channel: 'netbank',
  offer: 'car-loan-green',
  placement: 'dashboard-hero',
  ...fields,
});

/** Which partition holds each touchpoint, by id. */
async function partitionOf(db: SqlClient, ids: readonly string[]): Promise<Record<string, string>> {
  const rows = await db.query<{ id: string; partition: string }>(
    'SELECT id::text AS id, tableoid::regclass::text AS partition FROM touchpoints WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return Object.fromEntries(rows.map((row) => [row.id, row.partition.replace(/^.*\./, '')]));
}

const countOf = async (db: SqlClient, table: string) =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]?.n ?? 0;

describe.each(engines)('touchpoints partitioned by month on $name', (engine) => {
  const h = useHarness(engine);
  const now = new Date();
  const rows = (touchpoints: Touchpoint[]) =>
    touchpoints.map((touchpoint) => ({ subject: customerSubject('c-part'), anonymousId: null, touchpoint }));

  it('stores a repeated touchpoint id once, even sent again with another time, also when sent at once', async () => {
    const token = await customerToken('c-once');
    const anonymousId = crypto.randomUUID();
    const first = touchpointOf('page_view', { page: '/loans/car' });
    const batch = { anonymousId, touchpoints: [first] };
    const sent = await h.post('/v1/touchpoints', batch, { token });
    expect(((await sent.json()) as { accepted: string[] }).accepted).toEqual([first.id]);

    const again = await h.post('/v1/touchpoints', batch, { token });
    expect(await again.json()).toMatchObject({ accepted: [], duplicates: [first.id] });
    // Another month: another partition, so only touchpoint_ids can tell it is the same touchpoint.
    const moved = { ...first, occurredAt: new Date(NOW.getTime() - 90 * DAY_MS).toISOString() };
    const later = await h.post('/v1/touchpoints', { anonymousId, touchpoints: [moved] }, { token });
    expect(await later.json()).toMatchObject({ accepted: [], duplicates: [first.id] });

    // Two requests racing with the same new id: one stores it.
    const racing = touchpointOf('page_view', { page: '/loans/home' });
    const answers = await Promise.all(
      [0, 1].map(() => h.post('/v1/touchpoints', { anonymousId, touchpoints: [racing] }, { token })),
    );
    const bodies = (await Promise.all(answers.map((answer) => answer.json()))) as Array<{ accepted: string[] }>;
    expect(bodies.flatMap((body) => body.accepted)).toEqual([racing.id]);

    expect(await h.store.countTouchpoints(customerSubject('c-once'))).toBe(2);
    expect(await h.store.countTouchpointsWithIds([first.id as string, racing.id as string])).toBe(2);
  });

  it('a batch repeating an id stores it once: its first row is accepted, the others are duplicates, counted once', async () => {
    const count = (profile: CustomerProfile, stored: readonly TouchpointRow[]) => ({
      ...profile,
      touchpointCount: profile.touchpointCount + stored.length,
    });
    const touchpointCount = async (customerId: string) =>
      (await h.store.storedProfile(customerSubject(customerId)))?.touchpointCount;
    const first = aTouchpoint(now);
    const other = aTouchpoint(midMonth(now, -1));
    // The same id again, for another customer, and once more in upper case in another month.
    const sameId = { ...first, type: 'offer_click' as const };
    const upperCase = { ...first, id: first.id.toUpperCase(), occurredAt: midMonth(now, -2).toISOString() };
    const result = await h.store.ingestForSubjects(
      [
        { subject: customerSubject('c-rep-1'), touchpoint: first },
        { subject: customerSubject('c-rep-2'), touchpoint: other },
        { subject: customerSubject('c-rep-2'), touchpoint: sameId },
        { subject: customerSubject('c-rep-1'), touchpoint: upperCase },
      ],
      count,
    );
    expect(result).toEqual({ accepted: [first.id, other.id], duplicates: [first.id, upperCase.id] });
    expect(await touchpointCount('c-rep-1')).toBe(1);
    expect(await touchpointCount('c-rep-2')).toBe(1);
    expect(await countOf(h.db, 'touchpoints')).toBe(2);
    expect(await h.store.countTouchpointsWithIds([first.id, other.id])).toBe(2);
    // The offer counts count the stored row only.
    expect((await h.store.offerDailyCounts()).reduce((sum, row) => sum + row.count, 0)).toBe(2);

    // Batches sent at once sharing new ids in another order, and an id stored before: each new id is stored once.
    const fresh = Array.from({ length: 40 }, () => aTouchpoint(now));
    const batches = [[...fresh, first], [...fresh].reverse(), fresh.slice(10, 30)];
    const results = await Promise.all(
      batches.map((touchpoints) =>
        h.store.ingestForSubjects(
          touchpoints.map((touchpoint) => ({ subject: customerSubject('c-rep-3'), touchpoint })),
          count,
        ),
      ),
    );
    expect(results.flatMap((r) => r.accepted).sort()).toEqual(fresh.map((t) => t.id).sort());
    expect(results.flatMap((r) => r.duplicates)).toHaveLength(batches.flat().length - fresh.length);
    expect(await touchpointCount('c-rep-3')).toBe(fresh.length);
    expect(await countOf(h.db, 'touchpoints')).toBe(2 + fresh.length);
  });

  it('files each month in its own partition, made on demand; a month far off waits in the default partition', async () => {
    const current = aTouchpoint(now);
    const lastYear = aTouchpoint(midMonth(now, -11));
    const tooOld = aTouchpoint(midMonth(now, -30));
    const farAhead = aTouchpoint(midMonth(now, 40));
    expect(await h.store.insertTouchpoints(rows([current, lastYear, tooOld, farAhead]))).toBe(4);

    const names = (await listMonthPartitions(h.db)).map((partition) => partition.name);
    expect(names).toEqual(
      expect.arrayContaining([partitionName(monthStart(now, -11)), partitionName(monthStart(now))]),
    );
    expect(names).not.toContain(partitionName(monthStart(now, -30)));
    expect(names).not.toContain(partitionName(monthStart(now, 40)));

    const placed = await partitionOf(h.db, [current.id, lastYear.id, tooOld.id, farAhead.id]);
    expect(placed).toEqual({
      [current.id]: partitionName(monthStart(now)),
      [lastYear.id]: partitionName(monthStart(now, -11)),
      [tooOld.id]: 'touchpoints_default',
      [farAhead.id]: 'touchpoints_default',
    });

    // When the far month comes near, its partition is made ahead and takes its rows from the default partition.
    const made = await h.store.createPartitionsAhead(monthStart(now, 39));
    expect(made).toContain(partitionName(monthStart(now, 40)));
    expect(await partitionOf(h.db, [farAhead.id])).toEqual({ [farAhead.id]: partitionName(monthStart(now, 40)) });
    expect(await h.store.countTouchpointsWithIds([current.id, lastYear.id, tooOld.id, farAhead.id])).toBe(4);
  });

  it('retention drops the months before the cutoff whole, deletes the rest row by row, and forgets their ids', async () => {
    const cutoff = new Date(now.getTime() - 395 * DAY_MS);
    const wholeMonth = [aTouchpoint(midMonth(cutoff, -2)), aTouchpoint(midMonth(cutoff, -1))];
    const inDefault = aTouchpoint(midMonth(now, -30));
    const cutoffMonth = monthStart(cutoff);
    // The cutoff's own month: what is before the cutoff goes, what is after stays.
    const justBefore = aTouchpoint(new Date(Math.max(cutoff.getTime() - DAY_MS, cutoffMonth.getTime())));
    const justAfter = aTouchpoint(new Date(cutoff.getTime() + 60_000));
    const recent = aTouchpoint(new Date(now.getTime() - DAY_MS));
    const all = [...wholeMonth, inDefault, justBefore, justAfter, recent];
    expect(await h.store.insertTouchpoints(rows(all))).toBe(all.length);
    const counts = await h.store.offerDailyCounts();
    const droppedNames = wholeMonth.map((touchpoint) => partitionName(monthStart(new Date(touchpoint.occurredAt))));
    expect((await listMonthPartitions(h.db)).map((partition) => partition.name)).toEqual(
      expect.arrayContaining(droppedNames),
    );

    const result = await purgeExpiredTouchpoints(h.store, { now, touchpointDays: 395, batchSize: 1 });
    expect(result.deleted).toBe(4);
    const left = (await listMonthPartitions(h.db)).map((partition) => partition.name);
    for (const name of droppedNames) expect(left).not.toContain(name);
    expect(left).toContain(partitionName(cutoffMonth));
    expect(await h.store.countTouchpointsWithIds(all.map((touchpoint) => touchpoint.id))).toBe(2);
    expect(await h.store.countTouchpointsWithIds([justAfter.id, recent.id])).toBe(2);
    expect(await countOf(h.db, 'touchpoint_ids')).toBe(2);
    // The daily counts name nobody and outlive the touchpoints.
    expect(await h.store.offerDailyCounts()).toEqual(counts);

    // A purged id is forgotten with its touchpoint: sent again it is stored again (and purged again in time).
    expect(await h.store.insertTouchpoints(rows([justBefore]))).toBe(1);
    // A dropped month sent again (a late backfill) gets its partition made again rather than the default partition.
    const backfilled = aTouchpoint(new Date((wholeMonth[1] as Touchpoint).occurredAt));
    expect(await h.store.insertTouchpoints(rows([backfilled]))).toBe(1);
    expect(await partitionOf(h.db, [backfilled.id])).toEqual({ [backfilled.id]: droppedNames[1] });
  });

  it('erasure deletes the customer’s touchpoints and their ids', async () => {
    const token = await customerToken('c-erased');
    const anonymousId = crypto.randomUUID();
    const batch = {
      anonymousId,
      touchpoints: [touchpointOf('page_view'), touchpointOf('product_view', { product: 'car_loan' })],
    };
    expect((await h.post('/v1/touchpoints', batch, { token })).status).toBe(200);
    await h.store.insertTouchpoints(rows([aTouchpoint(now)]));
    expect(await countOf(h.db, 'touchpoint_ids')).toBe(3);
    const result = await h.store.privacy.eraseCustomer('c-erased', { staffId: null, at: NOW });
    expect(result.deleted.touchpoints).toBe(2);
    expect(await countOf(h.db, 'touchpoint_ids')).toBe(1);
  });
});

describe.each(engines)('migration 12 on a store with touchpoints, on $name', (engine) => {
  it('moves every touchpoint into its month’s partition and its id into touchpoint_ids', async () => {
    const db = await engine.open();
    try {
      const now = new Date();
      await migrate(db, { upTo: 11 });
      const old = [midMonth(now, -5), midMonth(now, -5), midMonth(now, 0), midMonth(now, -40)].map((at) =>
        aTouchpoint(at),
      );
      for (const touchpoint of old) {
        await db.query(
          `INSERT INTO touchpoints (id, subject, type, occurred_at, channel, offer) VALUES ($1, 'c:c-old', $2, $3, 'netbank', $4)`,
          [touchpoint.id, touchpoint.type, touchpoint.occurredAt, touchpoint.offer],
        );
      }
      // Migration 12 and whatever came after it.
      expect(await migrate(db, { now })).toEqual(MIGRATIONS.filter((m) => m.version >= 12).map((m) => m.version));

      const placed = await partitionOf(
        db,
        old.map((touchpoint) => touchpoint.id),
      );
      expect(Object.values(placed).sort()).toEqual(
        [
          partitionName(monthStart(now, -5)),
          partitionName(monthStart(now, -5)),
          partitionName(monthStart(now)),
          'touchpoints_default',
        ].sort(),
      );
      expect(await countOf(db, 'touchpoint_ids')).toBe(4);
      const names = (await listMonthPartitions(db)).map((partition) => partition.name);
      for (const offset of [0, 1, 2]) expect(names).toContain(partitionName(monthStart(now, offset)));

      // Idempotency holds for what was stored before the migration.
      const store = createSqlStore(db);
      const again = await store.insertTouchpoints(
        old.map((touchpoint) => ({ subject: customerSubject('c-old'), anonymousId: null, touchpoint })),
      );
      expect(again).toBe(0);
      expect(await countOf(db, 'touchpoints')).toBe(4);
    } finally {
      if (db.engine === 'postgresql') {
        const [row] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
        if (row?.schema.startsWith('tp_test_')) await db.exec(`DROP SCHEMA ${row.schema} CASCADE`);
      }
      await db.close();
    }
  }, 120_000);
});
