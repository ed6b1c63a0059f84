import type { Experiment, Hypothesis, PrimaryMetric } from '../contract/index.js';
import type { ArmDay, AudienceHistory } from '../domain/experiments/experiments.js';
import { type AuditEntry, writeAudit } from './audit.js';
import type { SqlClient, SqlDatabase } from './sql.js';

/** The touchpoint type that counts as the primary metric's event. */
const EVENT_TYPE: Readonly<Record<Exclude<PrimaryMetric, 'advisor_outcome'>, string>> = {
  click_through: 'offer_click',
  conversion: 'conversion',
};

export interface ExperimentEvent {
  readonly at: string;
  readonly staffId: string;
  readonly action: string;
  readonly detail: unknown;
}

export interface AudienceWindow {
  readonly since: Date;
  readonly days: number;
}

/** Experiments in the store: their rows, lifecycle log, and the counts their results and power plans need. */
/** What the audit log says of a change, less the before and after, which the store knows. */
export type ExperimentAudit = Pick<AuditEntry, 'staffId' | 'action'>;

export interface ExperimentStore {
  /** Stores a new experiment; with an audit, its entry is written in the same transaction. */
  insert(experiment: Experiment, staffId: string, audit?: ExperimentAudit): Promise<void>;
  get(id: string): Promise<Experiment | null>;
  list(): Promise<Experiment[]>;
  running(): Promise<Experiment[]>;
  /**
   * Replaces an experiment if it still has the status the change was made from; false when someone else changed it
   * first. The change is logged, and with an audit its entry (before and after) written, in the same transaction.
   */
  update(
    experiment: Experiment,
    from: Experiment['status'],
    event: { staffId: string; action: string; detail?: unknown },
    audit?: ExperimentAudit,
  ): Promise<boolean>;
  events(id: string): Promise<ExperimentEvent[]>;
  /** Per arm, per day: viewable impressions, primary-metric events, dismissals, customers exposed. */
  armDays(experiment: Experiment): Promise<Map<string, ArmDay[]>>;
  /** What the audience did in the window: exposures and events at its placements, and customers per day. */
  audienceHistory(
    hypothesis: Hypothesis,
    window: AudienceWindow,
  ): Promise<AudienceHistory & { source: 'decisions' | 'visits' }>;
}

export function createExperimentStore(db: SqlDatabase): ExperimentStore {
  const insertEvent = (client: SqlClient, id: string, at: string, staffId: string, action: string, detail: unknown) =>
    client.query(
      'INSERT INTO experiment_events (experiment_id, at, staff_id, action, detail) VALUES ($1, $2, $3, $4, $5)',
      [id, at, staffId, action, detail === undefined ? null : JSON.stringify(detail)],
    );
  const all = async (where = '', params: unknown[] = []) =>
    (
      await db.query<{ body: Experiment }>(`SELECT body FROM experiments ${where} ORDER BY created_at DESC, id`, params)
    ).map((row) => row.body);

  return {
    async insert(experiment, staffId, audit) {
      await db.transaction(async (tx) => {
        await tx.query(
          'INSERT INTO experiments (id, status, layer, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)',
          [experiment.id, experiment.status, experiment.layer, JSON.stringify(experiment), experiment.createdAt],
        );
        await insertEvent(tx, experiment.id, experiment.createdAt, staffId, 'create', undefined);
        if (audit) {
          const target = `experiment:${experiment.id}`;
          await writeAudit(tx, { ...audit, at: experiment.createdAt, target, before: null, after: experiment });
        }
      });
    },

    async get(id) {
      const rows = await db.query<{ body: Experiment }>('SELECT body FROM experiments WHERE id = $1', [id]);
      return rows[0]?.body ?? null;
    },

    list: () => all(),
    running: () => all('WHERE status = $1', ['running']),

    async update(experiment, from, event, audit) {
      const at = new Date().toISOString();
      return db.transaction(async (tx) => {
        // The row as it was, locked, so the audit's "before" is what this change replaced.
        const [previous] = await tx.query<{ body: Experiment }>(
          'SELECT body FROM experiments WHERE id = $1 AND status = $2 FOR UPDATE',
          [experiment.id, from],
        );
        if (!previous) return false;
        const rows = await tx.query(
          `UPDATE experiments SET status = $2, body = $3, updated_at = $4 WHERE id = $1 AND status = $5 RETURNING id`,
          [experiment.id, experiment.status, JSON.stringify(experiment), at, from],
        );
        if (rows.length === 0) return false;
        await insertEvent(tx, experiment.id, at, event.staffId, event.action, event.detail);
        if (audit) {
          const target = `experiment:${experiment.id}`;
          await writeAudit(tx, { ...audit, at, target, before: previous.body, after: experiment });
        }
        return true;
      });
    },

    async events(id) {
      const rows = await db.query<{ at: Date | string; staff_id: string; action: string; detail: unknown }>(
        'SELECT at, staff_id, action, detail FROM experiment_events WHERE experiment_id = $1 ORDER BY at, id',
        [id],
      );
      return rows.map((row) => ({
        at: new Date(row.at).toISOString(),
        staffId: row.staff_id,
        action: row.action,
        detail: row.detail,
      }));
    },

    async armDays(experiment) {
      const eventType = eventTypeOf(experiment.hypothesis.primaryMetric);
      const rows = await db.query<{
        arm: string;
        day: string;
        exposures: number;
        events: number;
        dismissals: number;
        customers: number;
      }>(
        `SELECT d.trace->'experiment'->>'arm' AS arm,
                to_char(t.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
                (count(*) FILTER (WHERE t.type = 'offer_impression'))::int AS exposures,
                (count(*) FILTER (WHERE t.type = $2))::int AS events,
                (count(*) FILTER (WHERE t.type = 'offer_dismiss'))::int AS dismissals,
                (count(DISTINCT d.subject) FILTER (WHERE t.type = 'offer_impression'))::int AS customers
           FROM decisions d JOIN touchpoints t ON t.decision_id = d.id
          WHERE d.trace ? 'experiment' AND d.trace->'experiment'->>'id' = $1
          GROUP BY 1, 2 ORDER BY 2`,
        [experiment.id, eventType],
      );
      const days = new Map<string, ArmDay[]>(experiment.arms.map((arm) => [arm.id, []]));
      if (experiment.hypothesis.primaryMetric !== 'advisor_outcome') {
        for (const row of rows) days.get(row.arm)?.push(row);
        return days;
      }
      // Advisor outcomes per customer exposed: a customer counts on the day of their first viewable impression, and
      // as an event on the day an advisor sold them the product after it.
      const sales = await db.query<{ arm: string; day: string; exposed: number; sold: number }>(
        `WITH exposed AS (
           SELECT d.trace->'experiment'->>'arm' AS arm, d.subject, min(t.occurred_at) AS first_at
             FROM decisions d JOIN touchpoints t ON t.decision_id = d.id
            WHERE d.trace ? 'experiment' AND d.trace->'experiment'->>'id' = $1 AND t.type = 'offer_impression'
            GROUP BY 1, 2
         ), sold AS (
           SELECT e.arm, e.subject, min(o.recorded_at) AS sold_at
             FROM exposed e JOIN advisor_outcomes o
               ON o.customer_id = substr(e.subject, 3) AND e.subject LIKE 'c:%'
              AND o.outcome = 'sold' AND o.recorded_at >= e.first_at
              AND ($2::text IS NULL OR o.product = $2)
            GROUP BY 1, 2
         )
         SELECT arm, day, sum(exposed)::int AS exposed, sum(sold)::int AS sold FROM (
           SELECT arm, to_char(first_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, 1 AS exposed, 0 AS sold FROM exposed
           UNION ALL
           SELECT arm, to_char(sold_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, 0, 1 FROM sold
         ) counted GROUP BY 1, 2 ORDER BY 2`,
        [experiment.id, experiment.hypothesis.audience.product],
      );
      const byKey = new Map(rows.map((row) => [`${row.arm} ${row.day}`, row]));
      const keys = [...new Set([...rows, ...sales].map((row) => `${row.arm} ${row.day}`))].sort((a, b) =>
        a.split(' ')[1]!.localeCompare(b.split(' ')[1]!),
      );
      const salesByKey = new Map(sales.map((row) => [`${row.arm} ${row.day}`, row]));
      for (const key of keys) {
        const [arm, day] = key.split(' ') as [string, string];
        const touch = byKey.get(key);
        const sale = salesByKey.get(key);
        days.get(arm)?.push({
          day,
          exposures: sale?.exposed ?? 0,
          events: sale?.sold ?? 0,
          dismissals: touch?.dismissals ?? 0,
          customers: touch?.customers ?? 0,
        });
      }
      return days;
    },

    async audienceHistory(hypothesis, { since, days }) {
      const { audience } = hypothesis;
      const eventType = eventTypeOf(hypothesis.primaryMetric);
      // The audience as decisions saw it: placement, channel, cluster and the product's stage, all in the trace.
      const filter = `d.created_at >= $1 AND d.placement = ANY($2::text[])
          AND (cardinality($3::text[]) = 0 OR d.channel = ANY($3::text[]))
          AND (cardinality($4::text[]) = 0 OR d.trace->'cluster'->>'id' = ANY($4::text[]))
          AND (cardinality($5::text[]) = 0 OR d.trace->'stages'->>$6 = ANY($5::text[]))`;
      const params = [
        since,
        audience.placements,
        audience.channels,
        audience.clusters,
        audience.stages,
        audience.product ?? '',
      ];
      const [seen] = await db.query<{ customer_days: number; first: Date | string | null }>(
        `SELECT count(DISTINCT (d.subject, date_trunc('day', d.created_at)))::int AS customer_days, min(d.created_at) AS first
           FROM decisions d WHERE ${filter}`,
        params,
      );
      const [counts] = await db.query<{ exposures: number; events: number }>(
        hypothesis.primaryMetric === 'advisor_outcome'
          ? // Customers shown an offer in the audience, and those of them an advisor sold the product to afterwards.
            `WITH exposed AS (
               SELECT d.subject, min(t.occurred_at) AS first_at
                 FROM decisions d JOIN touchpoints t ON t.decision_id = d.id
                WHERE ${filter} AND t.type = 'offer_impression' AND $7::text IS NOT NULL
                GROUP BY 1)
             SELECT count(*)::int AS exposures,
                    (count(*) FILTER (WHERE EXISTS (
                       SELECT 1 FROM advisor_outcomes o
                        WHERE e.subject = 'c:' || o.customer_id AND o.outcome = 'sold' AND o.recorded_at >= e.first_at
                          AND ($6 = '' OR o.product = $6))))::int AS events
               FROM exposed e`
          : `SELECT (count(*) FILTER (WHERE t.type = 'offer_impression'))::int AS exposures,
                    (count(*) FILTER (WHERE t.type = $7))::int AS events
               FROM decisions d JOIN touchpoints t ON t.decision_id = d.id WHERE ${filter}`,
        [...params, eventType],
      );
      const exposures = counts?.exposures ?? 0;
      const events = counts?.events ?? 0;
      if ((seen?.customer_days ?? 0) > 0) {
        return { exposures, events, dailyCustomers: (seen?.customer_days ?? 0) / days, source: 'decisions' };
      }
      // No decisions yet (a new placement, a freshly seeded bank): customers who visited the channels, and the
      // product when the audience names one, are who the placements would have reached.
      const [visits] = await db.query<{ customer_days: number }>(
        `SELECT count(DISTINCT (subject, date_trunc('day', occurred_at)))::int AS customer_days
           FROM touchpoints
          WHERE occurred_at >= $1 AND subject LIKE 'c:%'
            AND (cardinality($2::text[]) = 0 OR channel = ANY($2::text[]))
            AND ($3::text IS NULL OR product = $3)`,
        [since, audience.channels.length > 0 ? audience.channels : ['netbank', 'mobilebank'], audience.product],
      );
      return { exposures, events, dailyCustomers: (visits?.customer_days ?? 0) / days, source: 'visits' };
    },
  };
}

/** The touchpoint type of a metric's event; advisor outcomes are no touchpoints (they are read from their table). */
function eventTypeOf(metric: PrimaryMetric): string {
  return metric === 'advisor_outcome' ? 'advisor_outcome' : EVENT_TYPE[metric];
}
