/** One row of the daily offer counts: how many touchpoints of a type an offer had in a placement and channel that day. */
export interface OfferDailyCount {
  /** The UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly offerId: string;
  /** '' when the touchpoints named no placement. */
  readonly placement: string;
  readonly channel: string;
  readonly type: string;
  readonly count: number;
}

export interface CountableTouchpoint {
  readonly type: string;
  readonly occurredAt: string;
  readonly channel: string;
  readonly offer?: string | null | undefined;
  readonly placement?: string | null | undefined;
}

/**
 * Counts the touchpoints that name an offer per UTC day, offer, placement, channel and type. The counts name no
 * customer, so they outlive retention and erasure. Sorted by key, so concurrent writers lock rows in the same order.
 */
export function countOfferTouchpoints(touchpoints: readonly CountableTouchpoint[]): OfferDailyCount[] {
  const counts = new Map<string, OfferDailyCount>();
  for (const touchpoint of touchpoints) {
    if (!touchpoint.offer) continue;
    const row = {
      day: new Date(touchpoint.occurredAt).toISOString().slice(0, 10),
      offerId: touchpoint.offer,
      placement: touchpoint.placement ?? '',
      channel: touchpoint.channel,
      type: touchpoint.type,
    };
    const key = [row.day, row.offerId, row.placement, row.channel, row.type].join('\u0000');
    counts.set(key, { ...row, count: (counts.get(key)?.count ?? 0) + 1 });
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}
