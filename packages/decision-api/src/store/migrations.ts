import { CHANGES_CHANNEL } from './changes.js';
import { createMonthPartition, monthGetsPartition, monthStart, PARTITION_MONTHS_AHEAD } from './partitions.js';
import type { SqlClient, SqlDatabase } from './sql.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** Steps plain DDL cannot say (partitions named by the data, function bodies); run after `sql`, in its transaction. */
  readonly run?: (tx: SqlClient, now: Date) => Promise<void>;
}

/**
 * Schema migrations, applied in order, each once. Never edit a released migration: add the next one.
 * The same SQL runs on PGlite and PostgreSQL.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'catalog, profiles, identity links, touchpoints, decisions',
    sql: `
      CREATE TABLE catalog_versions (
        id          serial PRIMARY KEY,
        version     text NOT NULL UNIQUE,
        body        jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      );

      -- One row per subject: 'c:<customer id>' for a known customer, 'a:<anonymous id>' before login.
      -- The decision hot path reads exactly one of these rows.
      CREATE TABLE profiles (
        subject     text PRIMARY KEY,
        body        jsonb NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      );

      -- An anonymous device id belongs to at most one customer, set on the first request with a token.
      CREATE TABLE identity_links (
        anonymous_id  uuid PRIMARY KEY,
        customer_id   text NOT NULL,
        linked_at     timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX identity_links_customer ON identity_links (customer_id);

      CREATE TABLE touchpoints (
        id            uuid PRIMARY KEY,
        subject       text NOT NULL,
        anonymous_id  uuid,
        type          text NOT NULL,
        occurred_at   timestamptz NOT NULL,
        received_at   timestamptz NOT NULL DEFAULT now(),
        channel       text NOT NULL,
        product       text,
        page          text,
        placement     text,
        offer         text,
        decision_id   uuid,
        properties    jsonb
      );
      -- Profile rebuilds and exports read one subject's history in time order.
      CREATE INDEX touchpoints_subject_time ON touchpoints (subject, occurred_at);
      -- Linking moves an anonymous device's history to the customer.
      CREATE INDEX touchpoints_anonymous ON touchpoints (anonymous_id) WHERE subject LIKE 'a:%';

      CREATE TABLE decisions (
        id          uuid PRIMARY KEY,
        subject     text NOT NULL,
        placement   text NOT NULL,
        offer_id    text,
        channel     text NOT NULL,
        page        text NOT NULL,
        locale      text NOT NULL,
        reason      text NOT NULL,
        trace       jsonb NOT NULL,
        created_at  timestamptz NOT NULL
      );
      CREATE INDEX decisions_subject_time ON decisions (subject, created_at);
    `,
  },
  {
    version: 2,
    name: 'cluster models',
    sql: `
      -- Behavioural cluster models, one row per training; decisions use the one active model.
      CREATE TABLE cluster_models (
        version     integer PRIMARY KEY,
        body        jsonb NOT NULL,
        -- Staff's names for the model's clusters: cluster id -> name.
        names       jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at  timestamptz NOT NULL DEFAULT now(),
        trained_by  text NOT NULL,
        active      boolean NOT NULL DEFAULT false
      );
      CREATE UNIQUE INDEX cluster_models_one_active ON cluster_models (active) WHERE active;
    `,
  },
  {
    version: 3,
    name: 'learned propensity per cluster × offer, bank-model scores',
    sql: `
      -- Faded counts of impressions, clicks and conversions per behavioural cluster ('*' pooled) × offer, as at
      -- updated_at. Ingest updates them in the touchpoint's transaction; decisions read an in-memory snapshot.
      CREATE TABLE offer_learning (
        cluster      text NOT NULL,
        offer_id     text NOT NULL,
        impressions  double precision NOT NULL DEFAULT 0,
        clicks       double precision NOT NULL DEFAULT 0,
        conversions  double precision NOT NULL DEFAULT 0,
        updated_at   timestamptz NOT NULL,
        PRIMARY KEY (cluster, offer_id)
      );

      -- A decision's conversion is learnt once, however many conversion touchpoints name it.
      CREATE TABLE learned_conversions (
        decision_id  uuid PRIMARY KEY
      );

      -- The bank's own model's propensity of a customer for an offer; a decision reads one customer's rows by the key.
      CREATE TABLE propensity_scores (
        customer_id    text NOT NULL,
        offer_id       text NOT NULL,
        score          double precision NOT NULL CHECK (score >= 0 AND score <= 1),
        model_name     text NOT NULL,
        model_version  text NOT NULL,
        uploaded_at    timestamptz NOT NULL,
        PRIMARY KEY (customer_id, offer_id)
      );
    `,
  },
  {
    version: 4,
    name: 'leads, CRM outbox, advisor outcomes and queue presentations',
    sql: `
      -- A customer's interest in a product, scored on ingest; qualified_at is set while the score is over the threshold.
      CREATE TABLE leads (
        customer_id       text NOT NULL,
        product           text NOT NULL,
        score             double precision NOT NULL,
        stage             text NOT NULL,
        last_activity_at  timestamptz NOT NULL,
        reason            jsonb NOT NULL,
        branch            text,
        qualified_at      timestamptz,
        updated_at        timestamptz NOT NULL,
        PRIMARY KEY (customer_id, product)
      );
      -- Staff list qualified leads best first; the advisor queue reads one branch's.
      CREATE INDEX leads_ranked ON leads (score DESC, customer_id DESC, product DESC) WHERE qualified_at IS NOT NULL;
      CREATE INDEX leads_branch ON leads (branch, score DESC) WHERE qualified_at IS NOT NULL;

      -- Lead events waiting for the CRM, written in the transaction that qualified the lead, so none is lost.
      CREATE TABLE crm_outbox (
        idempotency_key  text PRIMARY KEY,
        -- The exact JSON sent and signed on every attempt.
        body             text NOT NULL,
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL,
        delivered_at     timestamptz,
        last_error       text,
        created_at       timestamptz NOT NULL
      );
      CREATE INDEX crm_outbox_due ON crm_outbox (next_attempt_at) WHERE delivered_at IS NULL;

      -- What advisors did about a customer and product: the action rate, and what learning reads.
      CREATE TABLE advisor_outcomes (
        id           uuid PRIMARY KEY,
        customer_id  text NOT NULL,
        product      text NOT NULL,
        outcome      text NOT NULL,
        note         text,
        advisor_id   text NOT NULL,
        branch       text,
        recorded_at  timestamptz NOT NULL
      );
      CREATE INDEX advisor_outcomes_advisor ON advisor_outcomes (advisor_id, customer_id, recorded_at);
      CREATE INDEX advisor_outcomes_time ON advisor_outcomes (recorded_at);

      -- A customer shown in an advisor's queue, once per action window: the denominator of the action rate.
      CREATE TABLE advisor_presentations (
        advisor_id    text NOT NULL,
        branch        text NOT NULL,
        customer_id   text NOT NULL,
        product       text NOT NULL,
        presented_at  timestamptz NOT NULL,
        PRIMARY KEY (advisor_id, customer_id, presented_at)
      );
      CREATE INDEX advisor_presentations_time ON advisor_presentations (presented_at);
    `,
  },
  {
    version: 5,
    name: 'offer daily counts, retention by age, erasure log',
    sql: `
      -- Offer touchpoints counted per day, kept on ingest in the same transaction. They name no customer, so KPIs
      -- survive the retention purge and erasure. placement is '' when the touchpoint named none.
      CREATE TABLE offer_daily_counts (
        day        date NOT NULL,
        offer_id   text NOT NULL,
        placement  text NOT NULL,
        channel    text NOT NULL,
        type       text NOT NULL,
        count      bigint NOT NULL,
        PRIMARY KEY (day, offer_id, placement, channel, type)
      );
      INSERT INTO offer_daily_counts (day, offer_id, placement, channel, type, count)
        SELECT (occurred_at AT TIME ZONE 'UTC')::date, offer, coalesce(placement, ''), channel, type, count(*)
        FROM touchpoints WHERE offer IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5;

      -- The retention purge deletes touchpoints by age.
      CREATE INDEX touchpoints_occurred_at ON touchpoints (occurred_at);

      -- Who asked for an erasure and when: the pseudonymous customer id and the staff id (null when the customer
      -- asked), nothing of what was erased.
      CREATE TABLE erasure_log (
        id           bigserial PRIMARY KEY,
        customer_id  text NOT NULL,
        staff_id     text,
        erased_at    timestamptz NOT NULL
      );
      CREATE INDEX erasure_log_customer ON erasure_log (customer_id);
    `,
  },
  {
    version: 8,
    name: 'experiments and their registry',
    sql: `
      -- One row per experiment; the body is the whole experiment (hypothesis, arms, approvals), status and layer are
      -- columns because decisions read the running ones and starting checks the layer.
      CREATE TABLE experiments (
        id          uuid PRIMARY KEY,
        status      text NOT NULL,
        layer       text NOT NULL,
        body        jsonb NOT NULL,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
      );
      CREATE INDEX experiments_status ON experiments (status);

      -- Every change of an experiment: who, when, what.
      CREATE TABLE experiment_events (
        id             bigserial PRIMARY KEY,
        experiment_id  uuid NOT NULL REFERENCES experiments (id),
        at             timestamptz NOT NULL,
        staff_id       text NOT NULL,
        action         text NOT NULL,
        detail         jsonb
      );
      CREATE INDEX experiment_events_experiment ON experiment_events (experiment_id, at);

      -- Results read an experiment's decisions, and the touchpoints that refer to them.
      CREATE INDEX decisions_experiment ON decisions ((trace->'experiment'->>'id')) WHERE trace ? 'experiment';
      CREATE INDEX touchpoints_decision ON touchpoints (decision_id) WHERE decision_id IS NOT NULL;
    `,
  },
  {
    version: 9,
    name: 'audit log of staff changes',
    sql: `
      -- Every change made by staff: who, when, what, to which target, and the target before and after.
      CREATE TABLE audit_log (
        id        bigserial PRIMARY KEY,
        at        timestamptz NOT NULL,
        staff_id  text NOT NULL,
        action    text NOT NULL,
        target    text NOT NULL,
        before    jsonb,
        after     jsonb
      );
      CREATE INDEX audit_log_target ON audit_log (target, id);
    `,
  },
  {
    version: 10,
    name: 'offer versions: drafts, approvals, history',
    sql: `
      -- Every version of every offer staff changed: the open change (draft, submitted, approved), the live version and
      -- the retired ones. The body is the whole version (the offer, its authors and approvals); status and revision are
      -- columns because every step checks them. Publishing writes the offer into a new catalog version.
      CREATE TABLE offer_versions (
        offer_id    text NOT NULL,
        version     integer NOT NULL,
        status      text NOT NULL,
        revision    integer NOT NULL,
        body        jsonb NOT NULL,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL,
        PRIMARY KEY (offer_id, version)
      );
      -- At most one change under way, and one live version, per offer.
      CREATE UNIQUE INDEX offer_versions_one_open ON offer_versions (offer_id) WHERE status IN ('draft', 'submitted', 'approved');
      CREATE UNIQUE INDEX offer_versions_one_live ON offer_versions (offer_id) WHERE status = 'live';
    `,
  },
  {
    version: 11,
    name: 'offer daily counts by cluster and stage, and served offers',
    sql: `
      -- KPIs by offer x cluster x stage x placement x day. The cluster and the stage of the offer's product are the
      -- ones the decision saw; '' when no decision told them. Still no customer is named, so the counts outlive the
      -- retention purge and erasure as before.
      ALTER TABLE offer_daily_counts ADD COLUMN cluster text NOT NULL DEFAULT '';
      ALTER TABLE offer_daily_counts ADD COLUMN stage text NOT NULL DEFAULT '';
      ALTER TABLE offer_daily_counts DROP CONSTRAINT offer_daily_counts_pkey;
      ALTER TABLE offer_daily_counts ADD PRIMARY KEY (day, offer_id, placement, channel, type, cluster, stage);

      -- Touchpoints still stored whose decision is still stored move from the unattributed counts to their cluster and
      -- stage; the counts of erased or purged ones stay where they were, so every total is unchanged.
      WITH attributed AS (
        SELECT (t.occurred_at AT TIME ZONE 'UTC')::date AS day, t.offer AS offer_id, coalesce(t.placement, '') AS placement,
               t.channel, t.type, coalesce(d.trace->'cluster'->>'id', '') AS cluster,
               coalesce(d.trace->'stages'->>(SELECT c->>'product' FROM jsonb_array_elements(d.trace->'candidates') AS c
                                              WHERE c->>'offerId' = t.offer LIMIT 1), '') AS stage,
               count(*) AS n
        FROM touchpoints t JOIN decisions d ON d.id = t.decision_id
        WHERE t.offer IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6, 7
      ),
      known AS (SELECT * FROM attributed WHERE cluster <> '' OR stage <> ''),
      moved AS (
        UPDATE offer_daily_counts o SET count = o.count - k.n
        FROM (SELECT day, offer_id, placement, channel, type, sum(n) AS n FROM known GROUP BY 1, 2, 3, 4, 5) AS k
        WHERE o.day = k.day AND o.offer_id = k.offer_id AND o.placement = k.placement AND o.channel = k.channel
          AND o.type = k.type AND o.cluster = '' AND o.stage = ''
        RETURNING o.day
      )
      INSERT INTO offer_daily_counts (day, offer_id, placement, channel, type, cluster, stage, count)
        SELECT day, offer_id, placement, channel, type, cluster, stage, n FROM known;
      DELETE FROM offer_daily_counts WHERE count <= 0;

      -- Offers served: the stored decisions that showed one. Counted from now on as decisions are recorded.
      INSERT INTO offer_daily_counts (day, offer_id, placement, channel, type, cluster, stage, count)
        SELECT (created_at AT TIME ZONE 'UTC')::date, offer_id, placement, channel, 'served',
               coalesce(trace->'cluster'->>'id', ''),
               coalesce(trace->'stages'->>(SELECT c->>'product' FROM jsonb_array_elements(trace->'candidates') AS c
                                            WHERE c->>'offerId' = offer_id LIMIT 1), ''),
               count(*)
        FROM decisions WHERE offer_id IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6, 7;
    `,
  },
  {
    version: 12,
    name: 'touchpoints partitioned by month, their ids unique in touchpoint_ids, change notifications',
    sql: `
      -- The same columns, whatever earlier migrations gave the table, partitioned by the month of occurred_at.
      ALTER TABLE touchpoints RENAME TO touchpoints_unpartitioned;
      CREATE TABLE touchpoints (LIKE touchpoints_unpartitioned INCLUDING DEFAULTS) PARTITION BY RANGE (occurred_at);
      -- Touchpoints of a month without a partition (far past or future) land here rather than fail.
      CREATE TABLE touchpoints_default PARTITION OF touchpoints DEFAULT;

      -- A unique key of a partitioned table must contain the partition key, so (id) alone cannot be one there: the
      -- client's id is kept unique here, inserted first in the ingest statement; a repeated id stores nothing.
      CREATE TABLE touchpoint_ids (
        id           uuid PRIMARY KEY,
        occurred_at  timestamptz NOT NULL
      );
    `,
    run: async (tx, now) => {
      const months = await tx.query<{ month: string }>(
        `SELECT DISTINCT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month FROM touchpoints_unpartitioned`,
      );
      const wanted = new Set<number>();
      for (const { month } of months) {
        const start = new Date(`${month}-01T00:00:00Z`);
        if (monthGetsPartition(start, now)) wanted.add(start.getTime());
      }
      for (let offset = 0; offset <= PARTITION_MONTHS_AHEAD; offset++) wanted.add(monthStart(now, offset).getTime());
      for (const start of [...wanted].sort((a, b) => a - b)) await createMonthPartition(tx, new Date(start));
      await tx.query('INSERT INTO touchpoints SELECT * FROM touchpoints_unpartitioned');
      await tx.query(
        'INSERT INTO touchpoint_ids (id, occurred_at) SELECT id, occurred_at FROM touchpoints_unpartitioned',
      );
      await tx.query('DROP TABLE touchpoints_unpartitioned');
      // Indexes on the partitioned table are made on every partition, present and future. Each serves queries named in
      // docs/deploy.md; the old index on anonymous_id served none and is gone.
      // A subject's history in time order: profile rebuilds, export, "why", erasure, linking, cluster training.
      await tx.query('CREATE INDEX touchpoints_subject_time ON touchpoints (subject, occurred_at)');
      // Experiment results join touchpoints to decisions.
      await tx.query('CREATE INDEX touchpoints_decision ON touchpoints (decision_id) WHERE decision_id IS NOT NULL');
      // Time ranges within a month (the retention cutoff's month, the default partition, audience history). Rows
      // arrive in about time order, so a BRIN index is tiny and costs ingest almost nothing.
      await tx.query('CREATE INDEX touchpoints_occurred_at ON touchpoints USING brin (occurred_at)');
      // Retention deletes ids by age, in the same order they arrived.
      await tx.query('CREATE INDEX touchpoint_ids_occurred_at ON touchpoint_ids USING brin (occurred_at)');

      // Change notifications: sent in the writing transaction, delivered on commit (see src/store/changes.ts).
      await tx.query(`
        CREATE FUNCTION touchpoint_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('${CHANGES_CHANNEL}', json_build_object(
            'schema', TG_TABLE_SCHEMA,
            'kind', TG_ARGV[0],
            'version', CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ->> TG_ARGV[1] ELSE to_jsonb(NEW) ->> TG_ARGV[1] END
          )::text);
          RETURN NULL;
        END
        $$`);
      for (const [table, kind, key] of [
        ['catalog_versions', 'catalog', 'version'],
        ['cluster_models', 'clusters', 'version'],
        ['experiments', 'experiments', 'id'],
      ] as const) {
        await tx.query(
          `CREATE TRIGGER ${table}_changed AFTER INSERT OR UPDATE OR DELETE ON ${table}
             FOR EACH ROW EXECUTE FUNCTION touchpoint_notify_change('${kind}', '${key}')`,
        );
      }
    },
  },
  {
    version: 13,
    name: 'the customer of each CRM event',
    sql: `
      -- Erasure and the customer's export find a customer's CRM events by this column (the body names them too).
      ALTER TABLE crm_outbox ADD COLUMN customer_id text;
      UPDATE crm_outbox SET customer_id = (body::jsonb)->>'customerId';
      CREATE INDEX crm_outbox_customer ON crm_outbox (customer_id);
    `,
  },
  {
    version: 14,
    name: 'profile change notifications',
    sql: '',
    run: async (tx) => {
      // One notification per statement (not per row) naming the subjects it changed, a hundred to a payload (a payload
      // holds 8,000 bytes). A TRUNCATE, a bank score upload or a statement changing more than 1,000 profiles (a batch
      // job) names nobody: every profile may have changed.
      await tx.query(`
        CREATE FUNCTION touchpoint_notify_profiles() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          changed text[];
          i integer;
        BEGIN
          IF TG_OP <> 'TRUNCATE' AND TG_TABLE_NAME = 'profiles' THEN
            SELECT array_agg(DISTINCT subject) INTO changed FROM changed_rows;
          END IF;
          IF TG_OP = 'TRUNCATE' OR TG_TABLE_NAME <> 'profiles' OR array_length(changed, 1) > 1000 THEN
            PERFORM pg_notify('${CHANGES_CHANNEL}',
              json_build_object('schema', TG_TABLE_SCHEMA, 'kind', 'profiles', 'subjects', NULL)::text);
            RETURN NULL;
          END IF;
          FOR i IN 1 .. coalesce(array_length(changed, 1), 0) BY 100 LOOP
            PERFORM pg_notify('${CHANGES_CHANNEL}',
              json_build_object('schema', TG_TABLE_SCHEMA, 'kind', 'profiles', 'subjects', changed[i:i + 99])::text);
          END LOOP;
          RETURN NULL;
        END
        $$`);
      // A trigger with a transition table has one event.
      await tx.query(`CREATE TRIGGER profiles_inserted AFTER INSERT ON profiles REFERENCING NEW TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION touchpoint_notify_profiles()`);
      await tx.query(`CREATE TRIGGER profiles_updated AFTER UPDATE ON profiles REFERENCING NEW TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION touchpoint_notify_profiles()`);
      await tx.query(`CREATE TRIGGER profiles_deleted AFTER DELETE ON profiles REFERENCING OLD TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION touchpoint_notify_profiles()`);
      await tx.query(`CREATE TRIGGER profiles_truncated AFTER TRUNCATE ON profiles
        FOR EACH STATEMENT EXECUTE FUNCTION touchpoint_notify_profiles()`);
      // A customer's bank scores are read with their profile.
      await tx.query(`CREATE TRIGGER propensity_scores_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON propensity_scores FOR EACH STATEMENT EXECUTE FUNCTION touchpoint_notify_profiles()`);
    },
  },
  {
    version: 15,
    name: 'partner signatures and rate limit buckets shared by every instance',
    sql: `
      -- The replay guard of every instance: a partner's signature is claimed here once (ON CONFLICT), and kept until
      -- its timestamp leaves the tolerance window (the API's clock, in ms); purged once expired.
      CREATE TABLE partner_signatures (
        partner_id text NOT NULL,
        signature text NOT NULL,
        expires_at_ms bigint NOT NULL,
        PRIMARY KEY (partner_id, signature)
      );
      -- The purge deletes by expiry.
      CREATE INDEX partner_signatures_expiry ON partner_signatures (expires_at_ms);
      -- Token buckets of the rate limits (per address, site key, customer), one upsert a request. Unlogged: no WAL,
      -- so a take costs no flush; a crash empties it (every bucket full, as a restart did before). No index but the
      -- key, and room on each page, so the updates stay heap-only; the purge scans it.
      CREATE UNLOGGED TABLE rate_limit_buckets (
        key text PRIMARY KEY,
        tokens double precision NOT NULL,
        at_ms bigint NOT NULL,
        rate double precision NOT NULL,
        burst double precision NOT NULL,
        taken boolean NOT NULL
      ) WITH (fillfactor = 70);
    `,
  },
  {
    version: 16,
    name: 'house offers carry no caps',
    sql: `
      -- A house offer is the fallback shown when nothing else is eligible and is never capped, so the contract now
      -- refuses caps on it; the catalogs and offer versions stored before held the default caps, which are dropped.
      UPDATE catalog_versions SET body = jsonb_set(body, '{offers}', (
        SELECT coalesce(jsonb_agg(CASE WHEN o->'product' = 'null'::jsonb THEN o - 'caps' ELSE o END ORDER BY n), '[]')
        FROM jsonb_array_elements(body->'offers') WITH ORDINALITY AS e(o, n)))
      WHERE jsonb_typeof(body->'offers') = 'array'
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(body->'offers') AS o WHERE o->'product' = 'null'::jsonb AND o ? 'caps');
      UPDATE offer_versions SET body = body #- '{offer,caps}'
      WHERE body->'offer'->'product' = 'null'::jsonb AND body->'offer' ? 'caps';
    `,
  },
  {
    version: 17,
    name: 'audit entries with details',
    sql: `
      -- What a change was judged on, beside the target before and after: the what-if report an approval read.
      ALTER TABLE audit_log ADD COLUMN details jsonb;
    `,
  },
  {
    version: 18,
    name: 'budgets: counters, leases, hourly traffic',
    sql: `
      -- A budget's period: used = spent and settled, plus every outstanding lease's whole block; settled = spent by
      -- blocks given back. What is known spent = settled + the outstanding leases' reported spent.
      CREATE TABLE budget_counters (
        budget_id text NOT NULL,
        period text NOT NULL,
        used bigint NOT NULL DEFAULT 0,
        settled bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (budget_id, period)
      );
      -- A block of a budget one process spends in memory; expired ones come back to the counter.
      CREATE TABLE budget_leases (
        id text PRIMARY KEY,
        budget_id text NOT NULL,
        period text NOT NULL,
        amount integer NOT NULL,
        spent integer NOT NULL DEFAULT 0,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX budget_leases_counter ON budget_leases (budget_id, period, expires_at);
      -- Decisions per UTC hour, all processes together: the traffic profile pacing follows.
      CREATE TABLE decision_hours (hour timestamptz PRIMARY KEY, decisions bigint NOT NULL);
    `,
  },
];

export async function migrate(
  db: SqlDatabase,
  {
    now = new Date(),
    upTo = Number.POSITIVE_INFINITY,
  }: {
    now?: Date;
    /** Applies migrations up to this version only (tests of a migration on data written before it). */
    upTo?: number;
  } = {},
): Promise<number[]> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const applied = new Set(
    (await db.query<{ version: number }>('SELECT version FROM schema_migrations')).map((row) => row.version),
  );
  const done: number[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version) || migration.version > upTo) continue;
    await db.transaction(async (tx) => {
      // A migration may rewrite a large table: it is a release step, run once, so the connections' statement timeout
      // (meant for requests and jobs) does not apply to it.
      await tx.query('SET LOCAL statement_timeout = 0');
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await migration.run?.(tx, now);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    });
    done.push(migration.version);
  }
  return done;
}

/** Migration scripts hold plain DDL; statements end at a semicolon outside comments. */
function splitStatements(script: string): string[] {
  return script
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
