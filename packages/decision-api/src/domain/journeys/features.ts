import type { Channel, JourneyStage, TouchpointType } from '../../contract/index.js';
import { stageForTouchpoint } from './journey.js';
import type { ProductOfPage } from './profile.js';

/**
 * A customer's behaviour as a vector of numbers, the input of behavioural clustering. Every feature is computed from
 * the stored touchpoints and the products held, as at a given `now`: touchpoints after `now` are not seen, so a
 * vector can be recomputed for any past moment and gives the same numbers.
 */

/** What a feature vector reads from a stored touchpoint. */
export interface FeatureTouchpoint {
  readonly type: TouchpointType;
  readonly occurredAt: string;
  readonly channel: Channel;
  readonly product?: string | null;
  readonly page?: string | null;
}

/** The bank's products, in a fixed order: the feature list (and so every saved model) depends on it. */
export const FEATURE_PRODUCTS = [
  'car_loan',
  'mortgage',
  'pension',
  'savings',
  'home_insurance',
  'investments',
] as const;

/**
 * The six journey stages folded into three bands: looking (aware, explore), pricing (compare) and acting (apply, sign,
 * use). Six stages per product would give 36 sparse features that mostly restate one another.
 */
export const STAGE_BANDS = ['looking', 'pricing', 'acting'] as const;
export type StageBand = (typeof STAGE_BANDS)[number];
export const BAND_OF_STAGE: Readonly<Record<JourneyStage, StageBand>> = {
  aware: 'looking',
  explore: 'looking',
  compare: 'pricing',
  apply: 'acting',
  sign: 'acting',
  use: 'acting',
};

/**
 * Half-life of a touchpoint's weight in the `interest.*` and `focus.*` features: a visit 90 days ago counts half,
 * 180 days ago a quarter. Clusters describe how a customer uses the bank over a season; the journey stage in the
 * profile already follows this week's moves. Measured on the demo bank, a 30-day half-life let customers with a
 * long-standing but quiet interest (a pension read up on now and then) fall in with the dormant.
 */
export const HALF_LIFE_DAYS = 90;
/** Recency of a customer never seen, and the most it counts: a year without a visit is as cold as it gets. */
export const RECENCY_CAP_DAYS = 365;

export const DAY_MS = 86_400_000;

/**
 * The features, in vector order. Names are `group.detail`:
 * - `interest.<product>.<band>`: log(1 + time-decayed count) of the product's touchpoints in that stage band;
 * - `focus.<product>`: the product's share of the customer's time-decayed product touchpoints (all 0 with none), so a
 *   customer who looks mostly at pensions looks alike whether they visit twice or twenty times;
 * - `activity.recency`: log(1 + days since the last touchpoint), capped at a year;
 * - `activity.touchpoints_30d`, `activity.touchpoints_90d`: log(1 + touchpoints in the last 30 / 90 days);
 * - `activity.active_days_90d`: log(1 + distinct UTC days with a touchpoint in the last 90 days), visits rather
 *   than clicks;
 * - `channel.mobile_share`: share of touchpoints in the mobile bank (0.5, no preference, for a customer never seen);
 * - `held.<product>`: 1 when the customer holds the product, else 0.
 */
export const FEATURE_NAMES: readonly string[] = [
  ...FEATURE_PRODUCTS.flatMap((product) => STAGE_BANDS.map((band) => `interest.${product}.${band}`)),
  ...FEATURE_PRODUCTS.map((product) => `focus.${product}`),
  'activity.recency',
  'activity.touchpoints_30d',
  'activity.touchpoints_90d',
  'activity.active_days_90d',
  'channel.mobile_share',
  ...FEATURE_PRODUCTS.map((product) => `held.${product}`),
];

/** Where each group of features starts in the vector (see FEATURE_NAMES). */
export const INTEREST_OFFSET = 0;
export const FOCUS_OFFSET = FEATURE_PRODUCTS.length * STAGE_BANDS.length;
export const ACTIVITY_OFFSET = FOCUS_OFFSET + FEATURE_PRODUCTS.length;
export const HELD_OFFSET = ACTIVITY_OFFSET + 5;
export const PRODUCT_INDEX = new Map<string, number>(FEATURE_PRODUCTS.map((product, i) => [product, i]));
const BAND_INDEX = new Map<StageBand, number>(STAGE_BANDS.map((band, i) => [band, i]));

/** The behaviour feature vector of one customer, in `FEATURE_NAMES` order. */
export function featuresOf(
  touchpoints: readonly FeatureTouchpoint[],
  productsHeld: readonly string[],
  now: Date,
  productOfPage: ProductOfPage,
): number[] {
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new RangeError('[touchpoint] now must be a valid date');
  const vector = new Array<number>(FEATURE_NAMES.length).fill(0);
  const activeDays = new Set<number>();
  let last = Number.NEGATIVE_INFINITY;
  let seen = 0;
  let mobile = 0;
  let in30 = 0;
  let in90 = 0;
  let productWeight = 0;

  for (const touchpoint of touchpoints) {
    const at = Date.parse(touchpoint.occurredAt);
    if (Number.isNaN(at) || at > nowMs) continue;
    const ageDays = (nowMs - at) / DAY_MS;
    seen++;
    if (touchpoint.channel === 'mobilebank') mobile++;
    if (ageDays <= 30) in30++;
    if (ageDays <= 90) {
      in90++;
      activeDays.add(Math.floor(at / DAY_MS));
    }
    if (at > last) last = at;

    const stage = stageForTouchpoint(touchpoint.type);
    const product = touchpoint.product ?? (touchpoint.page ? productOfPage(touchpoint.page) : undefined);
    const productIndex = product === undefined ? undefined : PRODUCT_INDEX.get(product);
    if (stage === undefined || productIndex === undefined) continue;
    const weight = 0.5 ** (ageDays / HALF_LIFE_DAYS);
    const bandIndex = BAND_INDEX.get(BAND_OF_STAGE[stage]) as number;
    const interest = INTEREST_OFFSET + productIndex * STAGE_BANDS.length + bandIndex;
    vector[interest] = (vector[interest] as number) + weight;
    vector[FOCUS_OFFSET + productIndex] = (vector[FOCUS_OFFSET + productIndex] as number) + weight;
    productWeight += weight;
  }

  for (let i = INTEREST_OFFSET; i < FOCUS_OFFSET; i++) vector[i] = Math.log1p(vector[i] as number);
  for (let i = FOCUS_OFFSET; i < ACTIVITY_OFFSET; i++) {
    vector[i] = productWeight > 0 ? (vector[i] as number) / productWeight : 0;
  }
  const recencyDays = seen === 0 ? RECENCY_CAP_DAYS : Math.min(RECENCY_CAP_DAYS, (nowMs - last) / DAY_MS);
  vector[ACTIVITY_OFFSET] = Math.log1p(recencyDays);
  vector[ACTIVITY_OFFSET + 1] = Math.log1p(in30);
  vector[ACTIVITY_OFFSET + 2] = Math.log1p(in90);
  vector[ACTIVITY_OFFSET + 3] = Math.log1p(activeDays.size);
  vector[ACTIVITY_OFFSET + 4] = seen === 0 ? 0.5 : mobile / seen;
  for (const product of productsHeld) {
    const productIndex = PRODUCT_INDEX.get(product);
    if (productIndex !== undefined) vector[HELD_OFFSET + productIndex] = 1;
  }
  return vector;
}

/** Per-feature means and standard deviations of a population, to put features on one scale. */
export interface Standardisation {
  readonly means: readonly number[];
  readonly stds: readonly number[];
}

/**
 * Centres each feature on the population mean and scales it to unit standard deviation (z-scores), so a feature
 * counts in distances by how it varies, not by its unit. A feature that does not vary gets std 1 and z 0.
 */
export function standardise(matrix: readonly (readonly number[])[]): Standardisation & { z: number[][] } {
  const scaling = scalingOf(matrix);
  return { z: matrix.map((row) => applyStandardisation(scaling, row)), ...scaling };
}

/** Each feature's population mean and standard deviation (1 where a feature does not vary). */
export function scalingOf(matrix: readonly (readonly number[])[]): Standardisation {
  const n = matrix.length;
  if (n === 0) throw new RangeError('[touchpoint] cannot standardise an empty population');
  const d = (matrix[0] as readonly number[]).length;
  const means = new Array<number>(d).fill(0);
  const stds = new Array<number>(d).fill(0);
  for (const row of matrix) {
    if (row.length !== d) throw new RangeError(`[touchpoint] every vector needs ${d} features, got ${row.length}`);
    for (let j = 0; j < d; j++) means[j] = (means[j] as number) + (row[j] as number) / n;
  }
  for (const row of matrix) {
    for (let j = 0; j < d; j++) stds[j] = (stds[j] as number) + ((row[j] as number) - (means[j] as number)) ** 2 / n;
  }
  for (let j = 0; j < d; j++) {
    const std = Math.sqrt(stds[j] as number);
    stds[j] = std > 1e-12 ? std : 1;
  }
  return { means, stds };
}

/** Puts one vector on a population's scale, with the means and stds saved when a model was trained. */
export function applyStandardisation({ means, stds }: Standardisation, vector: readonly number[]): number[] {
  if (vector.length !== means.length) {
    throw new RangeError(`[touchpoint] expected ${means.length} features, got ${vector.length}`);
  }
  return vector.map((value, j) => (value - (means[j] as number)) / (stds[j] as number));
}
