import type { JourneyStage } from '../contract/index.js';

/**
 * The demo bank's hidden behavioural segments: who the customers are, how they use the net and mobile bank, and how
 * far they go in each product's journey. Clustering the generated behaviour should find these again.
 */
export const DEMO_PRODUCTS = ['car_loan', 'mortgage', 'pension', 'savings', 'home_insurance', 'investments'] as const;
export type DemoProduct = (typeof DEMO_PRODUCTS)[number];

/** Each product's page in the example net bank (the same paths as the seed catalog). */
export const PRODUCT_PAGES: Readonly<Record<DemoProduct, string>> = {
  car_loan: '/loans/car',
  mortgage: '/mortgage',
  pension: '/pension',
  savings: '/savings',
  home_insurance: '/insurance/home',
  investments: '/investments',
};

export const DEMO_SEGMENTS = [
  'first-car-buyers',
  'home-buyers',
  'pre-retirees',
  'savers',
  'active-investors',
  'dormant',
] as const;
export type DemoSegment = (typeof DEMO_SEGMENTS)[number];

/**
 * How deep a customer may go in a product's journey, as weights of the deepest step:
 * 0 page view, 1 product view, 2 calculator, 3 application started, 4 submitted, 5 completed.
 */
export type DepthWeights = readonly [number, number, number, number, number, number];

export interface ProductInterest {
  /** Relative chance that a product visit is about this product. */
  readonly weight: number;
  readonly depth: DepthWeights;
  /** The journey began this many days (range) before the customer's last visit; absent: interested all along. */
  readonly sinceDays?: readonly [number, number];
}

export interface SegmentBehaviour {
  /** Share of the bank's customers. */
  readonly share: number;
  readonly birthYears: readonly [number, number];
  /** Mean share of sessions in the mobile bank. */
  readonly mobileShare: number;
  /** Median number of sessions in the history, and the log-normal spread around it. */
  readonly sessions: number;
  readonly sessionSpread: number;
  /** Mean days between the last visit and now. */
  readonly recencyDays: number;
  /** Chance that a session visits a product the customer is interested in. */
  readonly productVisitRate: number;
  /** Share of sessions placed inside the main journey's time window (a customer shopping logs in more). */
  readonly journeyFocus: number;
  readonly interests: Readonly<Partial<Record<DemoProduct, ProductInterest>>>;
  /** Chance of holding each product before the history starts. */
  readonly held: Readonly<Partial<Record<DemoProduct, number>>>;
  readonly vulnerable: number;
  readonly arrears: number;
}

const SHALLOW: DepthWeights = [0.55, 0.35, 0.1, 0, 0, 0];
const GLANCE: DepthWeights = [0.85, 0.15, 0, 0, 0, 0];

export const SEGMENT_BEHAVIOUR: Readonly<Record<DemoSegment, SegmentBehaviour>> = {
  'first-car-buyers': {
    share: 0.14,
    birthYears: [1994, 2005],
    mobileShare: 0.8,
    sessions: 8,
    sessionSpread: 0.45,
    recencyDays: 6,
    productVisitRate: 0.8,
    journeyFocus: 0.7,
    interests: {
      car_loan: { weight: 8, depth: [0.1, 0.2, 0.34, 0.18, 0.1, 0.08], sinceDays: [10, 80] },
      savings: { weight: 1.5, depth: SHALLOW },
      investments: { weight: 0.5, depth: GLANCE },
    },
    held: { savings: 0.45, home_insurance: 0.3, investments: 0.1, pension: 0.15 },
    vulnerable: 0.02,
    arrears: 0.03,
  },
  'home-buyers': {
    share: 0.13,
    birthYears: [1982, 1996],
    mobileShare: 0.28,
    sessions: 9,
    sessionSpread: 0.45,
    recencyDays: 5,
    productVisitRate: 0.8,
    journeyFocus: 0.65,
    interests: {
      mortgage: { weight: 8, depth: [0.08, 0.17, 0.35, 0.2, 0.12, 0.08], sinceDays: [20, 120] },
      home_insurance: { weight: 2.5, depth: [0.4, 0.35, 0.2, 0.05, 0, 0] },
      savings: { weight: 1, depth: SHALLOW },
    },
    held: { savings: 0.7, pension: 0.6, home_insurance: 0.3, investments: 0.2, car_loan: 0.25 },
    vulnerable: 0.01,
    arrears: 0.01,
  },
  'pre-retirees': {
    share: 0.17,
    birthYears: [1957, 1967],
    mobileShare: 0.15,
    sessions: 5,
    sessionSpread: 0.5,
    recencyDays: 18,
    productVisitRate: 0.8,
    journeyFocus: 0,
    interests: {
      pension: { weight: 8, depth: [0.12, 0.35, 0.33, 0.12, 0.05, 0.03] },
      investments: { weight: 1.2, depth: SHALLOW },
      savings: { weight: 1.2, depth: SHALLOW },
    },
    held: { pension: 0.55, savings: 0.8, home_insurance: 0.75, mortgage: 0.65, investments: 0.35, car_loan: 0.1 },
    vulnerable: 0.04,
    arrears: 0.01,
  },
  savers: {
    share: 0.22,
    birthYears: [1970, 2002],
    mobileShare: 0.75,
    sessions: 13,
    sessionSpread: 0.45,
    recencyDays: 3,
    productVisitRate: 0.3,
    journeyFocus: 0,
    interests: {
      savings: { weight: 8, depth: [0.3, 0.35, 0.25, 0.06, 0.03, 0.01] },
      pension: { weight: 1, depth: SHALLOW },
      investments: { weight: 1, depth: SHALLOW },
    },
    held: { savings: 0.45, pension: 0.5, home_insurance: 0.5, mortgage: 0.3 },
    vulnerable: 0.02,
    arrears: 0.01,
  },
  'active-investors': {
    share: 0.07,
    birthYears: [1965, 1995],
    mobileShare: 0.8,
    sessions: 20,
    sessionSpread: 0.35,
    recencyDays: 1.5,
    productVisitRate: 0.9,
    journeyFocus: 0,
    interests: {
      investments: { weight: 10, depth: [0.05, 0.6, 0.25, 0.05, 0.03, 0.02] },
      savings: { weight: 1.2, depth: [0.4, 0.5, 0.1, 0, 0, 0] },
      pension: { weight: 0.8, depth: SHALLOW },
    },
    held: { investments: 0.85, savings: 0.85, pension: 0.7, home_insurance: 0.6, mortgage: 0.45 },
    vulnerable: 0.005,
    arrears: 0.005,
  },
  dormant: {
    share: 0.27,
    birthYears: [1950, 2004],
    mobileShare: 0.5,
    sessions: 1.8,
    sessionSpread: 0.6,
    recencyDays: 60,
    productVisitRate: 0.15,
    journeyFocus: 0,
    interests: {
      savings: { weight: 1, depth: GLANCE },
      pension: { weight: 1, depth: GLANCE },
      mortgage: { weight: 0.5, depth: GLANCE },
      car_loan: { weight: 0.5, depth: GLANCE },
    },
    held: { savings: 0.5, pension: 0.4, home_insurance: 0.4, mortgage: 0.25 },
    vulnerable: 0.05,
    arrears: 0.04,
  },
};

/**
 * The true chance that a customer of a segment responds to an offer for a product (a click that leads on), for
 * simulating campaigns against the demo bank. Hidden from the decision API, which must learn it.
 */
export const SEGMENT_PROPENSITY: Readonly<Record<DemoSegment, Readonly<Record<DemoProduct, number>>>> = {
  'first-car-buyers': {
    car_loan: 0.14,
    mortgage: 0.01,
    pension: 0.005,
    savings: 0.04,
    home_insurance: 0.02,
    investments: 0.02,
  },
  'home-buyers': {
    car_loan: 0.02,
    mortgage: 0.12,
    pension: 0.01,
    savings: 0.02,
    home_insurance: 0.08,
    investments: 0.01,
  },
  'pre-retirees': {
    car_loan: 0.01,
    mortgage: 0.01,
    pension: 0.1,
    savings: 0.03,
    home_insurance: 0.02,
    investments: 0.04,
  },
  savers: {
    car_loan: 0.01,
    mortgage: 0.02,
    pension: 0.03,
    savings: 0.09,
    home_insurance: 0.02,
    investments: 0.04,
  },
  'active-investors': {
    car_loan: 0.005,
    mortgage: 0.01,
    pension: 0.03,
    savings: 0.02,
    home_insurance: 0.01,
    investments: 0.11,
  },
  dormant: {
    car_loan: 0.004,
    mortgage: 0.004,
    pension: 0.005,
    savings: 0.006,
    home_insurance: 0.004,
    investments: 0.003,
  },
};

/**
 * How the hidden response rate moves with the customer's journey: an offer reaches a customer comparing prices more
 * than one who only glanced. Not the decision API's stage prior: the engine has to learn how far off its prior is.
 */
export const STAGE_RESPONSE_LIFT: Readonly<Record<JourneyStage, number>> = {
  aware: 0.6,
  explore: 1,
  compare: 1.8,
  apply: 3,
  sign: 3.5,
  use: 0.3,
};

/** A journey left alone cools: its response rate halves every this many days since its last touchpoint. */
export const INTEREST_FADE_DAYS = 21;
/** The hidden response rate of a house offer (a generic suggestion), alike for everyone. */
export const HOUSE_OFFER_RESPONSE = 0.004;

/**
 * The hidden true chance that a customer of a segment converts on an offer shown now: the segment's rate for the
 * product, lifted by the journey's stage and cooled by the days since its last touchpoint.
 */
export function trueResponseRate(
  segment: DemoSegment,
  product: string | null,
  journey: { readonly stage: JourneyStage; readonly daysSince: number } | undefined,
): number {
  if (product === null) return HOUSE_OFFER_RESPONSE;
  const rate = SEGMENT_PROPENSITY[segment][product as DemoProduct] ?? 0;
  if (!journey) return rate * STAGE_RESPONSE_LIFT.aware * 0.5;
  return Math.min(1, rate * STAGE_RESPONSE_LIFT[journey.stage] * 0.5 ** (journey.daysSince / INTEREST_FADE_DAYS));
}

/** The chance that a customer of a segment visits the net or mobile bank on a given day. */
export function dailyVisitRate(segment: DemoSegment): number {
  return Math.min(0.5, Math.max(0.02, SEGMENT_BEHAVIOUR[segment].sessions / 90));
}

/** Finds the product whose page a path is on (a product page or a page below it). */
export function productOfDemoPage(page: string): DemoProduct | undefined {
  return DEMO_PRODUCTS.find((product) => {
    const root = PRODUCT_PAGES[product];
    return page === root || page.startsWith(`${root}/`);
  });
}
