import { isoTime } from '../iso-time.js';

/**
 * One row of the daily offer counts: how many touchpoints of a type an offer had in a placement and channel that day,
 * among customers of a behavioural cluster at a journey stage.
 */
export interface OfferDailyCount {
  /** The UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly offerId: string;
  /** '' when the touchpoints named no placement. */
  readonly placement: string;
  readonly channel: string;
  /** A touchpoint type, or `served` for a decision that showed the offer. */
  readonly type: string;
  /** The customer's cluster as the decision saw it; '' when no decision told it (or the decision had none). */
  readonly cluster: string;
  /** The journey stage of the offer's product as the decision saw it; '' when unknown. */
  readonly stage: string;
  readonly count: number;
}

/** The `type` of a served offer: a decision that picked it, whether or not the customer then saw it. */
export const SERVED = 'served';

export interface CountableTouchpoint {
  readonly type: string;
  readonly occurredAt: string;
  readonly channel: string;
  readonly offer?: string | null | undefined;
  readonly placement?: string | null | undefined;
}

/** What the decision a touchpoint names says about the customer: cluster and stage of the offer's product. */
export interface Attribution {
  readonly cluster: string;
  readonly stage: string;
}

const UNATTRIBUTED: Attribution = { cluster: '', stage: '' };

/**
 * Counts the touchpoints that name an offer per UTC day, offer, placement, channel, type, cluster and stage. The
 * counts name no customer, so they outlive retention and erasure. Sorted by key, so concurrent writers lock rows in
 * the same order.
 */
export function countOfferTouchpoints<T extends CountableTouchpoint>(
  touchpoints: readonly T[],
  attribute: (touchpoint: T) => Attribution = () => UNATTRIBUTED,
): OfferDailyCount[] {
  return countRows(touchpoints, (touchpoint) => new Date(touchpoint.occurredAt), attribute);
}

/** Counts rows by day (the UTC day of `dateOf`), offer, placement, channel, type, cluster and stage, sorted by key. */
function countRows<T extends Omit<CountableTouchpoint, 'occurredAt'>>(
  rows: readonly T[],
  dateOf: (row: T) => Date,
  attribute: (row: T) => Attribution,
): OfferDailyCount[] {
  const counts = new Map<string, { -readonly [K in keyof OfferDailyCount]: OfferDailyCount[K] }>();
  for (const row of rows) {
    if (!row.offer) continue;
    const { cluster, stage } = attribute(row);
    const day = isoTime(dateOf(row)).slice(0, 10);
    const placement = row.placement ?? '';
    const key = `${day}\u0000${row.offer}\u0000${placement}\u0000${row.channel}\u0000${row.type}\u0000${cluster}\u0000${stage}`;
    const counted = counts.get(key);
    if (counted) counted.count++;
    else {
      counts.set(key, {
        day,
        offerId: row.offer,
        placement,
        channel: row.channel,
        type: row.type,
        cluster,
        stage,
        count: 1,
      });
    }
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** The part of a stored decision's trace the counts read. */
export interface TracedForCounts {
  readonly cluster?: { readonly id?: string } | null;
  readonly stages?: Readonly<Record<string, string>>;
  readonly candidates?: ReadonlyArray<{ readonly offerId: string; readonly product: string | null }>;
}

/** The cluster the decision assigned and the stage of the offer's product it saw; '' for what it did not say. */
export function attributionOf(trace: TracedForCounts | null | undefined, offerId: string): Attribution {
  if (!trace) return UNATTRIBUTED;
  const product = trace.candidates?.find((candidate) => candidate.offerId === offerId)?.product;
  return {
    cluster: trace.cluster?.id ?? '',
    stage: (product ? trace.stages?.[product] : undefined) ?? '',
  };
}
