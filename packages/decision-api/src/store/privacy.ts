import type { CustomerProfile } from '../domain/journeys/profile.js';
import { writeAudit } from './audit.js';
import { type DecisionRow, decisionFromRow } from './decisions.js';
import { listMonthPartitions, PARTITION_LOCK } from './partitions.js';
import type { SqlClient, SqlDatabase } from './sql.js';

type Subject = `c:${string}` | `a:${string}`;

/**
 * Tables holding rows about one subject (a customer, or a device linked to them), by their `subject` column: erasure
 * deletes from each. A new table with per-customer rows belongs here, and in the export.
 */
export const PER_SUBJECT_TABLES = ['touchpoints', 'decisions', 'profiles'] as const;

/**
 * Tables holding rows about one customer by their pseudonymous id, in a `customer_id` column: erasure deletes from
 * each, and the export includes their rows. A new table keyed by customer belongs here. The CRM outbox is one: an
 * erased customer's lead events are neither sent afterwards nor kept once sent (the CRM's copy is the bank's to erase).
 */
export const PER_CUSTOMER_TABLES = [
  'propensity_scores',
  'leads',
  'crm_outbox',
  'advisor_outcomes',
  'advisor_presentations',
] as const;

export interface CustomerDevice {
  readonly anonymousId: string;
  readonly linkedAt: string;
}

/** The subjects holding a customer's data: the customer and each device linked to them. */
export interface CustomerSubjects {
  readonly customer: Subject;
  readonly subjects: Subject[];
  readonly devices: CustomerDevice[];
}

export interface ExportedTouchpoint {
  readonly id: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly receivedAt: string;
  readonly channel: string;
  /** The device it was sent from, when the SDK sent it. */
  readonly anonymousId: string | null;
  readonly product: string | null;
  readonly page: string | null;
  readonly placement: string | null;
  readonly offer: string | null;
  readonly decisionId: string | null;
  readonly properties: Record<string, unknown> | null;
}

export interface ExportedDecision {
  readonly id: string;
  readonly placement: string;
  readonly offerId: string | null;
  readonly channel: string;
  readonly page: string;
  readonly locale: string;
  readonly reason: string;
  readonly trace: unknown;
  readonly createdAt: string;
}

export interface ErasureRecord {
  readonly erasedAt: string;
  /** The staff member who erased on the customer's request; null when the customer did. */
  readonly staffId: string | null;
}

export interface ErasureResult {
  /** Rows deleted per table, and the device links removed. */
  readonly deleted: Readonly<
    Record<(typeof PER_SUBJECT_TABLES)[number] | (typeof PER_CUSTOMER_TABLES)[number] | 'identity_links', number>
  >;
}

/** Retention, export and erasure: what the store does for the customer's rights. */
export interface PrivacyStore {
  customerSubjects(customerId: string): Promise<CustomerSubjects>;
  profiles(subjects: readonly Subject[]): Promise<Array<{ subject: Subject; profile: CustomerProfile }>>;
  /** Oldest first, read a page at a time, so memory holds one page however long the history. */
  touchpoints(subjects: readonly Subject[], options?: { pageSize?: number }): AsyncIterable<ExportedTouchpoint>;
  /** Oldest first, a page at a time. */
  decisions(subjects: readonly Subject[], options?: { pageSize?: number }): AsyncIterable<ExportedDecision>;
  /** The latest touchpoints before a moment, newest first. */
  touchpointsBefore(subjects: readonly Subject[], before: Date, limit: number): Promise<ExportedTouchpoint[]>;
  erasures(customerId: string): Promise<ErasureRecord[]>;
  /** The customer's rows in each per-customer table, by table, without the customer id. */
  customerRecords(customerId: string): Promise<Record<string, Array<Record<string, unknown>>>>;
  /**
   * Deletes everything held about a customer and their linked devices in one transaction, and logs who asked (null:
   * the customer) and when. Daily offer counts stay: they name nobody.
   */
  eraseCustomer(customerId: string, request: { staffId: string | null; at: Date }): Promise<ErasureResult>;
  /**
   * Deletes touchpoints that occurred before the cutoff; returns how many. Months wholly before it are dropped as
   * partitions; the rest (the cutoff's own month, the default partition) is deleted a batch at a time.
   */
  purgeTouchpoints(before: Date, options?: { batchSize?: number }): Promise<number>;
}

const asIso = (value: Date | string) => new Date(value).toISOString();

export function createPrivacyRepository(
  db: SqlDatabase,
  { droppedPartitions = () => {} }: { droppedPartitions?: (names: string[]) => void } = {},
): PrivacyStore {
  return {
    customerSubjects: (customerId) => customerSubjects(db, customerId),

    async profiles(subjects) {
      return db.query<{ subject: Subject; profile: CustomerProfile }>(
        'SELECT subject, body AS profile FROM profiles WHERE subject = ANY($1::text[]) ORDER BY subject',
        [subjects],
      );
    },

    touchpoints: (subjects, { pageSize = 1000 } = {}) =>
      keysetPages<TouchpointRow & Cursor, ExportedTouchpoint>(pageSize, exportedTouchpoint, (after, limit) =>
        db.query<TouchpointRow & Cursor>(
          `SELECT *, occurred_at::text AS cursor_at FROM touchpoints WHERE subject = ANY($1::text[])
           AND ($2::timestamptz IS NULL OR (occurred_at, id) > ($2::timestamptz, $3::uuid))
           ORDER BY occurred_at, id LIMIT $4`,
          [subjects, after?.cursor_at ?? null, after?.id ?? null, limit],
        ),
      ),

    decisions: (subjects, { pageSize = 1000 } = {}) =>
      keysetPages<DecisionRow & Cursor, ExportedDecision>(pageSize, exportedDecision, (after, limit) =>
        db.query<DecisionRow & Cursor>(
          `SELECT *, created_at::text AS cursor_at FROM decisions WHERE subject = ANY($1::text[])
           AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
           ORDER BY created_at, id LIMIT $4`,
          [subjects, after?.cursor_at ?? null, after?.id ?? null, limit],
        ),
      ),

    async touchpointsBefore(subjects, before, limit) {
      const rows = await db.query<TouchpointRow>(
        `SELECT * FROM touchpoints WHERE subject = ANY($1::text[]) AND occurred_at <= $2
         ORDER BY occurred_at DESC, id DESC LIMIT $3`,
        [subjects, before.toISOString(), limit],
      );
      return rows.map(exportedTouchpoint);
    },

    async erasures(customerId) {
      const rows = await db.query<{ erased_at: Date | string; staff_id: string | null }>(
        'SELECT erased_at, staff_id FROM erasure_log WHERE customer_id = $1 ORDER BY erased_at, id',
        [customerId],
      );
      return rows.map((row) => ({ erasedAt: asIso(row.erased_at), staffId: row.staff_id }));
    },

    async customerRecords(customerId) {
      const records: Record<string, Array<Record<string, unknown>>> = {};
      for (const table of PER_CUSTOMER_TABLES) {
        const rows = await db.query<{ row: Record<string, unknown> }>(
          `SELECT to_jsonb(t) - 'customer_id' AS row FROM ${table} t WHERE customer_id = $1`,
          [customerId],
        );
        records[table] = rows.map((row) => row.row);
      }
      return records;
    },

    eraseCustomer: (customerId, { staffId, at }) =>
      db.transaction(async (tx) => {
        // Locks the customer's device links first, so a device cannot be linked while its history is erased.
        const { subjects } = await customerSubjects(tx, customerId, { lock: true });
        const deleted: Record<string, number> = {};
        for (const table of PER_SUBJECT_TABLES) {
          deleted[table] =
            table === 'touchpoints'
              ? await deleteTouchpoints(tx, 'subject = ANY($1::text[])', [subjects])
              : await countDeleted(tx, `DELETE FROM ${table} WHERE subject = ANY($1::text[])`, [subjects]);
        }
        for (const table of PER_CUSTOMER_TABLES) {
          deleted[table] = await countDeleted(tx, `DELETE FROM ${table} WHERE customer_id = $1`, [customerId]);
        }
        deleted.identity_links = await countDeleted(tx, 'DELETE FROM identity_links WHERE customer_id = $1', [
          customerId,
        ]);
        await tx.query('INSERT INTO erasure_log (customer_id, staff_id, erased_at) VALUES ($1, $2, $3)', [
          customerId,
          staffId,
          at.toISOString(),
        ]);
        // Staff erasing on a customer's request is a staff change: audited with the counts, never what was erased.
        if (staffId !== null) {
          await writeAudit(tx, {
            at: at.toISOString(),
            staffId,
            action: 'customer.erase',
            target: `customer:${customerId}`,
            before: null,
            after: { deleted },
          });
        }
        return { deleted: deleted as ErasureResult['deleted'] };
      }),

    async purgeTouchpoints(before, { batchSize = 1000 } = {}) {
      if (!Number.isInteger(batchSize) || batchSize < 1) {
        throw new RangeError(`[touchpoint] batchSize must be a whole number >= 1, got ${batchSize}`);
      }
      let total = 0;
      const dropped: string[] = [];
      // Whole months before the cutoff: the partition is dropped, no row is deleted one by one.
      for (const partition of await listMonthPartitions(db)) {
        if (partition.to > before) continue;
        total += await db.transaction(async (tx) => {
          // Dropping a partition locks the whole table for a moment: wait for running ingests at most this long, and
          // try again at the next run rather than queue ingest behind it.
          await tx.query("SET LOCAL lock_timeout = '10s'");
          await tx.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
          const [exists] = await tx.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [
            partition.name,
          ]);
          if (!exists?.found) return 0;
          const [row] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${partition.name}`);
          await tx.query(`ALTER TABLE touchpoints DETACH PARTITION ${partition.name}`);
          await tx.query(`DROP TABLE ${partition.name}`);
          return row?.n ?? 0;
        });
        dropped.push(partition.name);
      }
      droppedPartitions(dropped);
      // The cutoff's month and the default partition: small batches keep each transaction short, so ingest is never
      // blocked for long by a large purge.
      while (true) {
        const deleted = await deleteTouchpoints(
          db,
          `(occurred_at, id) IN (SELECT occurred_at, id FROM touchpoints WHERE occurred_at < $1 ORDER BY occurred_at LIMIT $2)`,
          [before.toISOString(), batchSize],
        );
        total += deleted;
        if (deleted < batchSize) break;
      }
      // The ids of the dropped months. A touchpoint older than the cutoff that arrives during the purge may lose its id
      // here; it is itself past retention and goes at the next run.
      while (true) {
        const deleted = await countDeleted(
          db,
          `DELETE FROM touchpoint_ids WHERE id IN (SELECT id FROM touchpoint_ids WHERE occurred_at < $1 LIMIT $2)`,
          [before.toISOString(), batchSize],
        );
        if (deleted < batchSize) return total;
      }
    },
  };
}

/** Deletes touchpoints and their ids together (see touchpoint_ids in migration 12); returns how many touchpoints. */
async function deleteTouchpoints(client: SqlClient, where: string, params: readonly unknown[]): Promise<number> {
  const [row] = await client.query<{ n: number }>(
    `WITH gone AS (DELETE FROM touchpoints WHERE ${where} RETURNING id),
          ids AS (DELETE FROM touchpoint_ids WHERE id IN (SELECT id FROM gone))
     SELECT count(*)::int AS n FROM gone`,
    params,
  );
  return row?.n ?? 0;
}

async function customerSubjects(
  client: SqlClient,
  customerId: string,
  { lock = false } = {},
): Promise<CustomerSubjects> {
  const links = await client.query<{ anonymous_id: string; linked_at: Date | string }>(
    `SELECT anonymous_id, linked_at FROM identity_links WHERE customer_id = $1 ORDER BY linked_at, anonymous_id${lock ? ' FOR UPDATE' : ''}`,
    [customerId],
  );
  const customer: Subject = `c:${customerId}`;
  return {
    customer,
    subjects: [customer, ...links.map((link): Subject => `a:${link.anonymous_id}`)],
    devices: links.map((link) => ({ anonymousId: link.anonymous_id, linkedAt: asIso(link.linked_at) })),
  };
}

async function countDeleted(client: SqlClient, deleteSql: string, params: readonly unknown[]): Promise<number> {
  const [row] = await client.query<{ n: number }>(
    `WITH deleted AS (${deleteSql} RETURNING 1) SELECT count(*)::int AS n FROM deleted`,
    params,
  );
  return row?.n ?? 0;
}

/** Where a page ended: the row's time as the database holds it (microseconds), and its id. */
interface Cursor {
  readonly id: string;
  readonly cursor_at: string;
}

/** Reads pages by keyset (time, id) until a short page: no offset scans, and memory holds one page. */
async function* keysetPages<Row extends Cursor, T>(
  pageSize: number,
  toItem: (row: Row) => T,
  read: (after: Cursor | null, limit: number) => Promise<Row[]>,
): AsyncGenerator<T> {
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new RangeError(`[touchpoint] pageSize must be a whole number >= 1, got ${pageSize}`);
  }
  let after: Cursor | null = null;
  while (true) {
    const page = await read(after, pageSize);
    for (const row of page) yield toItem(row);
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) return;
    after = { id: last.id, cursor_at: last.cursor_at };
  }
}

interface TouchpointRow {
  id: string;
  anonymous_id: string | null;
  type: string;
  occurred_at: Date | string;
  received_at: Date | string;
  channel: string;
  product: string | null;
  page: string | null;
  placement: string | null;
  offer: string | null;
  decision_id: string | null;
  properties: Record<string, unknown> | null;
}

function exportedTouchpoint(row: TouchpointRow): ExportedTouchpoint {
  return {
    id: row.id,
    type: row.type,
    occurredAt: asIso(row.occurred_at),
    receivedAt: asIso(row.received_at),
    channel: row.channel,
    anonymousId: row.anonymous_id,
    product: row.product,
    page: row.page,
    placement: row.placement,
    offer: row.offer,
    decisionId: row.decision_id,
    properties: row.properties,
  };
}

/** A decision as a customer's export shows it: the stored decision, less the subject, at an ISO time. */
function exportedDecision(row: DecisionRow): ExportedDecision {
  const { subject: _subject, createdAt, ...decision } = decisionFromRow(row);
  return { ...decision, createdAt: createdAt.toISOString() };
}
