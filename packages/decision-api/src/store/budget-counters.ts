import type { SqlClient, SqlDatabase } from './sql.js';

/** One budget period's counter as stored: what is used (spent and leased) and what is known spent. */
export interface BudgetCounter {
  readonly budgetId: string;
  readonly period: string;
  /** Spent and settled, plus every outstanding lease's whole block. */
  readonly used: number;
  /** Settled, plus what the outstanding leases last reported spent. */
  readonly spent: number;
}

export interface BudgetLease {
  readonly id: string;
  /** What the lease got: at most what was asked, and never past the cap. */
  readonly granted: number;
  readonly counter: BudgetCounter;
}

export interface BudgetCounterStore {
  /**
   * Leases a block of up to `amount` from the period's counter, never taking `used` past `cap`; expired leases of the
   * counter are given back first. `granted` 0 when the cap is reached.
   */
  lease(budgetId: string, period: string, amount: number, cap: number, ttlMs: number, id: string): Promise<BudgetLease>;
  /** Reports what each lease has spent and extends it; answers the ids still held (an expired one was given back). */
  renew(leases: ReadonlyArray<{ id: string; spent: number }>, ttlMs: number): Promise<Set<string>>;
  /** Ends a lease: its spent is settled and its unspent part goes back to the counter. */
  settle(id: string, spent: number): Promise<void>;
  /** Adds what was counted elsewhere (ingest, lead delivery) to a period's spend. */
  add(budgetId: string, period: string, amount: number): Promise<void>;
  /** Takes one if the period's counter stays within `maximum` (lead hand-over); false when it would not. */
  takeOne(budgetId: string, period: string, maximum: number): Promise<boolean>;
  /** The counters of these periods (a missing one is zero). */
  counters(keys: ReadonlyArray<{ budgetId: string; period: string }>): Promise<BudgetCounter[]>;
  /** Adds decisions per UTC hour to the traffic profile. */
  addDecisionHours(hours: ReadonlyArray<{ hour: Date; decisions: number }>): Promise<void>;
  decisionHours(since: Date): Promise<Array<{ hour: Date; decisions: number }>>;
}

interface CounterRow {
  budget_id: string;
  period: string;
  used: string | number;
  spent: string | number;
}

const toCounter = (row: CounterRow): BudgetCounter => ({
  budgetId: row.budget_id,
  period: row.period,
  used: Number(row.used),
  spent: Number(row.spent),
});

async function reclaimExpired(tx: SqlClient, budgetId: string, period: string): Promise<void> {
  // A killed process's block: what it had reported spent stays spent, the rest comes back.
  await tx.query(
    `WITH gone AS (
       DELETE FROM budget_leases WHERE budget_id = $1 AND period = $2 AND expires_at < now()
       RETURNING amount, spent)
     UPDATE budget_counters SET
       used = used - (SELECT coalesce(sum(amount - spent), 0) FROM gone),
       settled = settled + (SELECT coalesce(sum(spent), 0) FROM gone)
     WHERE budget_id = $1 AND period = $2 AND EXISTS (SELECT 1 FROM gone)`,
    [budgetId, period],
  );
}

export function createBudgetCounterRepository(db: SqlDatabase): BudgetCounterStore {
  const readCounters = async (client: SqlClient, ids: string[], periods: string[]) =>
    (
      await client.query<CounterRow>(
        `SELECT c.budget_id, c.period, c.used, c.settled + coalesce(sum(l.spent), 0) AS spent
           FROM budget_counters c
           JOIN unnest($1::text[], $2::text[]) AS k(budget_id, period)
             ON k.budget_id = c.budget_id AND k.period = c.period
           LEFT JOIN budget_leases l ON l.budget_id = c.budget_id AND l.period = c.period
          GROUP BY c.budget_id, c.period, c.used, c.settled`,
        [ids, periods],
      )
    ).map(toCounter);

  return {
    lease: (budgetId, period, amount, cap, ttlMs, id) =>
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO budget_counters (budget_id, period) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
          budgetId,
          period,
        ]);
        await reclaimExpired(tx, budgetId, period);
        const [row] = await tx.query<{ used: string | number }>(
          'SELECT used FROM budget_counters WHERE budget_id = $1 AND period = $2 FOR UPDATE',
          [budgetId, period],
        );
        const used = Number(row?.used ?? 0);
        const granted = Math.max(0, Math.min(amount, Math.floor(cap) - used));
        if (granted > 0) {
          // The guard of the form, though the row is locked: a counter never passes its cap.
          await tx.query(
            `UPDATE budget_counters SET used = used + $3 WHERE budget_id = $1 AND period = $2 AND used + $3 <= $4`,
            [budgetId, period, granted, Math.floor(cap)],
          );
          await tx.query(
            `INSERT INTO budget_leases (id, budget_id, period, amount, expires_at)
             VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond')`,
            [id, budgetId, period, granted, ttlMs],
          );
        }
        const [counter] = await readCounters(tx, [budgetId], [period]);
        return { id, granted, counter: counter ?? { budgetId, period, used: used + granted, spent: 0 } };
      }),

    async renew(leases, ttlMs) {
      if (leases.length === 0) return new Set();
      const rows = await db.query<{ id: string }>(
        `UPDATE budget_leases l SET spent = GREATEST(l.spent, v.spent), expires_at = now() + $3 * interval '1 millisecond'
           FROM unnest($1::text[], $2::int[]) AS v(id, spent) WHERE l.id = v.id RETURNING l.id`,
        [leases.map((lease) => lease.id), leases.map((lease) => lease.spent), ttlMs],
      );
      return new Set(rows.map((row) => row.id));
    },

    settle: (id, spent) =>
      db.transaction(async (tx) => {
        const [gone] = await tx.query<{ budget_id: string; period: string; amount: number }>(
          'DELETE FROM budget_leases WHERE id = $1 RETURNING budget_id, period, amount',
          [id],
        );
        // A lease that expired meanwhile was given back already with what it had reported.
        if (!gone) return;
        await tx.query(
          'UPDATE budget_counters SET used = used - $3, settled = settled + $4 WHERE budget_id = $1 AND period = $2',
          [gone.budget_id, gone.period, gone.amount - spent, spent],
        );
      }),

    async add(budgetId, period, amount) {
      await db.query(
        `INSERT INTO budget_counters (budget_id, period, used, settled) VALUES ($1, $2, $3, $3)
         ON CONFLICT (budget_id, period) DO UPDATE
           SET used = budget_counters.used + EXCLUDED.used, settled = budget_counters.settled + EXCLUDED.settled`,
        [budgetId, period, amount],
      );
    },

    async takeOne(budgetId, period, maximum) {
      await db.query('INSERT INTO budget_counters (budget_id, period) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        budgetId,
        period,
      ]);
      const rows = await db.query(
        `UPDATE budget_counters SET used = used + 1, settled = settled + 1
          WHERE budget_id = $1 AND period = $2 AND used + 1 <= $3 RETURNING used`,
        [budgetId, period, maximum],
      );
      return rows.length > 0;
    },

    counters: (keys) =>
      keys.length === 0
        ? Promise.resolve([])
        : readCounters(
            db,
            keys.map((key) => key.budgetId),
            keys.map((key) => key.period),
          ),

    async addDecisionHours(hours) {
      if (hours.length === 0) return;
      await db.query(
        `INSERT INTO decision_hours (hour, decisions)
         SELECT * FROM unnest($1::timestamptz[], $2::bigint[])
         ON CONFLICT (hour) DO UPDATE SET decisions = decision_hours.decisions + EXCLUDED.decisions`,
        [hours.map((h) => h.hour.toISOString()), hours.map((h) => h.decisions)],
      );
    },

    async decisionHours(since) {
      const rows = await db.query<{ hour: Date | string; decisions: string | number }>(
        'SELECT hour, decisions FROM decision_hours WHERE hour >= $1 ORDER BY hour',
        [since.toISOString()],
      );
      return rows.map((row) => ({ hour: new Date(row.hour), decisions: Number(row.decisions) }));
    },
  };
}
