import type { SqlClient, SqlDatabase } from './sql.js';

/**
 * The touchpoints table is partitioned by calendar month (UTC) of `occurred_at`: retention drops a month at once
 * instead of deleting row by row, and queries bounded in time read only their months.
 *
 * - The current month and the next PARTITION_MONTHS_AHEAD exist ahead of time (made when the store opens and by each
 *   retention run), so ingest normally never waits for DDL.
 * - A month within ON_DEMAND_PAST_MONTHS before now up to the months ahead gets its partition when a touchpoint first
 *   needs it (an SDK sending what it queued offline, a backfill).
 * - Anything further away (a device whose clock is years off, a far-future date) lands in the default partition,
 *   so ingest never fails for a missing partition and a client cannot make the database create thousands of tables.
 *   Retention deletes from it row by row; should its month get a partition later, the rows move there.
 */
export const PARTITION_MONTHS_AHEAD = 2;
export const ON_DEMAND_PAST_MONTHS = 24;
export const DEFAULT_PARTITION = 'touchpoints_default';

/** Serialises partition changes between processes; any constant shared by them would do. */
export const PARTITION_LOCK = 0x7470_6172; // 'tpar'

export interface MonthPartition {
  readonly name: string;
  /** Inclusive. */
  readonly from: Date;
  /** Exclusive. */
  readonly to: Date;
}

/** The first instant of the UTC month of `at`, `offset` months later. */
export function monthStart(at: Date, offset = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));
}

/** `touchpoints_y2026m11` for November 2026. */
export function partitionName(month: Date): string {
  return `touchpoints_y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function monthPartition(at: Date): MonthPartition {
  const from = monthStart(at);
  return { name: partitionName(from), from, to: monthStart(from, 1) };
}

/** The monthly partitions that exist, oldest first (the default partition is not one of them). */
export async function listMonthPartitions(client: SqlClient): Promise<MonthPartition[]> {
  const rows = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = to_regclass('touchpoints') ORDER BY c.relname`,
  );
  return rows.flatMap(({ name }) => {
    const match = /^touchpoints_y(\d{4})m(\d{2})$/.exec(name);
    return match ? [monthPartition(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1)))] : [];
  });
}

/**
 * Makes the month's partition when it is missing, in the caller's transaction: rows of that month already in the
 * default partition move into it, so it can be attached. True when it was made.
 */
export async function createMonthPartition(tx: SqlClient, month: Date): Promise<boolean> {
  const { name, from, to } = monthPartition(month);
  await tx.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
  const [exists] = await tx.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [name]);
  if (exists?.found) return false;
  // Identifiers and literals below come from the month alone (digits), never from input.
  const range = `FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`;
  const inRange = `occurred_at >= '${from.toISOString()}' AND occurred_at < '${to.toISOString()}'`;
  await tx.query(`CREATE TABLE ${name} (LIKE touchpoints INCLUDING DEFAULTS)`);
  // A CHECK matching the bounds lets ATTACH skip scanning the new table.
  await tx.query(`ALTER TABLE ${name} ADD CONSTRAINT ${name}_bounds CHECK (${inRange})`);
  await tx.query(`INSERT INTO ${name} SELECT * FROM ${DEFAULT_PARTITION} WHERE ${inRange}`);
  await tx.query(`DELETE FROM ${DEFAULT_PARTITION} WHERE ${inRange}`);
  await tx.query(`ALTER TABLE touchpoints ATTACH PARTITION ${name} FOR VALUES ${range}`);
  await tx.query(`ALTER TABLE ${name} DROP CONSTRAINT ${name}_bounds`);
  return true;
}

/** Whether a touchpoint of this month gets a partition of its own (see the module comment). */
export function monthGetsPartition(month: Date, now: Date): boolean {
  return month >= monthStart(now, -ON_DEMAND_PAST_MONTHS) && month <= monthStart(now, PARTITION_MONTHS_AHEAD);
}

/** Makes the current month's and the next months' partitions; returns the names made. */
export async function createPartitionsAhead(db: SqlDatabase, now: Date): Promise<string[]> {
  const made: string[] = [];
  for (let offset = 0; offset <= PARTITION_MONTHS_AHEAD; offset++) {
    const month = monthStart(now, offset);
    if (await db.transaction((tx) => createMonthPartition(tx, month))) made.push(partitionName(month));
  }
  return made;
}

/**
 * Knows which months have a partition, so ingest asks the database only for a month it has not seen: in steady state
 * ingest runs no DDL and no extra query, and checks each touchpoint's time against the known months' bounds (no date
 * or name is built per touchpoint).
 */
export function partitionKeeper(db: SqlDatabase, { now = () => new Date() } = {}) {
  let known: Map<string, MonthPartition> | null = null;
  /** The known months' bounds in epoch milliseconds, [from, to). */
  let bounds: Array<{ readonly from: number; readonly to: number }> = [];
  const remember = (months: Map<string, MonthPartition>) => {
    known = months;
    bounds = [...months.values()].map(({ from, to }) => ({ from: from.getTime(), to: to.getTime() }));
    return months;
  };
  return {
    /** Before an ingest transaction (never inside it: DDL there would hold locks until it commits). */
    async ensureFor(occurredAt: readonly string[]): Promise<void> {
      const months = new Map<string, Date>();
      // Touchpoints of a batch mostly share a month: the last month matched is tried first.
      let last = bounds[0];
      for (const at of occurredAt) {
        const time = Date.parse(at);
        if (last && time >= last.from && time < last.to) continue;
        const hit = bounds.find(({ from, to }) => time >= from && time < to);
        if (hit) {
          last = hit;
          continue;
        }
        const month = monthStart(new Date(time));
        const name = partitionName(month);
        if (!months.has(name)) months.set(name, month);
      }
      if (months.size === 0) return;
      known ??= remember(new Map((await listMonthPartitions(db)).map((partition) => [partition.name, partition])));
      const today = now();
      for (const [name, month] of months) {
        if (known.has(name) || !monthGetsPartition(month, today)) continue;
        try {
          await db.transaction((tx) => createMonthPartition(tx, month));
          remember(known.set(name, monthPartition(month)));
        } catch (error) {
          // The rows still land in the default partition; the next batch of this month tries again.
          console.error(`[touchpoint] could not create partition ${name}`, error);
        }
      }
    },
    /** Partitions dropped (by retention, maybe in another process) are made again when needed. */
    forget(names: readonly string[]): void {
      if (!known) return;
      for (const name of names) known.delete(name);
      remember(known);
    },
  };
}
