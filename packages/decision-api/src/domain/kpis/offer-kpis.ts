import { SERVED } from './offer-counts.js';

/**
 * Offer KPIs for staff, from the daily offer counts (which name no customer and so outlive erasure), and the
 * contact pressure customers are under this week.
 */

/** Counts of one day × offer × cluster × stage × placement, summed over channels. */
export interface KpiCountRow {
  readonly day: string;
  readonly offerId: string;
  readonly cluster: string;
  readonly stage: string;
  readonly placement: string;
  readonly type: string;
  readonly count: number;
}

export interface OfferMetrics {
  /** Decisions that served the offer. */
  readonly impressions: number;
  /** At least half of the banner in view for a second (`offer_impression`). */
  readonly viewableImpressions: number;
  readonly clicks: number;
  /** clicks ÷ viewable impressions; null when there were none. */
  readonly clickThrough: number | null;
  readonly dismissals: number;
  readonly conversions: number;
}

const METRIC_OF_TYPE: Readonly<Record<string, Exclude<keyof OfferMetrics, 'clickThrough'>>> = {
  [SERVED]: 'impressions',
  offer_impression: 'viewableImpressions',
  offer_click: 'clicks',
  offer_dismiss: 'dismissals',
  conversion: 'conversions',
};

type Counts = { -readonly [K in Exclude<keyof OfferMetrics, 'clickThrough'>]: number };
const zero = (): Counts => ({ impressions: 0, viewableImpressions: 0, clicks: 0, dismissals: 0, conversions: 0 });
const withRate = (counts: Counts): OfferMetrics => ({
  ...counts,
  clickThrough: counts.viewableImpressions > 0 ? counts.clicks / counts.viewableImpressions : null,
});

export interface OfferKpiRow extends OfferMetrics {
  readonly day: string;
  readonly offerId: string;
  /** null: no decision told the cluster. */
  readonly cluster: string | null;
  readonly stage: string | null;
  /** null: the touchpoints named no placement. */
  readonly placement: string | null;
}

export interface OfferKpiTable {
  /** One row per day × offer × cluster × stage × placement that had any count, by day then key. */
  readonly rows: OfferKpiRow[];
  /** Every day of the period, days without counts as zeros: the charts' series. */
  readonly days: Array<OfferMetrics & { readonly day: string }>;
  readonly totals: OfferMetrics;
}

const DAY_MS = 86_400_000;

/** Every UTC day from `from` to `to`, both included, as YYYY-MM-DD. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** The KPI table of the period's counts (already filtered); types that are no KPI are left out. */
export function offerKpis(counts: readonly KpiCountRow[], period: { from: string; to: string }): OfferKpiTable {
  const rows = new Map<string, { key: Omit<OfferKpiRow, keyof OfferMetrics>; counts: Counts }>();
  const byDay = new Map<string, Counts>(daysBetween(period.from, period.to).map((day) => [day, zero()]));
  const totals = zero();
  for (const row of counts) {
    const metric = METRIC_OF_TYPE[row.type];
    const day = byDay.get(row.day);
    if (!metric || !day) continue;
    const id = [row.day, row.offerId, row.cluster, row.stage, row.placement].join('\u0000');
    const entry = rows.get(id) ?? {
      key: {
        day: row.day,
        offerId: row.offerId,
        cluster: row.cluster || null,
        stage: row.stage || null,
        placement: row.placement || null,
      },
      counts: zero(),
    };
    entry.counts[metric] += row.count;
    rows.set(id, entry);
    day[metric] += row.count;
    totals[metric] += row.count;
  }
  return {
    rows: [...rows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, { key, counts: c }]) => ({ ...key, ...withRate(c) })),
    days: [...byDay.entries()].map(([day, c]) => ({ day, ...withRate(c) })),
    totals: withRate(totals),
  };
}

export interface ContactPressure {
  /** The weekly contact cap per customer. */
  readonly cap: number;
  readonly customers: number;
  /** Customers by contacts in the last seven days, 0 to the cap; the last bucket holds those at the cap or over. */
  readonly distribution: Array<{ readonly contacts: number; readonly customers: number }>;
  /** Customers at the weekly cap (or over it: a cap lowered during the week). */
  readonly reachedCap: number;
}

/** How many customers had 0, 1, … contacts this week, up to the cap, from each customer's weekly contact count. */
export function contactPressure(weeklyContacts: Iterable<number>, cap: number): ContactPressure {
  if (!Number.isInteger(cap) || cap < 1)
    throw new RangeError(`[touchpoint] cap must be a whole number >= 1, got ${cap}`);
  const buckets = new Array<number>(cap + 1).fill(0);
  let customers = 0;
  for (const contacts of weeklyContacts) {
    if (!Number.isInteger(contacts) || contacts < 0) {
      throw new RangeError(`[touchpoint] a contact count must be a whole number >= 0, got ${contacts}`);
    }
    const bucket = Math.min(contacts, cap);
    buckets[bucket] = (buckets[bucket] as number) + 1;
    customers++;
  }
  return {
    cap,
    customers,
    distribution: buckets.map((n, contacts) => ({ contacts, customers: n })),
    reachedCap: buckets[cap] as number,
  };
}
