import type { BankScore } from '../domain/decision/arbitration.js';
import { addEvidence, type EvidenceKind, type OfferEvidence, POOLED_CLUSTER } from '../domain/decision/learning.js';
import type { SqlClient } from './sql.js';

/** One cluster × offer's faded counts, as stored. */
export interface LearnedRow {
  readonly cluster: string;
  readonly offerId: string;
  readonly evidence: OfferEvidence;
}

/** How ingest learns: evidence is stamped with the server's clock and fades with the catalog's half-life. */
export interface LearningOptions {
  readonly now: Date;
  readonly halfLifeDays: number;
}

/** What ingest may learn from: a stored touchpoint about an offer shown by a decision. */
export interface EvidenceTouchpoint {
  readonly id: string;
  readonly type: string;
  readonly offer?: string;
  readonly decisionId?: string;
}

const KIND_OF_TYPE: Readonly<Record<string, EvidenceKind>> = {
  offer_impression: 'impression',
  offer_click: 'click',
  conversion: 'conversion',
};

/**
 * Learns from touchpoints stored for the first time (so a repeated id never counts twice), inside the ingest
 * transaction. Each names its decision: the decision's trace gives the cluster ('*' when it had none), and the
 * decision must have shown that offer. A decision's conversion counts once. Returns the rows as updated.
 */
export async function recordEvidence(
  tx: SqlClient,
  touchpoints: readonly EvidenceTouchpoint[],
  { now, halfLifeDays }: LearningOptions,
): Promise<LearnedRow[]> {
  const about = touchpoints.filter((t) => t.decisionId && t.offer && KIND_OF_TYPE[t.type]);
  if (about.length === 0) return [];
  const decisions = await tx.query<{ id: string; offer_id: string | null; cluster: string | null }>(
    `SELECT id, offer_id, trace->'cluster'->>'id' AS cluster FROM decisions WHERE id = ANY($1::uuid[])`,
    [[...new Set(about.map((t) => t.decisionId as string))]],
  );
  const byId = new Map(decisions.map((row) => [row.id, row]));
  const shown = about.filter((t) => byId.get(t.decisionId as string)?.offer_id === t.offer);
  const converting = [...new Set(shown.filter((t) => t.type === 'conversion').map((t) => t.decisionId as string))];
  const firstConversions = new Set(
    converting.length === 0
      ? []
      : (
          await tx.query<{ decision_id: string }>(
            `INSERT INTO learned_conversions (decision_id) SELECT * FROM unnest($1::uuid[])
             ON CONFLICT (decision_id) DO NOTHING RETURNING decision_id`,
            [converting],
          )
        ).map((row) => row.decision_id),
  );
  const events = new Map<string, { cluster: string; offerId: string; kinds: EvidenceKind[] }>();
  for (const touchpoint of shown) {
    const decisionId = touchpoint.decisionId as string;
    const kind = KIND_OF_TYPE[touchpoint.type] as EvidenceKind;
    if (kind === 'conversion') {
      if (!firstConversions.has(decisionId)) continue;
      firstConversions.delete(decisionId);
    }
    const cluster = byId.get(decisionId)?.cluster ?? POOLED_CLUSTER;
    const offerId = touchpoint.offer as string;
    const key = `${cluster}\u0000${offerId}`;
    const entry = events.get(key) ?? { cluster, offerId, kinds: [] };
    entry.kinds.push(kind);
    events.set(key, entry);
  }
  if (events.size === 0) return [];

  // Rows exist before they are locked, so two transactions learning the same pair add up rather than overwrite.
  const keys = [...events.values()].sort((a, b) =>
    a.cluster === b.cluster ? a.offerId.localeCompare(b.offerId) : a.cluster.localeCompare(b.cluster),
  );
  const clusters = keys.map((k) => k.cluster);
  const offers = keys.map((k) => k.offerId);
  await tx.query(
    `INSERT INTO offer_learning (cluster, offer_id, updated_at)
     SELECT c, o, $3 FROM unnest($1::text[], $2::text[]) AS k(c, o)
     ON CONFLICT (cluster, offer_id) DO NOTHING`,
    [clusters, offers, now.toISOString()],
  );
  const current = await tx.query<StoredRow>(
    `SELECT l.* FROM offer_learning l JOIN unnest($1::text[], $2::text[]) AS k(c, o) ON l.cluster = k.c AND l.offer_id = k.o
     ORDER BY l.cluster, l.offer_id FOR UPDATE OF l`,
    [clusters, offers],
  );
  const stored = new Map(current.map((row) => [`${row.cluster}\u0000${row.offer_id}`, toLearnedRow(row).evidence]));
  const updated = keys.map(({ cluster, offerId, kinds }) => {
    let evidence = stored.get(`${cluster}\u0000${offerId}`);
    for (const kind of kinds) evidence = addEvidence(evidence, kind, now, halfLifeDays);
    return { cluster, offerId, evidence: evidence as OfferEvidence };
  });
  await tx.query(
    `UPDATE offer_learning l SET impressions = u.i, clicks = u.k, conversions = u.v, updated_at = u.t
     FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::timestamptz[]) AS u(c, o, i, k, v, t)
     WHERE l.cluster = u.c AND l.offer_id = u.o`,
    [
      clusters,
      offers,
      updated.map((row) => row.evidence.impressions),
      updated.map((row) => row.evidence.clicks),
      updated.map((row) => row.evidence.conversions),
      updated.map((row) => row.evidence.at),
    ],
  );
  return updated;
}

interface StoredRow {
  cluster: string;
  offer_id: string;
  impressions: number;
  clicks: number;
  conversions: number;
  updated_at: Date | string;
}

function toLearnedRow(row: StoredRow): LearnedRow {
  return {
    cluster: row.cluster,
    offerId: row.offer_id,
    evidence: {
      impressions: Number(row.impressions),
      clicks: Number(row.clicks),
      conversions: Number(row.conversions),
      at: new Date(row.updated_at).toISOString(),
    },
  };
}

export async function readEvidence(db: SqlClient): Promise<LearnedRow[]> {
  const rows = await db.query<StoredRow>('SELECT * FROM offer_learning ORDER BY cluster, offer_id');
  return rows.map(toLearnedRow);
}

export interface BankScoreRow {
  readonly customerId: string;
  readonly offerId: string;
  readonly score: number;
}

/** Stores a batch of the bank's model scores in one statement; a later upload for a customer × offer replaces it. */
export async function saveBankScores(
  db: SqlClient,
  model: { name: string; version: string },
  scores: readonly BankScoreRow[],
  at: Date,
): Promise<number> {
  if (scores.length === 0) return 0;
  const rows = await db.query<{ customer_id: string }>(
    `INSERT INTO propensity_scores (customer_id, offer_id, score, model_name, model_version, uploaded_at)
     SELECT c, o, s, $4, $5, $6 FROM unnest($1::text[], $2::text[], $3::float8[]) AS u(c, o, s)
     ON CONFLICT (customer_id, offer_id) DO UPDATE SET score = EXCLUDED.score, model_name = EXCLUDED.model_name,
       model_version = EXCLUDED.model_version, uploaded_at = EXCLUDED.uploaded_at
     RETURNING customer_id`,
    [
      scores.map((s) => s.customerId),
      scores.map((s) => s.offerId),
      scores.map((s) => s.score),
      model.name,
      model.version,
      at.toISOString(),
    ],
  );
  return rows.length;
}

/** One customer's uploaded scores by offer: one read by the primary key's prefix. */
export async function readBankScores(db: SqlClient, customerId: string): Promise<Map<string, BankScore>> {
  const rows = await db.query<{ offer_id: string; score: number; model_name: string; model_version: string }>(
    'SELECT offer_id, score, model_name, model_version FROM propensity_scores WHERE customer_id = $1',
    [customerId],
  );
  return new Map(
    rows.map((row) => [
      row.offer_id,
      { score: Number(row.score), modelName: row.model_name, modelVersion: row.model_version },
    ]),
  );
}
