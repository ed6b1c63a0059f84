import type { Catalog } from '../contract/index.js';
import { type CustomerProfile, EMPTY_PROFILE } from '../domain/journeys/profile.js';
import { type OfferDailyCount, SERVED } from '../domain/kpis/offer-counts.js';
import { createAuditRepository, writeAudit } from './audit.js';
import { createBudgetCounterRepository } from './budget-counters.js';
import { followChanges } from './changes.js';
import { createClusterRepository } from './clusters.js';
import { type DecisionRow, decisionFromRow } from './decisions.js';
import { createExperimentRepository } from './experiments.js';
import { createKpiRepository } from './kpis.js';
import { createLeadRepository } from './leads.js';
import { readBankScores, readEvidence, recordEvidence, saveBankScores } from './learning.js';
import { servedAttributions } from './offer-counts.js';
import { createOfferRepository } from './offers.js';
import { createPartitionsAhead, partitionKeeper } from './partitions.js';
import type { LoggedDecisionRow, Store } from './port.js';
import { createPrivacyRepository } from './privacy.js';
import { observeProfileWrites } from './profile-writes.js';
import { lockProfile, writeProfile, writeProfiles } from './profiles.js';
import { memoryLimits, sqlLimits } from './shared-limits.js';
import type { SqlDatabase } from './sql.js';
import { anonymousSubject, customerSubject, type Subject } from './subjects.js';
import { ingestForSubjects, insertTouchpointRows, readTouchpointsBySubject, refreshLeadsOf } from './touchpoints.js';

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
    budgetCounters: createBudgetCounterRepository(db),
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
