import type { AdvisorOutcomeKind } from '../contract/index.js';
import type { OutcomeCounts, PresentationCounts } from '../domain/advisors/advisor-kpis.js';
import type { Lead, LeadRefresh } from '../domain/advisors/leads.js';
import type { CustomerProfile } from '../domain/journeys/profile.js';
import type { SqlClient, SqlDatabase } from './sql.js';

/** A lead event for the CRM: sent once per idempotency key, the body signed as is. */
export interface LeadEvent {
  readonly key: string;
  /** The lead's customer: erasure deletes their events, sent or not, and the export lists them. */
  readonly customerId: string;
  readonly body: string;
}

/** How the store scores a customer's leads inside the transaction that changed the profile. */
export interface LeadScoring {
  refresh(
    customerId: string,
    profile: CustomerProfile,
    products: readonly string[],
    previouslyQualified: ReadonlyMap<string, string | null>,
  ): LeadRefresh;
  /** The CRM event of a newly qualified lead; null when no CRM is configured, and then nothing is queued. */
  readonly crmEvent: ((lead: Lead) => LeadEvent) | null;
  readonly now: Date;
}

/** Lead scoring on ingest: which products the new touchpoints touched, then the scoring itself. */
export interface LeadHook<T> extends LeadScoring {
  productsOf(stored: readonly T[]): string[];
}

export interface LeadPage {
  readonly leads: Lead[];
  /** Pass back as `after` for the next page; null on the last. */
  readonly next: { score: number; customerId: string; product: string } | null;
}

export interface StoredOutcome {
  readonly id: string;
  readonly customerId: string;
  readonly product: string;
  readonly outcome: AdvisorOutcomeKind;
  readonly note: string | null;
  readonly advisorId: string;
  readonly branch: string;
  readonly recordedAt: string;
}

export type OutcomeRecording =
  | { readonly status: 'recorded' | 'repeated'; readonly outcome: StoredOutcome }
  | { readonly status: 'unknown-customer' };

export interface OutboxRow {
  readonly key: string;
  readonly body: string;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly deliveredAt: string | null;
  readonly lastError: string | null;
}

/** Leads, the CRM outbox, and the advisors' queue presentations and outcomes. */
export interface LeadStore {
  /** Bulk loading for seeding: leads written as given, no CRM event queued. */
  putLeads(leads: readonly Lead[]): Promise<void>;
  /** Qualified leads, best score first, optionally of one product and over a score; keyset-paged. */
  leads(query: {
    product?: string;
    minScore?: number;
    after?: { score: number; customerId: string; product: string };
    limit: number;
  }): Promise<LeadPage>;
  /** A branch's qualified leads with their customers' profiles, best stored score first, at most `limit`. */
  branchLeads(
    branch: string,
    limit: number,
  ): Promise<Array<{ customerId: string; product: string; profile: CustomerProfile }>>;
  /** Notes customers shown in an advisor's queue; one already shown within the window is not noted again. */
  recordPresentations(
    presentation: { advisorId: string; branch: string; at: Date; windowDays: number },
    shown: ReadonlyArray<{ customerId: string; product: string }>,
  ): Promise<void>;
  /**
   * Records an advisor's outcome, updates the customer's profile and rescored lead in one transaction. A repeated id
   * changes nothing and answers the outcome stored first.
   */
  recordAdvisorOutcome(
    outcome: StoredOutcome,
    apply: (profile: CustomerProfile) => CustomerProfile,
    scoring: LeadScoring,
  ): Promise<OutcomeRecording>;
  /** Presentations since a time with whether the advisor acted within the window, and outcomes since then. */
  advisorActivity(
    since: Date,
    now: Date,
    windowDays: number,
  ): Promise<{ presentations: PresentationCounts[]; outcomes: OutcomeCounts[] }>;
  /** Claims due CRM events: their attempt is counted and they are leased until `leaseUntil`, so one sender has each. */
  claimLeadEvents(now: Date, leaseUntil: Date, limit: number): Promise<OutboxRow[]>;
  markLeadEventDelivered(key: string, at: Date): Promise<void>;
  markLeadEventFailed(key: string, nextAttemptAt: Date, error: string): Promise<void>;
  /** Every CRM event, oldest first: for operations and tests. */
  leadOutbox(): Promise<OutboxRow[]>;
}

const iso = (value: Date | string): string => new Date(value).toISOString();

/** Rescores the leads of customers whose profiles changed in this transaction, and queues CRM events for new ones. */
export async function refreshCustomerLeads(
  tx: SqlClient,
  changes: ReadonlyArray<{ customerId: string; profile: CustomerProfile; products: readonly string[] }>,
  scoring: LeadScoring,
): Promise<void> {
  const relevant = changes.filter((change) => change.products.length > 0);
  if (relevant.length === 0) return;
  const stored = await tx.query<{ customer_id: string; product: string; qualified_at: Date | string | null }>(
    `SELECT customer_id, product, qualified_at FROM leads WHERE customer_id = ANY($1::text[])
     ORDER BY customer_id, product FOR UPDATE`,
    [relevant.map((change) => change.customerId)],
  );
  const previous = new Map<string, Map<string, string | null>>();
  for (const row of stored) {
    const leads = previous.get(row.customer_id) ?? new Map<string, string | null>();
    leads.set(row.product, row.qualified_at === null ? null : iso(row.qualified_at));
    previous.set(row.customer_id, leads);
  }
  const leads: Lead[] = [];
  const events: LeadEvent[] = [];
  for (const { customerId, profile, products } of relevant) {
    const refreshed = scoring.refresh(customerId, profile, products, previous.get(customerId) ?? new Map());
    leads.push(...refreshed.leads);
    if (scoring.crmEvent) events.push(...refreshed.newlyQualified.map(scoring.crmEvent));
  }
  await writeLeads(tx, leads);
  if (events.length > 0) {
    await tx.query(
      `INSERT INTO crm_outbox (idempotency_key, customer_id, body, next_attempt_at, created_at)
       SELECT k, c, b, $4, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS e(k, c, b)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [events.map((e) => e.key), events.map((e) => e.customerId), events.map((e) => e.body), scoring.now.toISOString()],
    );
  }
}

async function writeLeads(client: SqlClient, leads: readonly Lead[]): Promise<void> {
  if (leads.length > 0) {
    await client.query(
      `INSERT INTO leads (customer_id, product, score, stage, last_activity_at, reason, branch, qualified_at, updated_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::timestamptz[], $6::jsonb[], $7::text[], $8::timestamptz[], $9::timestamptz[])
       ON CONFLICT (customer_id, product) DO UPDATE SET score = EXCLUDED.score, stage = EXCLUDED.stage,
         last_activity_at = EXCLUDED.last_activity_at, reason = EXCLUDED.reason, branch = EXCLUDED.branch,
         qualified_at = EXCLUDED.qualified_at, updated_at = EXCLUDED.updated_at`,
      [
        leads.map((l) => l.customerId),
        leads.map((l) => l.product),
        leads.map((l) => l.score),
        leads.map((l) => l.stage),
        leads.map((l) => l.lastActivityAt),
        leads.map((l) => JSON.stringify(l.reason)),
        leads.map((l) => l.branch),
        leads.map((l) => l.qualifiedAt),
        leads.map((l) => l.updatedAt),
      ],
    );
  }
}

interface LeadRowDb {
  customer_id: string;
  product: string;
  score: number;
  stage: Lead['stage'];
  last_activity_at: Date | string;
  reason: Lead['reason'];
  branch: string | null;
  qualified_at: Date | string | null;
  updated_at: Date | string;
}

const leadOf = (row: LeadRowDb): Lead => ({
  customerId: row.customer_id,
  product: row.product,
  score: Number(row.score),
  stage: row.stage,
  lastActivityAt: iso(row.last_activity_at),
  reason: row.reason,
  branch: row.branch,
  qualifiedAt: row.qualified_at === null ? null : iso(row.qualified_at),
  updatedAt: iso(row.updated_at),
});

interface OutcomeRowDb {
  id: string;
  customer_id: string;
  product: string;
  outcome: AdvisorOutcomeKind;
  note: string | null;
  advisor_id: string;
  branch: string;
  recorded_at: Date | string;
}

const outcomeOf = (row: OutcomeRowDb): StoredOutcome => ({
  id: row.id,
  customerId: row.customer_id,
  product: row.product,
  outcome: row.outcome,
  note: row.note,
  advisorId: row.advisor_id,
  branch: row.branch,
  recordedAt: iso(row.recorded_at),
});

interface OutboxRowDb {
  idempotency_key: string;
  body: string;
  attempts: number;
  next_attempt_at: Date | string;
  delivered_at: Date | string | null;
  last_error: string | null;
}

const outboxOf = (row: OutboxRowDb): OutboxRow => ({
  key: row.idempotency_key,
  body: row.body,
  attempts: row.attempts,
  nextAttemptAt: iso(row.next_attempt_at),
  deliveredAt: row.delivered_at === null ? null : iso(row.delivered_at),
  lastError: row.last_error,
});

export function createLeadRepository(
  db: SqlDatabase,
  profiles: {
    lock(tx: SqlClient, customerId: string): Promise<CustomerProfile | null>;
    write(tx: SqlClient, customerId: string, profile: CustomerProfile): Promise<void>;
  },
): LeadStore {
  return {
    putLeads: (leads) => writeLeads(db, leads),

    async leads({ product, minScore = 0, after, limit }) {
      const rows = await db.query<LeadRowDb>(
        `SELECT * FROM leads
         WHERE qualified_at IS NOT NULL AND ($1::text IS NULL OR product = $1) AND score >= $2::float8
           AND ($3::float8 IS NULL OR (score, customer_id, product) < ($3::float8, $4::text, $5::text))
         ORDER BY score DESC, customer_id DESC, product DESC LIMIT $6`,
        [product ?? null, minScore, after?.score ?? null, after?.customerId ?? null, after?.product ?? null, limit + 1],
      );
      const leads = rows.slice(0, limit).map(leadOf);
      const last = leads[leads.length - 1];
      return {
        leads,
        next:
          rows.length > limit && last
            ? { score: last.score, customerId: last.customerId, product: last.product }
            : null,
      };
    },

    async branchLeads(branch, limit) {
      const rows = await db.query<{ customer_id: string; product: string; body: CustomerProfile }>(
        `SELECT l.customer_id, l.product, p.body FROM leads l JOIN profiles p ON p.subject = 'c:' || l.customer_id
         WHERE l.qualified_at IS NOT NULL AND l.branch = $1
         ORDER BY l.score DESC, l.customer_id, l.product LIMIT $2`,
        [branch, limit],
      );
      return rows.map((row) => ({ customerId: row.customer_id, product: row.product, profile: row.body }));
    },

    async recordPresentations({ advisorId, branch, at, windowDays }, shown) {
      if (shown.length === 0) return;
      await db.query(
        `INSERT INTO advisor_presentations (advisor_id, branch, customer_id, product, presented_at)
         SELECT $1, $2, s.customer_id, s.product, $5 FROM unnest($3::text[], $4::text[]) AS s(customer_id, product)
         WHERE NOT EXISTS (
           SELECT 1 FROM advisor_presentations a WHERE a.advisor_id = $1 AND a.customer_id = s.customer_id
             AND a.presented_at > $5::timestamptz - make_interval(days => $6::int))
         ON CONFLICT DO NOTHING`,
        [advisorId, branch, shown.map((s) => s.customerId), shown.map((s) => s.product), at.toISOString(), windowDays],
      );
    },

    recordAdvisorOutcome: (outcome, apply, scoring) =>
      db.transaction(async (tx): Promise<OutcomeRecording> => {
        const profile = await profiles.lock(tx, outcome.customerId);
        if (!profile) return { status: 'unknown-customer' };
        const inserted = await tx.query<OutcomeRowDb>(
          `INSERT INTO advisor_outcomes (id, customer_id, product, outcome, note, advisor_id, branch, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING *`,
          [
            outcome.id,
            outcome.customerId,
            outcome.product,
            outcome.outcome,
            outcome.note,
            outcome.advisorId,
            // Per branch is the customer's branch, whose queue it was; the advisor's when the bank gave none.
            profile.attributes?.branch ?? outcome.branch,
            outcome.recordedAt,
          ],
        );
        const row = inserted[0];
        if (!row) {
          const [first] = await tx.query<OutcomeRowDb>('SELECT * FROM advisor_outcomes WHERE id = $1', [outcome.id]);
          if (!first) throw new Error('[touchpoint] an outcome id conflicted but is not stored');
          return { status: 'repeated', outcome: outcomeOf(first) };
        }
        const updated = apply(profile);
        await profiles.write(tx, outcome.customerId, updated);
        await refreshCustomerLeads(
          tx,
          [{ customerId: outcome.customerId, profile: updated, products: [outcome.product] }],
          scoring,
        );
        return { status: 'recorded', outcome: outcomeOf(row) };
      }),

    async advisorActivity(since, now, windowDays) {
      const presentations = await db.query<{
        advisor_id: string;
        branch: string;
        presented: number;
        acted: number;
        pending: number;
      }>(
        `SELECT p.advisor_id, p.branch, count(*)::int AS presented,
                count(*) FILTER (WHERE x.acted)::int AS acted,
                count(*) FILTER (WHERE NOT x.acted AND p.presented_at > $2::timestamptz - make_interval(days => $3::int))::int AS pending
         FROM advisor_presentations p
         CROSS JOIN LATERAL (SELECT EXISTS (
           SELECT 1 FROM advisor_outcomes o WHERE o.advisor_id = p.advisor_id AND o.customer_id = p.customer_id
             AND o.recorded_at >= p.presented_at AND o.recorded_at < p.presented_at + make_interval(days => $3::int)
         ) AS acted) x
         WHERE p.presented_at >= $1::timestamptz
         GROUP BY p.advisor_id, p.branch`,
        [since.toISOString(), now.toISOString(), windowDays],
      );
      const outcomes = await db.query<{ advisor_id: string; branch: string; outcome: AdvisorOutcomeKind; n: number }>(
        `SELECT advisor_id, branch, outcome, count(*)::int AS n FROM advisor_outcomes
         WHERE recorded_at >= $1::timestamptz GROUP BY advisor_id, branch, outcome`,
        [since.toISOString()],
      );
      return {
        presentations: presentations.map((row) => ({
          advisorId: row.advisor_id,
          branch: row.branch,
          presented: row.presented,
          acted: row.acted,
          pending: row.pending,
        })),
        outcomes: outcomes.map((row) => ({
          advisorId: row.advisor_id,
          branch: row.branch,
          outcome: row.outcome,
          count: row.n,
        })),
      };
    },

    async claimLeadEvents(now, leaseUntil, limit) {
      const rows = await db.query<OutboxRowDb>(
        `UPDATE crm_outbox SET attempts = attempts + 1, next_attempt_at = $2
         WHERE idempotency_key IN (
           SELECT idempotency_key FROM crm_outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1
           ORDER BY next_attempt_at, idempotency_key LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [now.toISOString(), leaseUntil.toISOString(), limit],
      );
      return rows.map(outboxOf).sort((a, b) => a.key.localeCompare(b.key));
    },

    async markLeadEventDelivered(key, at) {
      await db.query('UPDATE crm_outbox SET delivered_at = $2, last_error = NULL WHERE idempotency_key = $1', [
        key,
        at.toISOString(),
      ]);
    },

    async markLeadEventFailed(key, nextAttemptAt, error) {
      await db.query('UPDATE crm_outbox SET next_attempt_at = $2, last_error = $3 WHERE idempotency_key = $1', [
        key,
        nextAttemptAt.toISOString(),
        error.slice(0, 500),
      ]);
    },

    async leadOutbox() {
      const rows = await db.query<OutboxRowDb>('SELECT * FROM crm_outbox ORDER BY created_at, idempotency_key');
      return rows.map(outboxOf);
    },
  };
}
