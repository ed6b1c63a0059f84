import type { Catalog } from '../contract/index.js';
import { type CustomerProfile, EMPTY_PROFILE, type ProfileTouchpoint } from '../domain/journeys/profile.js';
import {
  attributionOf,
  type CountedBefore,
  countOfferTouchpointsOfDecisions,
  type OfferDailyCount,
  SERVED,
  type ServedDecision,
  type TracedForCounts,
} from '../domain/kpis/offer-counts.js';
import { createAuditRepository, writeAudit } from './audit.js';
import { followChanges } from './changes.js';
import { createClusterRepository } from './clusters.js';
import { type DecisionRow, decisionFromRow } from './decisions.js';
import { createExperimentRepository } from './experiments.js';
import { createKpiRepository } from './kpis.js';
import { createLeadRepository, type LeadHook, refreshCustomerLeads } from './leads.js';
import { readBankScores, readEvidence, recordEvidence, saveBankScores } from './learning.js';
import { createOfferRepository } from './offers.js';
import { createPartitionsAhead, partitionKeeper } from './partitions.js';
import type {
  IngestResult,
  LoggedDecisionRow,
  Store,
  StoredDecision,
  SubjectTouchpoints,
  TouchpointRow,
  TouchpointsBySubjectOptions,
} from './port.js';
import { createPrivacyRepository } from './privacy.js';
import { observeProfileWrites } from './profile-writes.js';
import { memoryLimits, sqlLimits } from './shared-limits.js';
import type { SqlClient, SqlDatabase } from './sql.js';
import { anonymousSubject, customerSubject, EXTERNAL_CHANNEL, type Subject } from './subjects.js';

export * from './port.js';
export * from './subjects.js';

export function createSqlStore(db: SqlDatabase): Store {
  const storedProfile = async (subject: Subject): Promise<CustomerProfile | null> => {
    const rows = await db.query<{ body: CustomerProfile }>('SELECT body FROM profiles WHERE subject = $1', [subject]);
    return rows[0]?.body ?? null;
  };
  const partitions = partitionKeeper(db);
  const ensurePartitions = (touchpoints: ReadonlyArray<{ occurredAt: string }>) =>
    partitions.ensureFor(touchpoints.map((touchpoint) => touchpoint.occurredAt));
  return observeProfileWrites({
    ...createLeadRepository(db, {
      lock: (tx, customerId) => lockProfile(tx, customerSubject(customerId)),
      write: (tx, customerId, profile) => writeProfile(tx, customerSubject(customerId), profile),
    }),
    engine: db.engine,
    ...createClusterRepository(db),
    experiments: createExperimentRepository(db),
    audit: createAuditRepository(db),
    kpis: createKpiRepository(db),
    offers: createOfferRepository(db),
    limits: db.engine === 'postgresql' ? sqlLimits(db) : memoryLimits(),

    async latestCatalog() {
      const rows = await db.query<{ body: Catalog }>('SELECT body FROM catalog_versions ORDER BY id DESC LIMIT 1');
      return rows[0]?.body ?? null;
    },

    async saveCatalog(catalog) {
      await db.query(
        'INSERT INTO catalog_versions (version, body) VALUES ($1, $2) ON CONFLICT (version) DO UPDATE SET body = EXCLUDED.body',
        [catalog.version, JSON.stringify(catalog)],
      );
    },

    profile: async (subject) => (await storedProfile(subject)) ?? EMPTY_PROFILE,
    storedProfile,

    async sampleCustomerProfiles(limit) {
      const rows = await db.query<{ subject: string; body: CustomerProfile }>(
        `SELECT subject, body FROM profiles WHERE subject LIKE 'c:%' ORDER BY md5(subject), subject LIMIT $1`,
        [limit],
      );
      return rows.map((row) => ({ customerId: row.subject.slice(2), profile: row.body }));
    },

    async loggedDecisions(since, limit) {
      const rows = await db.query<{
        subject: string;
        placement: string;
        offer_id: string | null;
        channel: string;
        trace: LoggedDecisionRow['trace'];
        clicked: boolean;
        converted: boolean;
      }>(
        `SELECT d.subject, d.placement, d.offer_id, d.channel, d.trace,
                EXISTS (SELECT 1 FROM touchpoints t WHERE t.decision_id = d.id AND t.type = 'offer_click') AS clicked,
                EXISTS (SELECT 1 FROM touchpoints t WHERE t.decision_id = d.id AND t.type = 'conversion') AS converted
           FROM decisions d
          WHERE d.created_at >= $1 AND d.trace ? 'propensity'
          ORDER BY d.created_at DESC LIMIT $2`,
        [since, limit],
      );
      return rows.map((row) => ({
        subject: row.subject,
        placement: row.placement,
        offerId: row.offer_id,
        channel: row.channel,
        trace: row.trace,
        clicked: row.clicked,
        converted: row.converted,
      }));
    },

    async customerProfile(customerId, anonymousId, options) {
      const customer = customerSubject(customerId);
      // The customer's and the device's profile rows, the device's link (subject 'link', its customer in offer_id),
      // and the bank's scores: one statement, one round trip on every logged-in decision not answered from memory.
      const profiles = `SELECT subject, CASE WHEN subject = $1 THEN body END AS body, NULL AS offer_id, NULL::double precision AS score, NULL AS model_name, NULL AS model_version FROM profiles WHERE subject IN ($1, $2)
         UNION ALL SELECT 'link', NULL, customer_id, NULL, NULL, NULL FROM identity_links WHERE anonymous_id = $3::uuid`;
      const rows = await db.query<{
        subject: string | null;
        body: CustomerProfile | null;
        offer_id: string | null;
        score: number | null;
        model_name: string | null;
        model_version: string | null;
      }>(
        options?.bankScores
          ? `${profiles} UNION ALL SELECT NULL, NULL, offer_id, score, model_name, model_version FROM propensity_scores WHERE customer_id = $4`
          : profiles,
        [customer, anonymousSubject(anonymousId), anonymousId, ...(options?.bankScores ? [customerId] : [])],
      );
      const linkedTo = rows.find((row) => row.subject === 'link')?.offer_id;
      const deviceProfile = rows.some((row) => row.subject === anonymousSubject(anonymousId));
      return {
        profile: rows.find((row) => row.subject === customer)?.body ?? EMPTY_PROFILE,
        // A device not linked yet is linked now; one linked to this customer has its anonymous history moved; one
        // linked to another customer (a shared device whose SDK kept its id) moves nothing to this one.
        deviceToLink: linkedTo === undefined || (linkedTo === customerId && deviceProfile),
        deviceProfile,
        ...(options?.bankScores
          ? {
              bankScores: new Map(
                rows
                  .filter((row) => row.subject === null)
                  .map((row) => [
                    row.offer_id as string,
                    {
                      score: Number(row.score),
                      modelName: row.model_name as string,
                      modelVersion: row.model_version as string,
                    },
                  ]),
              ),
            }
          : {}),
      };
    },

    ingest: async (subject, anonymousId, touchpoints, update, learning, leads) => {
      await ensurePartitions(touchpoints);
      return db.transaction(async (tx) => {
        const isNew = await insertTouchpointRows(
          tx,
          touchpoints.map((touchpoint) => ({ subject, anonymousId, touchpoint })),
        );
        const stored = touchpoints.filter((_, i) => isNew[i]);
        if (stored.length > 0) {
          const current = await lockProfile(tx, subject);
          const updated = update(current ?? EMPTY_PROFILE, stored);
          await writeProfile(tx, subject, updated);
          if (leads) await refreshLeadsOf(tx, [{ subject, profile: updated, stored }], leads);
        }
        const learned = learning ? await recordEvidence(tx, stored, learning) : [];
        return {
          accepted: stored.map((touchpoint) => touchpoint.id),
          duplicates: touchpoints.filter((_, i) => !isNew[i]).map((touchpoint) => touchpoint.id),
          ...(learned.length > 0 ? { learned } : {}),
        };
      });
    },

    ingestForSubjects: async (rows, update, leads) => {
      await ensurePartitions(rows.map((row) => row.touchpoint));
      return ingestForSubjects(db, rows, update, leads);
    },

    linkAnonymous: (anonymousId, customerId, merge) =>
      db.transaction(async (tx) => {
        const customer = customerSubject(customerId);
        const anonymous = anonymousSubject(anonymousId);
        // A device belongs to the first customer who logs in on it. Another customer on the same device id (an SDK
        // that kept its id past a logout) gets neither the link nor the device's anonymous history, which may be the
        // first customer's: the link record and both customers' exports keep agreeing.
        const [link] = await tx.query<{ customer_id: string }>(
          `INSERT INTO identity_links (anonymous_id, customer_id) VALUES ($1, $2)
           ON CONFLICT (anonymous_id) DO UPDATE SET customer_id = identity_links.customer_id RETURNING customer_id`,
          [anonymousId, customerId],
        );
        const current = (await lockProfile(tx, customer)) ?? EMPTY_PROFILE;
        if (link?.customer_id !== customerId) return current;
        const deviceProfile = await lockProfile(tx, anonymous);
        if (!deviceProfile) return current;
        await tx.query('UPDATE touchpoints SET subject = $1 WHERE subject = $2', [customer, anonymous]);
        await tx.query('UPDATE decisions SET subject = $1 WHERE subject = $2', [customer, anonymous]);
        await tx.query('DELETE FROM profiles WHERE subject = $1', [anonymous]);
        const merged = merge(current, deviceProfile);
        await writeProfile(tx, customer, merged);
        return merged;
      }),

    linkDevice: async (anonymousId, customerId) => {
      await db.query(
        'INSERT INTO identity_links (anonymous_id, customer_id) VALUES ($1, $2) ON CONFLICT (anonymous_id) DO NOTHING',
        [anonymousId, customerId],
      );
    },

    recordDecisions: async (decisions) => {
      if (decisions.length === 0) return;
      // One statement, so one round trip and atomic without a transaction: the decisions, and the served offers
      // counted from the rows it inserted (a retried write of the same decisions inserts and counts nothing). The batch
      // is one JSON document read back into rows by jsonb_to_recordset: one JSON.stringify, where ten parallel arrays
      // made the driver quote every trace into a PostgreSQL array literal and the server parse that again. Cluster and
      // stage are attributed here, as for touchpoints; counts are upserted in key order, so writers lock rows alike.
      await db.query(
        `WITH inserted AS (
           INSERT INTO decisions (id, subject, placement, offer_id, channel, page, locale, reason, trace, created_at)
           SELECT id, subject, placement, offer_id, channel, page, locale, reason, trace, created_at
           FROM jsonb_to_recordset($1::jsonb) AS d(id uuid, subject text, placement text, offer_id text, channel text,
             page text, locale text, reason text, trace jsonb, created_at timestamptz)
           ON CONFLICT (id) DO NOTHING
           RETURNING id, offer_id, placement, channel, created_at
         ),
         served AS (
           SELECT (i.created_at AT TIME ZONE 'UTC')::date AS day, i.offer_id, i.placement, i.channel,
                  a.cluster, a.stage, count(*) AS n
           FROM inserted i JOIN jsonb_to_recordset($2::jsonb) AS a(id uuid, cluster text, stage text) ON a.id = i.id
           WHERE i.offer_id <> ''
           GROUP BY 1, 2, 3, 4, 5, 6
         )
         INSERT INTO offer_daily_counts (day, offer_id, placement, channel, type, cluster, stage, count)
         SELECT day, offer_id, placement, channel, '${SERVED}', cluster, stage, n FROM served
         ORDER BY day, offer_id, placement, channel, cluster, stage
         ON CONFLICT (day, offer_id, placement, channel, type, cluster, stage)
         DO UPDATE SET count = offer_daily_counts.count + EXCLUDED.count`,
        [
          JSON.stringify(
            decisions.map((d) => ({
              id: d.id,
              subject: d.subject,
              placement: d.placement,
              offer_id: d.offerId,
              channel: d.channel,
              page: d.page,
              locale: d.locale,
              reason: d.reason,
              trace: d.trace,
              created_at: d.createdAt.toISOString(),
            })),
          ),
          JSON.stringify(servedAttributions(decisions)),
        ],
      );
    },

    async decision(id) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const rows = await db.query<DecisionRow>('SELECT * FROM decisions WHERE id = $1', [id]);
      const row = rows[0];
      return row ? decisionFromRow(row) : null;
    },

    putProfiles: (profiles) => writeProfiles(db, profiles),

    async insertTouchpoints(rows) {
      await ensurePartitions(rows.map((row) => row.touchpoint));
      return (await db.transaction((tx) => insertTouchpointRows(tx, rows))).filter(Boolean).length;
    },

    async offerDailyCounts() {
      const rows = await db.query<OfferDailyCount>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, offer_id AS "offerId", placement, channel, type, cluster, stage,
                count::int AS count
         FROM offer_daily_counts ORDER BY day, offer_id, placement, channel, type, cluster, stage`,
      );
      return rows;
    },

    privacy: createPrivacyRepository(db, { droppedPartitions: (names) => partitions.forget(names) }),
    followChanges: (handlers) => followChanges(db, handlers),
    createPartitionsAhead: (now) => createPartitionsAhead(db, now),

    async countTouchpoints(subject) {
      const rows = subject
        ? await db.query<{ n: number }>('SELECT count(*)::int AS n FROM touchpoints WHERE subject = $1', [subject])
        : await db.query<{ n: number }>('SELECT count(*)::int AS n FROM touchpoints');
      return rows[0]?.n ?? 0;
    },

    touchpointsBySubject: (options) => readTouchpointsBySubject(db, options),

    async countTouchpointsWithIds(ids) {
      if (ids.length === 0) return 0;
      // touchpoint_ids finds each id's month, so only that partition is read.
      const rows = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM touchpoint_ids i
           JOIN touchpoints t ON t.occurred_at = i.occurred_at AND t.id = i.id
          WHERE i.id = ANY($1::uuid[])`,
        [ids],
      );
      return rows[0]?.n ?? 0;
    },

    learnedEvidence: () => readEvidence(db),
    saveBankScores: (model, scores, at, audit) =>
      db.transaction(async (tx) => {
        const stored = await saveBankScores(tx, model, scores, at);
        if (audit) await writeAudit(tx, { ...audit, after: { ...(audit.after as object), stored } });
        return stored;
      }),
    bankScores: (customerId) => readBankScores(db, customerId),

    async ping() {
      await db.query('SELECT 1');
    },

    close: () => db.close(),
  });
}

async function* readTouchpointsBySubject(
  db: SqlClient,
  { subjects = 'customers', pageSize = 500 }: TouchpointsBySubjectOptions = {},
): AsyncGenerator<SubjectTouchpoints> {
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new RangeError(`[touchpoint] pageSize must be a whole number >= 1, got ${pageSize}`);
  }
  const only = subjects === 'customers' ? "AND subject LIKE 'c:%'" : '';
  // Clusters describe how customers use the bank, so what partners report from external sites is left out.
  const own = `channel <> '${EXTERNAL_CHANNEL}'`;
  // Every subject is longer than '', so the first page starts at the beginning.
  let after = '';
  while (true) {
    const page: Array<{ subject: Subject; products_held: string[] | null; behaviour_kept: boolean | null }> =
      await db.query(
        `SELECT s.subject, p.body->'productsHeld' AS products_held, p.body ? 'behaviour' AS behaviour_kept
       FROM (SELECT DISTINCT subject FROM touchpoints WHERE subject > $1 AND ${own} ${only}
             ORDER BY subject LIMIT $2) AS s
       LEFT JOIN profiles p ON p.subject = s.subject
       ORDER BY s.subject`,
        [after, pageSize],
      );
    if (page.length === 0) return;
    const rows = await db.query<{
      subject: Subject;
      type: ProfileTouchpoint['type'];
      occurred_at: Date | string;
      channel: ProfileTouchpoint['channel'];
      product: string | null;
      page: string | null;
      offer: string | null;
    }>(
      `SELECT subject, type, occurred_at, channel, product, page, offer FROM touchpoints
       WHERE subject = ANY($1::text[]) AND ${own} ORDER BY subject, occurred_at, id`,
      [page.map((row) => row.subject)],
    );
    const history = new Map<string, ProfileTouchpoint[]>();
    for (const row of rows) {
      const touchpoint: { -readonly [K in keyof ProfileTouchpoint]: ProfileTouchpoint[K] } = {
        type: row.type,
        occurredAt: new Date(row.occurred_at).toISOString(),
        channel: row.channel,
      };
      if (row.product !== null) touchpoint.product = row.product;
      if (row.page !== null) touchpoint.page = row.page;
      if (row.offer !== null) touchpoint.offer = row.offer;
      const list = history.get(row.subject) ?? [];
      list.push(touchpoint);
      history.set(row.subject, list);
    }
    for (const { subject, products_held, behaviour_kept } of page) {
      yield {
        subject,
        touchpoints: history.get(subject) ?? [],
        productsHeld: products_held ?? [],
        behaviourKept: behaviour_kept === true,
      };
    }
    after = (page[page.length - 1] as { subject: string }).subject;
  }
}

async function lockProfile(tx: SqlClient, subject: Subject): Promise<CustomerProfile | null> {
  const rows = await tx.query<{ body: CustomerProfile }>('SELECT body FROM profiles WHERE subject = $1 FOR UPDATE', [
    subject,
  ]);
  return rows[0]?.body ?? null;
}

async function ingestForSubjects<T extends TouchpointRow>(
  db: SqlDatabase,
  rows: ReadonlyArray<{ subject: Subject; touchpoint: T }>,
  update: (profile: CustomerProfile, stored: readonly T[]) => CustomerProfile,
  leads?: LeadHook<T>,
): Promise<IngestResult> {
  return db.transaction(async (tx) => {
    const isNew = await insertTouchpointRows(
      tx,
      rows.map(({ subject, touchpoint }) => ({ subject, anonymousId: null, touchpoint })),
    );
    const storedBySubject = new Map<Subject, T[]>();
    const accepted: string[] = [];
    const duplicates: string[] = [];
    rows.forEach(({ subject, touchpoint }, i) => {
      if (!isNew[i]) {
        duplicates.push(touchpoint.id);
        return;
      }
      accepted.push(touchpoint.id);
      const stored = storedBySubject.get(subject);
      if (stored) stored.push(touchpoint);
      else storedBySubject.set(subject, [touchpoint]);
    });
    if (storedBySubject.size > 0) {
      // Locked in subject order, so two batches naming the same customers cannot deadlock.
      const current = await tx.query<{ subject: Subject; body: CustomerProfile }>(
        'SELECT subject, body FROM profiles WHERE subject = ANY($1::text[]) ORDER BY subject FOR UPDATE',
        [[...storedBySubject.keys()].sort()],
      );
      const bodies = new Map(current.map((row) => [row.subject, row.body]));
      const updated = [...storedBySubject].map(([subject, stored]) => ({
        subject,
        stored,
        profile: update(bodies.get(subject) ?? EMPTY_PROFILE, stored),
      }));
      await writeProfiles(tx, updated);
      if (leads) await refreshLeadsOf(tx, updated, leads);
    }
    return { accepted, duplicates };
  });
}

/** Leads are a logged-in customer's: an anonymous device has none. */
function refreshLeadsOf<T>(
  tx: SqlClient,
  updated: ReadonlyArray<{ subject: Subject; profile: CustomerProfile; stored: readonly T[] }>,
  leads: LeadHook<T>,
): Promise<void> {
  return refreshCustomerLeads(
    tx,
    updated
      .filter(({ subject }) => subject.startsWith('c:'))
      .map(({ subject, profile, stored }) => ({
        customerId: subject.slice(2),
        profile,
        products: leads.productsOf(stored),
      })),
    leads,
  );
}

async function writeProfiles(
  client: SqlClient,
  profiles: ReadonlyArray<{ subject: Subject; profile: CustomerProfile }>,
): Promise<void> {
  if (profiles.length === 0) return;
  // One JSON document of [subject, profile] pairs: one JSON.stringify, where a jsonb[] array made the driver quote
  // every profile into a PostgreSQL array literal.
  await client.query(
    `INSERT INTO profiles (subject, body, updated_at)
     SELECT p->>0, p->1, now() FROM jsonb_array_elements($1::jsonb) AS p
     ON CONFLICT (subject) DO UPDATE SET body = EXCLUDED.body, updated_at = now()`,
    [JSON.stringify(profiles.map((p) => [p.subject, p.profile]))],
  );
}

async function writeProfile(tx: SqlClient, subject: Subject, profile: CustomerProfile): Promise<void> {
  await tx.query(
    `INSERT INTO profiles (subject, body, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (subject) DO UPDATE SET body = EXCLUDED.body, updated_at = now()`,
    [subject, JSON.stringify(profile)],
  );
}

/**
 * One statement for the whole batch, and the daily offer counts of the rows stored, in the caller's transaction; tells,
 * row by row, whether the touchpoint was stored now (false: its id was stored before, or earlier in the same batch).
 */
async function insertTouchpointRows(
  client: SqlClient,
  rows: ReadonlyArray<{ subject: Subject; anonymousId: string | null; touchpoint: TouchpointRow }>,
): Promise<boolean[]> {
  const isNew = rows.map(() => false);
  if (rows.length === 0) return isNew;
  // An id repeated within the batch is sent once, as its first row: the others are duplicates of it.
  const seen = new Set<string>();
  const sent: number[] = [];
  // The batch as one JSON document of one array per row, read back by position: one JSON.stringify, where parallel
  // PostgreSQL arrays made the driver quote and escape every value of every column.
  const document: unknown[] = [];
  rows.forEach(({ subject, anonymousId, touchpoint: t }, i) => {
    const key = uuidKey(t.id);
    if (seen.has(key)) return;
    seen.add(key);
    sent.push(i);
    document.push([
      t.id,
      subject,
      anonymousId,
      t.type,
      t.occurredAt,
      t.channel,
      t.product ?? null,
      t.page ?? null,
      t.placement ?? null,
      t.offer ?? null,
      t.decisionId ?? null,
      t.properties ?? null,
    ]);
  });
  // The id is claimed in touchpoint_ids first (the partitioned table cannot hold a unique key on id alone); only
  // rows whose id was new are stored, in the same statement. A concurrent insert of the same id waits for the first
  // to commit and then stores nothing; ids are claimed in id order, so two batches sharing ids in another order wait
  // for each other rather than deadlock. Only the rows not stored come back (by position in the document): usually
  // none.
  const refused = await client.query<{ n: number }>(
    `WITH batch AS (
       SELECT (r->>0)::uuid AS id, r->>1 AS subject, (r->>2)::uuid AS anonymous_id, r->>3 AS type,
              (r->>4)::timestamptz AS occurred_at, r->>5 AS channel, r->>6 AS product, r->>7 AS page, r->>8 AS placement,
              r->>9 AS offer, (r->>10)::uuid AS decision_id, nullif(r->11, 'null') AS properties, n
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(r, n)
     ),
     claimed AS (
       INSERT INTO touchpoint_ids (id, occurred_at) SELECT id, occurred_at FROM batch ORDER BY id
       ON CONFLICT (id) DO NOTHING RETURNING id
     ),
     stored AS (
       INSERT INTO touchpoints (id, subject, anonymous_id, type, occurred_at, channel, product, page, placement, offer, decision_id, properties)
       SELECT id, subject, anonymous_id, type, occurred_at, channel, product, page, placement, offer, decision_id, properties
       FROM batch JOIN claimed USING (id)
     )
     SELECT n::int AS n FROM batch WHERE id NOT IN (SELECT id FROM claimed)`,
    [JSON.stringify(document)],
  );
  for (const i of sent) isNew[i] = true;
  for (const { n } of refused) isNew[sent[n - 1] as number] = false;
  await addOfferDailyCounts(
    client,
    rows.flatMap((row, i) => (isNew[i] ? [row.touchpoint] : [])),
  );
  return isNew;
}

/**
 * A uuid as PostgreSQL compares it, whatever the case, braces or hyphens it was written with: the standard form in
 * lower case.
 */
function uuidKey(id: string): string {
  const lower = id.toLowerCase();
  if (lower.length === 36 && lower[8] === '-' && lower[13] === '-' && lower[18] === '-' && lower[23] === '-')
    return lower;
  const hex = lower.replace(/[{}-]/g, '');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function addOfferDailyCounts(client: SqlClient, stored: readonly TouchpointRow[]): Promise<void> {
  // The decision a touchpoint names tells the customer's cluster and the stage of the offer's product, and what it
  // served: viewable impressions and clicks are counted against it (countOfferTouchpointsOfDecisions).
  const decisionIds = [...new Set(stored.flatMap((t) => (t.offer && t.decisionId ? [t.decisionId] : [])))];
  const traces = new Map<string, TracedForCounts>();
  const served = new Map<string, ServedDecision>();
  const before = new Map<string, CountedBefore>();
  if (decisionIds.length > 0) {
    const rows = await client.query<{
      id: string;
      offer_id: string | null;
      placement: string;
      channel: string;
      day: string;
      cluster: string | null;
      stages: Record<string, string> | null;
      products: Record<string, string> | null;
    }>(
      `SELECT id, offer_id, placement, channel, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
              trace->'cluster'->>'id' AS cluster, trace->'stages' AS stages,
              (SELECT jsonb_object_agg(c->>'offerId', c->>'product') FROM jsonb_array_elements(trace->'candidates') AS c
               WHERE jsonb_typeof(c->'product') = 'string') AS products
       FROM decisions WHERE id = ANY($1::uuid[])`,
      [decisionIds],
    );
    for (const row of rows) {
      const trace: TracedForCounts = {
        cluster: row.cluster ? { id: row.cluster } : null,
        stages: row.stages ?? {},
        candidates: Object.entries(row.products ?? {}).map(([offerId, product]) => ({ offerId, product })),
      };
      traces.set(row.id, trace);
      served.set(row.id, {
        offerId: row.offer_id,
        placement: row.placement,
        channel: row.channel,
        day: row.day,
        attribution: row.offer_id ? attributionOf(trace, row.offer_id) : { cluster: '', stage: '' },
      });
    }
    // What touchpoints stored before this batch already counted for these decisions.
    const counted = await client.query<{ decision_id: string; viewable: boolean; clicked: boolean }>(
      `SELECT decision_id, bool_or(type = 'offer_impression') AS viewable, bool_or(type = 'offer_click') AS clicked
         FROM touchpoints
        WHERE decision_id = ANY($1::uuid[]) AND type IN ('offer_impression', 'offer_click') AND NOT (id = ANY($2::uuid[]))
        GROUP BY 1`,
      [decisionIds, stored.map((t) => t.id)],
    );
    for (const row of counted) before.set(row.decision_id, { viewable: row.viewable, clicked: row.clicked });
  }
  await writeOfferDailyCounts(
    client,
    countOfferTouchpointsOfDecisions(stored, served, before, (t) =>
      attributionOf(t.decisionId ? traces.get(t.decisionId) : null, t.offer ?? ''),
    ),
  );
}

/**
 * The cluster and stage of each decision that showed an offer, once per id: the row a batch inserts for an id is its
 * first, and so is the attribution counted with it.
 */
function servedAttributions(decisions: readonly StoredDecision[]) {
  const seen = new Set<string>();
  const attributions: Array<{ id: string; cluster: string; stage: string }> = [];
  for (const decision of decisions) {
    if (seen.has(decision.id)) continue;
    seen.add(decision.id);
    if (decision.offerId) {
      attributions.push({
        id: decision.id,
        ...attributionOf(decision.trace as TracedForCounts | null, decision.offerId),
      });
    }
  }
  return attributions;
}

async function writeOfferDailyCounts(client: SqlClient, counts: readonly OfferDailyCount[]): Promise<void> {
  if (counts.length === 0) return;
  const column = <T>(pick: (count: OfferDailyCount) => T) => counts.map(pick);
  await client.query(
    `INSERT INTO offer_daily_counts (day, offer_id, placement, channel, type, cluster, stage, count)
     SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[])
     ON CONFLICT (day, offer_id, placement, channel, type, cluster, stage)
     DO UPDATE SET count = offer_daily_counts.count + EXCLUDED.count`,
    [
      column((c) => c.day),
      column((c) => c.offerId),
      column((c) => c.placement),
      column((c) => c.channel),
      column((c) => c.type),
      column((c) => c.cluster),
      column((c) => c.stage),
      column((c) => c.count),
    ],
  );
}
