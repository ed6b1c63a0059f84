import type { Channel, TouchpointType } from '../contract/index.js';
import { demoBranch, demoDisplayName } from './people.js';
import { createRandom, type Random } from './random.js';
import {
  DEMO_PRODUCTS,
  DEMO_SEGMENTS,
  type DemoProduct,
  type DemoSegment,
  PRODUCT_PAGES,
  type ProductInterest,
  SEGMENT_BEHAVIOUR,
  type SegmentBehaviour,
} from './segments.js';

export interface DemoCustomer {
  /** Pseudonymous customer id, as the bank's backend puts it in the customer token. */
  readonly id: string;
  /** The hidden true behavioural segment, for checking what clustering finds. */
  readonly segment: DemoSegment;
  readonly birthYear: number;
  /** The branch whose advisors contact the customer. */
  readonly branch: string;
  /** Whether the customer agreed that the bank may contact them about products. */
  readonly contactConsent: boolean;
  /** Products held at the end of the history, including applications completed in it. */
  readonly productsHeld: readonly DemoProduct[];
  readonly flags: { readonly vulnerable: boolean; readonly arrears: boolean };
  /** For the example apps' demo login screen only; never sent to the decision API. */
  readonly displayName: string;
  /** The customer's habitual share of sessions per channel (sums to 1). */
  readonly channelMix: { readonly netbank: number; readonly mobilebank: number };
}

export interface DemoTouchpoint {
  readonly id: string;
  readonly customerId: string;
  readonly type: TouchpointType;
  readonly occurredAt: string;
  readonly channel: Channel;
  readonly product?: string;
  readonly page?: string;
  readonly properties?: Record<string, number | string>;
}

export interface DemoBank {
  readonly customers: DemoCustomer[];
  readonly touchpoints: DemoTouchpoint[];
}

export interface DemoBankOptions {
  readonly seed?: number;
  readonly customers?: number;
  /** Months of history before `now`. */
  readonly months?: number;
  readonly now: Date;
}

export const DEMO_SEED = 20261122;
const DAY_MS = 86_400_000;
const APPLICATION_STEPS: readonly TouchpointType[] = [
  'application_started',
  'application_submitted',
  'application_completed',
];
const OTHER_PAGES = ['/accounts', '/payments', '/cards', '/messages'] as const;
/** Session starts by hour of Danish local time (taken as UTC+1): quiet at night, peaks at breakfast and evening. */
const HOUR_WEIGHTS = [
  0.2, 0.1, 0.05, 0.05, 0.05, 0.2, 0.8, 1.6, 2, 1.8, 1.6, 1.6, 2, 1.7, 1.5, 1.6, 1.8, 2, 2.2, 2.4, 2.4, 2, 1.2, 0.6,
].map((weight, hour) => [hour, weight] as const);
/** A small share of customers also look at a product their segment rarely does, so segments overlap. */
const STRAY_INTEREST_RATE = 0.12;
const STRAY_INTEREST: ProductInterest = { weight: 1, depth: [0.6, 0.3, 0.1, 0, 0, 0] };
/** Share of demo customers who agreed to be contacted about products. */
const CONTACT_CONSENT_RATE = 0.85;

/**
 * Generates the demo bank: customers of hidden behavioural segments and their history of touchpoints in the net and
 * mobile bank. Pure and deterministic: the same options give the same bank, and each customer depends only on the seed
 * and its number, so a smaller bank is a prefix of a larger one.
 */
export function generateDemoBank({ seed = DEMO_SEED, customers = 5_000, months = 6, now }: DemoBankOptions): DemoBank {
  if (!Number.isInteger(customers) || customers < 0) {
    throw new RangeError(`[touchpoint] customers must be a whole number >= 0, got ${customers}`);
  }
  if (!Number.isInteger(months) || months < 1) throw new RangeError(`[touchpoint] months must be >= 1, got ${months}`);
  if (Number.isNaN(now.getTime())) throw new RangeError('[touchpoint] now must be a valid date');

  const start = new Date(now.getTime());
  start.setUTCMonth(start.getUTCMonth() - months);
  const span = { start: start.getTime(), end: now.getTime() };

  const bank: DemoBank = { customers: [], touchpoints: [] };
  for (let n = 1; n <= customers; n++) {
    const random = createRandom((seed + Math.imul(n, 0x9e3779b9)) >>> 0);
    // Consent is drawn from a stream of its own, so adding it left every customer's history as it was.
    const contactConsent = createRandom((seed ^ Math.imul(n, 0x85ebca6b)) >>> 0).chance(CONTACT_CONSENT_RATE);
    generateCustomer(random, `c-${String(n).padStart(5, '0')}`, span, bank, contactConsent);
  }
  return bank;
}

interface HistorySpan {
  readonly start: number;
  readonly end: number;
}

interface Journey {
  readonly product: DemoProduct;
  readonly interest: ProductInterest;
  readonly maxDepth: number;
  readonly since: number;
  /** Deepest step reached so far, -1 before the first visit. */
  reached: number;
}

function generateCustomer(
  random: Random,
  id: string,
  span: HistorySpan,
  bank: DemoBank,
  contactConsent: boolean,
): void {
  const segment = random.weighted(DEMO_SEGMENTS.map((s) => [s, SEGMENT_BEHAVIOUR[s].share] as const));
  const behaviour = SEGMENT_BEHAVIOUR[segment];
  const birthYear = random.int(behaviour.birthYears[0], behaviour.birthYears[1]);
  const mobile = round2(clamp(random.normal(behaviour.mobileShare, 0.12), 0.03, 0.97));
  const held = new Set(DEMO_PRODUCTS.filter((product) => random.chance(behaviour.held[product] ?? 0)));

  const lastSeen = Math.max(span.start + 2 * DAY_MS, span.end - random.exponential(behaviour.recencyDays) * DAY_MS);
  const journeys = planJourneys(random, behaviour, held, lastSeen, span);
  // A customer shopping for a product (a journey with a start) logs in more while shopping, and mostly about it.
  const focus = journeys.find((j) => j.interest.sinceDays !== undefined);
  const sessionCount = Math.max(
    1,
    Math.round(behaviour.sessions * Math.exp(random.normal(0, behaviour.sessionSpread))),
  );
  const sessions = Array.from({ length: sessionCount }, (_, i) => {
    const focused = focus !== undefined && (i === sessionCount - 1 || random.chance(behaviour.journeyFocus));
    if (i === sessionCount - 1) return { start: sessionStart(random, lastSeen, span), focused };
    const from = focused ? focus.since : span.start;
    return { start: sessionStart(random, from + random.next() * (lastSeen - from), span), focused };
  }).sort((a, b) => a.start - b.start);

  let sessionsEnd = span.start;
  for (const { start, focused } of sessions) {
    const channel: Channel = random.chance(mobile) ? 'mobilebank' : 'netbank';
    // Sessions never overlap, so a journey's steps keep their order in time.
    const at = Math.max(start, sessionsEnd);
    const session = { random, customerId: id, channel, at, bank };
    emit(session, 'page_view', { page: channel === 'mobilebank' || random.chance(0.15) ? '/' : '/dashboard' });
    const open = journeys.filter((j) => j.since <= at && j.reached < 5);
    const journey =
      focused && focus && open.includes(focus)
        ? focus
        : open.length > 0 && random.chance(behaviour.productVisitRate)
          ? random.weighted(open.map((j) => [j, j.interest.weight] as const))
          : undefined;
    if (journey) {
      visitProduct(session, journey);
      if (journey.reached === 5) held.add(journey.product);
    }
    if (random.chance(0.2)) emit(session, 'page_view', { page: random.pick(OTHER_PAGES) });
    sessionsEnd = session.at + 60_000;
  }

  bank.customers.push({
    id,
    segment,
    birthYear,
    branch: demoBranch(random),
    contactConsent,
    productsHeld: DEMO_PRODUCTS.filter((product) => held.has(product)),
    flags: { vulnerable: random.chance(behaviour.vulnerable), arrears: random.chance(behaviour.arrears) },
    displayName: demoDisplayName(random, birthYear),
    channelMix: { netbank: round2(1 - mobile), mobilebank: mobile },
  });
}

function planJourneys(
  random: Random,
  behaviour: SegmentBehaviour,
  held: ReadonlySet<DemoProduct>,
  lastSeen: number,
  span: HistorySpan,
): Journey[] {
  const interests = new Map(
    DEMO_PRODUCTS.flatMap((product) => {
      const interest = behaviour.interests[product];
      return interest ? [[product, interest] as const] : [];
    }),
  );
  if (random.chance(STRAY_INTEREST_RATE)) {
    const stray = DEMO_PRODUCTS.filter((product) => !interests.has(product));
    if (stray.length > 0) interests.set(random.pick(stray), STRAY_INTEREST);
  }
  return [...interests].map(([product, interest]) => {
    const depth = random.weighted(interest.depth.map((weight, step) => [step, weight] as const));
    const since = interest.sinceDays
      ? Math.max(span.start, lastSeen - random.int(interest.sinceDays[0], interest.sinceDays[1]) * DAY_MS)
      : span.start;
    // A customer who already holds the product looks at it and may use its calculator, but has nothing to apply for.
    return { product, interest, maxDepth: held.has(product) ? Math.min(depth, 2) : depth, since, reached: -1 };
  });
}

interface Session {
  readonly random: Random;
  readonly customerId: string;
  readonly channel: Channel;
  readonly bank: DemoBank;
  /** Time of the next touchpoint; moves forward as the session goes on. */
  at: number;
}

/** One visit to a product: a page view, and deeper steps of its journey as far as the customer goes this time. */
function visitProduct(session: Session, journey: Journey): void {
  const { random } = session;
  const { product } = journey;
  const page = PRODUCT_PAGES[product];
  const target = Math.min(journey.maxDepth, journey.reached + 1 + (random.chance(0.5) ? 1 : 0));
  emit(session, 'page_view', { page });
  if (target >= 1) emit(session, 'product_view', { product, page });
  if (target >= 2 && (journey.reached < 2 || random.chance(0.5))) {
    emit(session, 'calculator_used', { product, page, properties: calculatorInput(random, product) });
  }
  APPLICATION_STEPS.forEach((type, i) => {
    const step = 3 + i;
    if (target >= step && journey.reached < step) emit(session, type, { product, page });
  });
  journey.reached = Math.max(journey.reached, target);
}

function emit(
  session: Session,
  type: TouchpointType,
  fields: { product?: string; page?: string; properties?: Record<string, number | string> },
): void {
  const { random } = session;
  const touchpoint: Mutable<DemoTouchpoint> = {
    id: random.uuid(),
    customerId: session.customerId,
    type,
    occurredAt: new Date(session.at).toISOString(),
    channel: session.channel,
  };
  if (fields.product !== undefined) touchpoint.product = fields.product;
  if (fields.page !== undefined) touchpoint.page = fields.page;
  if (fields.properties !== undefined) touchpoint.properties = fields.properties;
  session.bank.touchpoints.push(touchpoint);
  session.at += random.int(8, 150) * 1000;
}

/** What a customer typed into a product's calculator: amounts in DKK, rounded as people enter them. */
function calculatorInput(random: Random, product: DemoProduct): Record<string, number | string> {
  switch (product) {
    case 'car_loan':
      return {
        amount: roundTo(clamp(random.normal(210_000, 80_000), 50_000, 650_000), 5_000),
        years: random.int(2, 8),
      };
    case 'mortgage': {
      const price = roundTo(clamp(random.normal(3_300_000, 1_100_000), 900_000, 9_500_000), 25_000);
      return { price, downPayment: roundTo(price * random.pick([0.05, 0.1, 0.15, 0.2]), 5_000), years: 30 };
    }
    case 'pension':
      return { retirementAge: random.int(62, 70), monthlyPayout: roundTo(random.normal(22_000, 6_000), 1_000) };
    case 'savings':
      return {
        monthly: random.pick([300, 500, 1_000, 1_500, 2_000, 3_000, 5_000]),
        months: random.pick([6, 12, 24, 36]),
      };
    case 'home_insurance':
      return { squareMetres: random.int(40, 220), contentsValue: roundTo(random.normal(600_000, 200_000), 50_000) };
    case 'investments':
      return {
        monthly: random.pick([100, 250, 500, 1_000, 2_000, 5_000]),
        risk: random.pick(['low', 'medium', 'high']),
      };
  }
}

/** A session start on the same day as `around`, at an hour people bank, inside the history's span. */
function sessionStart(random: Random, around: number, span: HistorySpan): number {
  const midnight = Math.floor(around / DAY_MS) * DAY_MS;
  const localHour = random.weighted(HOUR_WEIGHTS);
  let at = midnight + ((localHour + 23) % 24) * 3_600_000 + random.int(0, 3_599) * 1000;
  // Leave room before `now` for the session's touchpoints (and a session pushed back by an earlier one).
  const latest = span.end - 2 * 3_600_000;
  if (at > latest) at -= DAY_MS;
  if (at < span.start) at += DAY_MS;
  return clamp(at, span.start, latest);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function roundTo(value: number, step: number): number {
  return Math.max(step, Math.round(value / step) * step);
}
