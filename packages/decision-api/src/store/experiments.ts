import type { Experiment, Hypothesis, PrimaryMetric } from '../contract/index.js';
import type { UnitCohort, UnitHistory } from '../domain/experiments/experiments.js';
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

/** What the audit log says of a change, less the before and after, which the store knows. */
export type ExperimentAudit = Pick<AuditEntry, 'staffId' | 'action'>;

/** Experiments in the store: their rows, lifecycle log, and the counts their results and power plans need. */
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
  /**
   * The experiment's units (customers, or devices before login) exposed, grouped by arm, day of first viewable
   * impression, day converted and day first dismissed, with their impressions and pre-assignment covariate summed.
   */
  unitCohorts(experiment: Experiment): Promise<UnitCohort[]>;
  /**
   * What the audience did in the window, per unit: customers exposed at its placements and those who converted
   * within the attribution window, and new eligible customers per day (distinct; the holdout left out where the
   * decisions say so).
   */
  audienceHistory(
    hypothesis: Hypothesis,
    window: AudienceWindow,
  ): Promise<UnitHistory & { source: 'decisions' | 'visits' }>;
}

export function createExperimentRepository(db: SqlDatabase): ExperimentStore {
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

    async unitCohorts(experiment) {
      const { hypothesis } = experiment;
      const rows = await db.query<{
        arm: string;
        exposed_day: string;
        converted_day: string | null;
        dismissed_day: string | null;
        units: number;
        impressions: number;
        impressions_squared: number;
        covariate: number;
        covariate_squared: number;
      }>(
        `WITH decided AS (
           SELECT d.id, d.subject, d.trace->'experiment'->>'arm' AS arm, d.created_at
             FROM decisions d
            WHERE d.trace ? 'experiment' AND d.trace->'experiment'->>'id' = $1
         ), assigned AS (
           SELECT subject, arm, min(created_at) AS assigned_at FROM decided GROUP BY 1, 2
         ), exposed AS (
           SELECT e.subject, e.arm, min(t.occurred_at) AS first_at, count(*) AS impressions
             FROM decided e JOIN touchpoints t ON t.decision_id = e.id
            WHERE t.type = 'offer_impression'
            GROUP BY 1, 2
         ), units AS (
           SELECT x.arm, x.first_at, x.impressions,
                  (${convertedAt(hypothesis.primaryMetric)}) AS converted_at,
                  (SELECT min(t.occurred_at) FROM touchpoints t JOIN decided e ON t.decision_id = e.id
                    WHERE t.subject = x.subject AND t.type = 'offer_dismiss' AND t.occurred_at >= x.first_at) AS dismissed_at,
                  (SELECT count(*) FROM touchpoints t
                    WHERE t.subject = x.subject AND t.occurred_at < a.assigned_at
                      AND t.occurred_at >= a.assigned_at - make_interval(days => ${COVARIATE_DAYS})
                      AND ($2::text IS NULL OR t.product = $2)) AS covariate
             FROM exposed x JOIN assigned a ON a.subject = x.subject AND a.arm = x.arm
         )
         SELECT arm,
                to_char(first_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS exposed_day,
                to_char(converted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS converted_day,
                to_char(dismissed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS dismissed_day,
                count(*)::int AS units,
                sum(impressions)::float8 AS impressions,
                sum(impressions * impressions)::float8 AS impressions_squared,
                sum(covariate)::float8 AS covariate,
                sum(covariate * covariate)::float8 AS covariate_squared
           FROM units GROUP BY 1, 2, 3, 4 ORDER BY 2, 1`,
        [
          experiment.id,
          hypothesis.audience.product,
          eventTypeOf(hypothesis.primaryMetric),
          attributionDays(hypothesis),
        ],
      );
      return rows.map((row) => ({
        arm: row.arm,
        exposedDay: row.exposed_day,
        convertedDay: row.converted_day,
        dismissedDay: row.dismissed_day,
        units: row.units,
        impressions: Number(row.impressions),
        impressionsSquared: Number(row.impressions_squared),
        covariate: Number(row.covariate),
        covariateSquared: Number(row.covariate_squared),
      }));
    },

    async audienceHistory(hypothesis, { since, days }) {
      const { audience } = hypothesis;
      // The audience as decisions saw it: placement, channel, cluster and the product's stage, all in the trace.
      // Decisions are kept only for consenting subjects; the global holdout's are marked in the trace.
      const filter = `d.created_at >= $1 AND d.placement = ANY($2::text[])
          AND (cardinality($3::text[]) = 0 OR d.channel = ANY($3::text[]))
          AND (cardinality($4::text[]) = 0 OR d.trace->'cluster'->>'id' = ANY($4::text[]))
          AND (cardinality($5::text[]) = 0 OR d.trace->'stages'->>$6 = ANY($5::text[]))
          AND NOT (d.trace ? 'holdout')`;
      const params = [
        since,
        audience.placements,
        audience.channels,
        audience.clusters,
        audience.stages,
        audience.product ?? '',
      ];
      const [seen] = await db.query<{ units: number }>(
        `SELECT count(DISTINCT d.subject)::int AS units FROM decisions d WHERE ${filter}`,
        params,
      );
      // Each unit once, at its first viewable impression; converted when its primary event follows within the window.
      const [counts] = await db.query<{ units: number; converted: number }>(
        `WITH decided AS (SELECT d.id, d.subject FROM decisions d WHERE ${filter}),
         exposed AS (
           SELECT e.subject, min(t.occurred_at) AS first_at
             FROM decided e JOIN touchpoints t ON t.decision_id = e.id
            WHERE t.type = 'offer_impression' GROUP BY 1
         ), units AS (
           SELECT x.subject, x.first_at, (${convertedAt(hypothesis.primaryMetric, '$6', '$7', '$8')}) AS converted_at
             FROM exposed x
         )
         SELECT count(*)::int AS units, count(converted_at)::int AS converted FROM units`,
        [...params, eventTypeOf(hypothesis.primaryMetric), attributionDays(hypothesis)],
      );
      const units = counts?.units ?? 0;
      const convertedUnits = counts?.converted ?? 0;
      if ((seen?.units ?? 0) > 0) {
        return { units, convertedUnits, dailyNewUnits: (seen?.units ?? 0) / days, source: 'decisions' };
      }
      // No decisions yet (a new placement, a freshly seeded bank): customers who visited the channels, and the
      // product when the audience names one, are who the placements would have reached. The caller takes the
      // holdout's share off (it is a hash of the customer, not in the rows).
      const [visits] = await db.query<{ units: number }>(
        `SELECT count(DISTINCT subject)::int AS units
           FROM touchpoints
          WHERE occurred_at >= $1 AND subject LIKE 'c:%'
            AND (cardinality($2::text[]) = 0 OR channel = ANY($2::text[]))
            AND ($3::text IS NULL OR product = $3)`,
        [since, audience.channels.length > 0 ? audience.channels : ['netbank', 'mobilebank'], audience.product],
      );
      return { units, convertedUnits, dailyNewUnits: (visits?.units ?? 0) / days, source: 'visits' };
    },
  };
}

/** Days before assignment whose activity is the CUPED covariate. */
const COVARIATE_DAYS = 28;

function attributionDays(hypothesis: Hypothesis): number {
  return hypothesis.attributionDays ?? 7;
}

/**
 * The SQL for when unit x (with x.subject, x.first_at) first did the primary event within the attribution window
 * after its first exposure. Clicks count on the experiment's own decisions (the table \`decided\`); conversions on
 * them or on the audience's product; advisor sales of the product to the customer.
 */
function convertedAt(metric: PrimaryMetric, product = '$2', type = '$3', window = '$4'): string {
  const within = (column: string) =>
    `${column} >= x.first_at AND ${column} <= x.first_at + make_interval(days => ${window}::int)`;
  if (metric === 'advisor_outcome') {
    return `SELECT min(o.recorded_at) FROM advisor_outcomes o
             WHERE ${type}::text IS NOT NULL AND x.subject LIKE 'c:%' AND o.customer_id = substr(x.subject, 3) AND o.outcome = 'sold'
               AND ${within('o.recorded_at')} AND (nullif(${product}::text, '') IS NULL OR o.product = ${product}::text)`;
  }
  return `SELECT min(t.occurred_at) FROM touchpoints t
           WHERE t.subject = x.subject AND t.type = ${type}::text AND ${within('t.occurred_at')}
             AND (t.decision_id IN (SELECT id FROM decided)
                  OR (t.type = 'conversion' AND nullif(${product}::text, '') IS NOT NULL AND t.product = ${product}::text))`;
}

/** The touchpoint type of a metric's event; advisor outcomes are no touchpoints (they are read from their table). */
function eventTypeOf(metric: PrimaryMetric): string {
  return metric === 'advisor_outcome' ? 'advisor_outcome' : EVENT_TYPE[metric];
}
