// Touchpoint rows: stored once per id (partitioned by month), with the profile and lead updates they cause.
import { type CustomerProfile, EMPTY_PROFILE, type ProfileTouchpoint } from '../domain/journeys/profile.js';
import { type LeadHook, refreshCustomerLeads } from './leads.js';
import { addOfferDailyCounts } from './offer-counts.js';
import type { IngestResult, SubjectTouchpoints, TouchpointRow, TouchpointsBySubjectOptions } from './port.js';
import { writeProfiles } from './profiles.js';
import type { SqlClient, SqlDatabase } from './sql.js';
import { EXTERNAL_CHANNEL, type Subject } from './subjects.js';

export async function* readTouchpointsBySubject(
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

export async function ingestForSubjects<T extends TouchpointRow>(
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
export function refreshLeadsOf<T>(
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

/**
 * One statement for the whole batch, and the daily offer counts of the rows stored, in the caller's transaction; tells,
 * row by row, whether the touchpoint was stored now (false: its id was stored before, or earlier in the same batch).
 */
export async function insertTouchpointRows(
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
export function uuidKey(id: string): string {
  const lower = id.toLowerCase();
  if (lower.length === 36 && lower[8] === '-' && lower[13] === '-' && lower[18] === '-' && lower[23] === '-')
    return lower;
  const hex = lower.replace(/[{}-]/g, '');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
