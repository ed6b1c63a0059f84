import type { KpiCountRow } from '../domain/kpis/offer-kpis.js';
import type { SqlClient } from './sql.js';

/** What staff may narrow offer KPIs to; '' for a cluster, stage or placement no decision or touchpoint named. */
export interface OfferKpiFilter {
  /** First and last UTC day, YYYY-MM-DD, both included. */
  readonly from: string;
  readonly to: string;
  readonly offer?: string;
  readonly cluster?: string;
  readonly stage?: string;
  readonly placement?: string;
}

/** The values each dimension takes in a period, for staff's filters. */
export interface KpiDimensions {
  readonly offers: string[];
  readonly clusters: string[];
  readonly stages: string[];
  readonly placements: string[];
}

/** A customer's recent contacts as the weekly cap counts them: their profile's impressions and advisor contacts. */
export interface ContactHistory {
  readonly impressions: Readonly<Record<string, readonly string[]>>;
  readonly advisorContacts: readonly string[];
}

export interface KpiStore {
  /** The daily offer counts of a period, summed over channels, narrowed by the filter. */
  offerCounts(filter: OfferKpiFilter): Promise<KpiCountRow[]>;
  dimensions(from: string, to: string): Promise<KpiDimensions>;
  /**
   * Every logged-in customer's recent contacts, a page at a time by keyset pagination on the subject, so memory holds
   * one page however many customers the bank has.
   */
  contactHistories(pageSize?: number): AsyncIterable<ContactHistory>;
}

export function createKpiRepository(db: SqlClient): KpiStore {
  return {
    async offerCounts(filter) {
      const params: unknown[] = [filter.from, filter.to];
      const where = ['day BETWEEN $1::date AND $2::date'];
      for (const [column, value] of [
        ['offer_id', filter.offer],
        ['cluster', filter.cluster],
        ['stage', filter.stage],
        ['placement', filter.placement],
      ] as const) {
        if (value === undefined) continue;
        params.push(value);
        where.push(`${column} = $${params.length}`);
      }
      const rows = await db.query<KpiCountRow>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, offer_id AS "offerId", cluster, stage, placement, type,
                sum(count)::int AS count
         FROM offer_daily_counts WHERE ${where.join(' AND ')}
         GROUP BY day, offer_id, cluster, stage, placement, type
         ORDER BY day, offer_id, cluster, stage, placement, type`,
        params,
      );
      return rows.map((row) => ({ ...row, count: Number(row.count) }));
    },

    async dimensions(from, to) {
      const rows = await db.query<{ dimension: keyof KpiDimensions; value: string }>(
        `WITH period AS (SELECT offer_id, cluster, stage, placement FROM offer_daily_counts
                         WHERE day BETWEEN $1::date AND $2::date)
         SELECT DISTINCT 'offers' AS dimension, offer_id AS value FROM period
         UNION SELECT DISTINCT 'clusters', cluster FROM period
         UNION SELECT DISTINCT 'stages', stage FROM period
         UNION SELECT DISTINCT 'placements', placement FROM period
         ORDER BY 1, 2`,
        [from, to],
      );
      const dimensions: KpiDimensions = { offers: [], clusters: [], stages: [], placements: [] };
      for (const row of rows) dimensions[row.dimension].push(row.value);
      return dimensions;
    },

    async *contactHistories(pageSize = 2_000) {
      let after = '';
      while (true) {
        const page = await db.query<{
          subject: string;
          impressions: Record<string, string[]> | null;
          advisor_contacts: string[] | null;
        }>(
          `SELECT subject, body->'impressions' AS impressions, body->'advisorContacts' AS advisor_contacts
           FROM profiles WHERE subject > $1 AND subject LIKE 'c:%' ORDER BY subject LIMIT $2`,
          [after, pageSize],
        );
        if (page.length === 0) return;
        for (const row of page) {
          yield { impressions: row.impressions ?? {}, advisorContacts: row.advisor_contacts ?? [] };
        }
        after = (page[page.length - 1] as { subject: string }).subject;
      }
    },
  };
}
