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

/** What a stored decision says of the offer it served, for counting the touchpoints that name it. */
export interface ServedDecision {
  readonly offerId: string | null;
  readonly placement: string;
  readonly channel: string;
  /** The UTC day the decision was served, YYYY-MM-DD. */
  readonly day: string;
  readonly attribution: Attribution;
}

/** Of a decision, what earlier touchpoints already counted. */
export interface CountedBefore {
  readonly viewable: boolean;
  readonly clicked: boolean;
}

const VIEWABLE = 'offer_impression';
const CLICK = 'offer_click';

/**
 * The daily counts of new touchpoints, so that per offer × placement × day clicks ≤ viewable impressions ≤ served:
 * a viewable impression and a click count at most once per decision, on the decision's day, offer and placement, and
 * only for a decision the store kept (one counted as served). A click whose decision has no viewable impression
 * counted yet counts one too: the offer was seen. Touchpoints of other types, and those naming no decision (the SDK
 * always names it; a partner's may not), count as before, by their own day.
 * Without this a decision shown again from the SDK's cache counted a second impression, and an offer shown without
 * consent (the decision not kept) counted an impression once consent came, with nothing served.
 */
export function countOfferTouchpointsOfDecisions<
  T extends CountableTouchpoint & { readonly decisionId?: string | null | undefined },
>(
  touchpoints: readonly T[],
  decisions: ReadonlyMap<string, ServedDecision>,
  before: ReadonlyMap<string, CountedBefore>,
  attribute: (touchpoint: T) => Attribution,
): OfferDailyCount[] {
  const others: T[] = [];
  const viewable = new Set<string>();
  const clicked = new Set<string>();
  const rows: Array<CountableTouchpoint & { decision: ServedDecision }> = [];
  for (const touchpoint of touchpoints) {
    if (touchpoint.type !== VIEWABLE && touchpoint.type !== CLICK) {
      others.push(touchpoint);
      continue;
    }
    const id = touchpoint.decisionId;
    // Naming no decision (a server-to-server touchpoint): counted as given, there is no decision to hold it to.
    if (!id) {
      others.push(touchpoint);
      continue;
    }
    const decision = decisions.get(id);
    if (!decision || decision.offerId === null || decision.offerId !== touchpoint.offer) continue;
    const earlier = before.get(id);
    const seen = viewable.has(id) || earlier?.viewable === true || earlier?.clicked === true;
    if (!seen) {
      viewable.add(id);
      rows.push({ ...touchpoint, type: VIEWABLE, decision });
    }
    if (touchpoint.type === CLICK && !clicked.has(id) && earlier?.clicked !== true) {
      clicked.add(id);
      rows.push({ ...touchpoint, type: CLICK, decision });
    }
  }
  const ofDecisions = countRows(
    rows.map((row) => ({
      type: row.type,
      channel: row.decision.channel,
      offer: row.decision.offerId,
      placement: row.decision.placement,
      day: row.decision.day,
      attribution: row.decision.attribution,
    })),
    (row) => new Date(`${row.day}T00:00:00Z`),
    (row) => row.attribution,
  );
  return [...countOfferTouchpoints(others, attribute), ...ofDecisions].sort((a, b) => {
    const ka = `${a.day}\u0000${a.offerId}\u0000${a.placement}\u0000${a.channel}\u0000${a.type}\u0000${a.cluster}\u0000${a.stage}`;
    const kb = `${b.day}\u0000${b.offerId}\u0000${b.placement}\u0000${b.channel}\u0000${b.type}\u0000${b.cluster}\u0000${b.stage}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
