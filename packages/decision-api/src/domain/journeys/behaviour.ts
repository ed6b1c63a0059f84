import type { Channel, TouchpointType } from '../../contract/index.js';
import {
  ACTIVITY_OFFSET,
  BAND_OF_STAGE,
  DAY_MS,
  FEATURE_NAMES,
  FEATURE_PRODUCTS,
  FOCUS_OFFSET,
  HALF_LIFE_DAYS,
  HELD_OFFSET,
  INTEREST_OFFSET,
  PRODUCT_INDEX,
  RECENCY_CAP_DAYS,
  STAGE_BANDS,
} from './features.js';
import { stageForTouchpoint } from './journey.js';

/**
 * A customer's behaviour as the profile keeps it, so the cluster feature vector is known at decision time without
 * reading the history: time-decayed interest sums with their reference time, counts, the channel mix, and the times
 * of the last 90 days' touchpoints (what the windowed counts need). Kept current on ingest, in the bank's own
 * channels only, like the batch features.
 */
export interface BehaviourState {
  /** Touchpoints seen in the bank's own channels. */
  readonly touchpoints: number;
  /** Of those, how many in the mobile bank. */
  readonly mobile: number;
  readonly firstAt: string | null;
  /** The latest touchpoint: the reference time of the `interest` sums. */
  readonly lastAt: string | null;
  /** Product → time-decayed touchpoint counts per stage band (looking, pricing, acting), weighted as at `lastAt`. */
  readonly interest: Readonly<Record<string, readonly number[]>>;
  /** Epoch milliseconds of the touchpoints within 90 days before `lastAt`, oldest first. */
  readonly recent: readonly number[];
}

export const EMPTY_BEHAVIOUR: BehaviourState = {
  touchpoints: 0,
  mobile: 0,
  firstAt: null,
  lastAt: null,
  interest: {},
  recent: [],
};

/** The window of the longest windowed feature (`activity.*_90d`). */
const RECENT_DAYS = 90;
/**
 * At most this many recent times are kept, so a runaway client cannot grow the profile row without bound. Beyond
 * it the 90-day counts saturate (log(1 + 2000) is far beyond the z-score cap anyway).
 */
export const MAX_RECENT_TOUCHPOINTS = 2_000;

/** What the behaviour reads from a touchpoint of the bank's own channels. */
export interface BehaviourTouchpoint {
  readonly type: TouchpointType;
  readonly occurredAt: string;
  readonly channel: Channel;
  readonly product?: string | null;
  readonly page?: string | null;
}

const decayOver = (ms: number) => 0.5 ** (ms / DAY_MS / HALF_LIFE_DAYS);

/** Adds touchpoints (in any order) to a behaviour; a touchpoint without a valid time is left out. */
export function addToBehaviour(
  state: BehaviourState,
  touchpoints: readonly BehaviourTouchpoint[],
  productOfPage: (page: string) => string | undefined,
): BehaviourState {
  const timed = touchpoints
    .map((touchpoint) => ({ touchpoint, at: Date.parse(touchpoint.occurredAt) }))
    .filter(({ at }) => !Number.isNaN(at));
  if (timed.length === 0) return state;
  const previousLast = state.lastAt === null ? null : Date.parse(state.lastAt);
  const latest = timed.reduce((most, { at }) => Math.max(most, at), previousLast ?? Number.NEGATIVE_INFINITY);
  const interest = rescaled(state.interest, previousLast, latest);
  let first = state.firstAt === null ? Number.POSITIVE_INFINITY : Date.parse(state.firstAt);
  let mobile = state.mobile;
  const recent = [...state.recent];
  for (const { touchpoint, at } of timed) {
    if (at < first) first = at;
    if (touchpoint.channel === 'mobilebank') mobile++;
    recent.push(at);
    const stage = stageForTouchpoint(touchpoint.type);
    const product = touchpoint.product ?? (touchpoint.page ? productOfPage(touchpoint.page) : undefined);
    if (stage === undefined || product === undefined) continue;
    const sums = interest[product] ?? STAGE_BANDS.map(() => 0);
    const band = STAGE_BANDS.indexOf(BAND_OF_STAGE[stage]);
    sums[band] = (sums[band] as number) + decayOver(latest - at);
    interest[product] = sums;
  }
  return {
    touchpoints: state.touchpoints + timed.length,
    mobile,
    firstAt: new Date(first).toISOString(),
    lastAt: new Date(latest).toISOString(),
    interest,
    recent: recentWithin(recent, latest),
  };
}

/** One subject's behaviour from two: an anonymous device's joins the customer's when they log in. */
export function mergeBehaviour(a: BehaviourState, b: BehaviourState): BehaviourState {
  if (a.lastAt === null) return b;
  if (b.lastAt === null) return a;
  const aLast = Date.parse(a.lastAt);
  const bLast = Date.parse(b.lastAt);
  const latest = Math.max(aLast, bLast);
  const interest = rescaled(a.interest, aLast, latest);
  for (const [product, sums] of Object.entries(rescaled(b.interest, bLast, latest))) {
    const current = interest[product];
    interest[product] = current ? current.map((value, band) => value + (sums[band] as number)) : sums;
  }
  return {
    touchpoints: a.touchpoints + b.touchpoints,
    mobile: a.mobile + b.mobile,
    firstAt: [a.firstAt, b.firstAt].filter((at) => at !== null).sort()[0] ?? null,
    lastAt: new Date(latest).toISOString(),
    interest,
    recent: recentWithin([...a.recent, ...b.recent], latest),
  };
}

/**
 * The feature vector (in `FEATURE_NAMES` order) of a behaviour as at `now`: the same numbers `featuresOf` gives from
 * the history the behaviour was built from, to rounding, for touchpoints up to `now`. A touchpoint dated after `now`
 * is already in the sums (the batch features leave it out until its time).
 */
export function featuresOfBehaviour(state: BehaviourState, productsHeld: readonly string[], now: Date): number[] {
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new RangeError('[touchpoint] now must be a valid date');
  // Written straight to the feature's position rather than looked up by name: this runs for every decision.
  const vector = new Array<number>(FEATURE_NAMES.length).fill(0);
  const last = state.lastAt === null ? null : Date.parse(state.lastAt);
  const decay = last === null ? 0 : decayOver(nowMs - last);
  let productWeight = 0;
  FEATURE_PRODUCTS.forEach((product, p) => {
    const sums = state.interest[product] ?? [];
    let weight = 0;
    for (let band = 0; band < STAGE_BANDS.length; band++) {
      const decayed = (sums[band] ?? 0) * decay;
      vector[INTEREST_OFFSET + p * STAGE_BANDS.length + band] = Math.log1p(decayed);
      weight += decayed;
    }
    vector[FOCUS_OFFSET + p] = weight;
    productWeight += weight;
  });
  for (let p = 0; p < FEATURE_PRODUCTS.length; p++) {
    vector[FOCUS_OFFSET + p] = productWeight > 0 ? (vector[FOCUS_OFFSET + p] as number) / productWeight : 0;
  }
  const recencyDays =
    last === null || state.touchpoints === 0
      ? RECENCY_CAP_DAYS
      : Math.max(0, Math.min(RECENCY_CAP_DAYS, (nowMs - last) / DAY_MS));
  let in30 = 0;
  let in90 = 0;
  // The times are kept oldest first, so one day's touchpoints sit together and a new day is a change of day.
  let activeDays = 0;
  let previousDay = Number.NaN;
  let previousAt = Number.NEGATIVE_INFINITY;
  for (const at of state.recent) {
    if (at < previousAt)
      return featuresOfBehaviour({ ...state, recent: [...state.recent].sort((a, b) => a - b) }, productsHeld, now);
    previousAt = at;
    if (at > nowMs) continue;
    const ageDays = (nowMs - at) / DAY_MS;
    if (ageDays <= 30) in30++;
    if (ageDays <= RECENT_DAYS) {
      in90++;
      const day = Math.floor(at / DAY_MS);
      if (day !== previousDay) activeDays++;
      previousDay = day;
    }
  }
  vector[ACTIVITY_OFFSET] = Math.log1p(recencyDays);
  vector[ACTIVITY_OFFSET + 1] = Math.log1p(in30);
  vector[ACTIVITY_OFFSET + 2] = Math.log1p(in90);
  vector[ACTIVITY_OFFSET + 3] = Math.log1p(activeDays);
  vector[ACTIVITY_OFFSET + 4] = state.touchpoints === 0 ? 0.5 : state.mobile / state.touchpoints;
  for (const product of productsHeld) {
    const p = PRODUCT_INDEX.get(product);
    if (p !== undefined) vector[HELD_OFFSET + p] = 1;
  }
  return vector;
}

/** The sums weighted as at `to` instead of `from`. */
function rescaled(
  interest: Readonly<Record<string, readonly number[]>>,
  from: number | null,
  to: number,
): Record<string, number[]> {
  const factor = from === null ? 1 : decayOver(to - from);
  return Object.fromEntries(
    Object.entries(interest).map(([product, sums]) => [product, sums.map((value) => value * factor)]),
  );
}

function recentWithin(times: readonly number[], latest: number): number[] {
  const kept = times.filter((at) => (latest - at) / DAY_MS <= RECENT_DAYS).sort((a, b) => a - b);
  return kept.length > MAX_RECENT_TOUCHPOINTS ? kept.slice(kept.length - MAX_RECENT_TOUCHPOINTS) : kept;
}
