// Offer touchpoints and served decisions counted per UTC day, offer, placement, channel, type, cluster and stage.
import {
  attributionOf,
  type CountedBefore,
  countOfferTouchpointsOfDecisions,
  type OfferDailyCount,
  type ServedDecision,
  type TracedForCounts,
} from '../domain/kpis/offer-counts.js';
import type { StoredDecision, TouchpointRow } from './port.js';
import type { SqlClient } from './sql.js';

export async function addOfferDailyCounts(client: SqlClient, stored: readonly TouchpointRow[]): Promise<void> {
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
export function servedAttributions(decisions: readonly StoredDecision[]) {
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

export async function writeOfferDailyCounts(client: SqlClient, counts: readonly OfferDailyCount[]): Promise<void> {
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
