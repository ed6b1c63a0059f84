import type { Channel, TouchpointType } from '../../contract/index.js';
import { addToBehaviour, type BehaviourState, EMPTY_BEHAVIOUR, mergeBehaviour } from './behaviour.js';
import {
  applyJourneyTouchpoint,
  defaultJourneyOf,
  type JourneyOf,
  type JourneyState,
  mergeJourneyStates,
} from './journey.js';

export type { JourneyState } from './journey.js';

/** What a profile learns from: the fields of a stored touchpoint that matter to decisions. */
export interface ProfileTouchpoint {
  readonly type: TouchpointType;
  readonly occurredAt: string;
  readonly channel: Channel;
  readonly product?: string | null;
  readonly page?: string | null;
  readonly offer?: string | null;
}

/**
 * What the bank's own systems know about a customer, supplied by its backend (never learnt from touchpoints): what
 * legal suitability rules need. An anonymous visitor has none.
 */
export interface CustomerAttributes {
  readonly birthYear?: number;
  /** Flagged by the bank as a vulnerable customer: no credit offers. */
  readonly vulnerable?: boolean;
  /** Behind on payments to the bank: no credit offers. */
  readonly arrears?: boolean;
  /** The customer's branch: whose advisors contact them. */
  readonly branch?: string;
  /**
   * The customer agreed that the bank may contact them about products (the bank's records). Without it the customer
   * is never in the advisor queue.
   */
  readonly contactConsent?: boolean;
}

/**
 * Everything a decision needs about one subject (a customer, or an anonymous device before login),
 * kept current on ingest so a decision reads one row.
 */
export interface CustomerProfile {
  readonly journeys: Readonly<Record<string, JourneyState>>;
  /** Products the customer holds at the bank. */
  readonly productsHeld: readonly string[];
  /** Offer id → time of the last dismissal. */
  readonly dismissed: Readonly<Record<string, string>>;
  /** Offer id → time of the conversion. */
  readonly converted: Readonly<Record<string, string>>;
  /** Offer id → times of its viewable impressions within the last week: what contact caps count. */
  readonly impressions: Readonly<Record<string, readonly string[]>>;
  readonly touchpointCount: number;
  readonly lastSeenAt: string | null;
  /** Optional: profiles stored before the bank supplied attributes, and anonymous ones, have none. */
  readonly attributes?: CustomerAttributes;
  /** Product → how many touchpoints its journey has had: the engagement a lead score reads. */
  readonly productTouchpoints?: Readonly<Record<string, number>>;
  /** Times an advisor reached the customer (most recent last): the weekly contact cap and the advisor cool-down. */
  readonly advisorContacts?: readonly string[];
  /** Product → when the customer told an advisor it is not relevant: it rests for the dismissal cool-down. */
  readonly dismissedProducts?: Readonly<Record<string, string>>;
  /**
   * What the behavioural cluster features need, kept current on ingest. Optional: a profile stored before it existed
   * has none until cluster training fills it in from the history (see `behaviourOf`).
   */
  readonly behaviour?: BehaviourState;
}

/**
 * The profile's behaviour: an empty one for a subject never seen in the bank's own channels, none (undefined) for a
 * profile stored before behaviour was kept, whose history is not in the profile.
 */
export function behaviourOf(profile: CustomerProfile): BehaviourState | undefined {
  return profile.behaviour ?? (profile.lastSeenAt === null ? EMPTY_BEHAVIOUR : undefined);
}

export const EMPTY_PROFILE: CustomerProfile = {
  journeys: {},
  productsHeld: [],
  dismissed: {},
  converted: {},
  impressions: {},
  touchpointCount: 0,
  lastSeenAt: null,
};

/** Resolves the product a touchpoint is about: named on it, or implied by the product page it happened on. */
export type ProductOfPage = (page: string) => string | undefined;

export function applyTouchpoints(
  profile: CustomerProfile,
  touchpoints: readonly ProfileTouchpoint[],
  productOfPage: ProductOfPage,
  journeyOf: JourneyOf = defaultJourneyOf,
): CustomerProfile {
  // Each time is parsed once, not on every comparison of the sort.
  const times = touchpoints.map((touchpoint) => Date.parse(touchpoint.occurredAt));
  const order = touchpoints.map((_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number));
  const journeys: Record<string, JourneyState> = { ...profile.journeys };
  const dismissed: Record<string, string> = { ...profile.dismissed };
  const converted: Record<string, string> = { ...profile.converted };
  const impressions: Record<string, string[]> = Object.fromEntries(
    Object.entries(profile.impressions ?? {}).map(([offer, times]) => [offer, [...times]]),
  );
  const held = new Set(profile.productsHeld);
  const productTouchpoints: Record<string, number> = { ...profile.productTouchpoints };
  let lastSeenAt = profile.lastSeenAt;
  let lastSeenTime = lastSeenAt === null ? Number.NaN : Date.parse(lastSeenAt);
  const behaviour = behaviourOf(profile);

  for (const i of order) {
    const touchpoint = touchpoints[i] as ProfileTouchpoint;
    const at = touchpoint.occurredAt;
    const time = times[i] as number;
    if (lastSeenAt === null || time > lastSeenTime) {
      lastSeenAt = at;
      lastSeenTime = time;
    }
    const product = touchpoint.product ?? (touchpoint.page ? productOfPage(touchpoint.page) : undefined);
    if (touchpoint.type === 'offer_dismiss' && touchpoint.offer)
      dismissed[touchpoint.offer] = later(dismissed[touchpoint.offer], at);
    if (touchpoint.type === 'offer_impression' && touchpoint.offer) {
      impressions[touchpoint.offer] = [...(impressions[touchpoint.offer] ?? []), at];
    }
    if (touchpoint.type === 'conversion' && touchpoint.offer)
      converted[touchpoint.offer] = later(converted[touchpoint.offer], at);
    if (touchpoint.type === 'application_completed' && product) held.add(product);
    if (product) {
      const journey = applyJourneyTouchpoint(journeys[product], touchpoint.type, at, journeyOf(product));
      if (journey) {
        journeys[product] = journey;
        productTouchpoints[product] = (productTouchpoints[product] ?? 0) + 1;
      }
    }
  }

  return {
    ...profile,
    journeys,
    productsHeld: [...held].sort(),
    dismissed,
    converted,
    impressions: recentImpressions(impressions, lastSeenAt),
    touchpointCount: profile.touchpointCount + touchpoints.length,
    lastSeenAt,
    ...(Object.keys(productTouchpoints).length > 0 ? { productTouchpoints } : {}),
    ...(behaviour ? { behaviour: addToBehaviour(behaviour, touchpoints, productOfPage) } : {}),
  };
}

/** Contact caps look back one week; older impressions are dropped so the profile row stays small. */
export const IMPRESSION_MEMORY_MS = 8 * 86_400_000;

function recentImpressions(
  impressions: Readonly<Record<string, readonly string[]>>,
  latest: string | null,
): Record<string, string[]> {
  const since = latest === null ? Number.NEGATIVE_INFINITY : Date.parse(latest) - IMPRESSION_MEMORY_MS;
  const kept: Record<string, string[]> = {};
  for (const [offer, times] of Object.entries(impressions)) {
    const recent = times.filter((at) => Date.parse(at) >= since).sort();
    if (recent.length > 0) kept[offer] = recent;
  }
  return kept;
}

/**
 * Joins an anonymous device's profile into the customer's when the customer logs in. Attributes are the customer's:
 * the bank knows them of the customer, never of a device.
 */
export function mergeProfiles(
  customer: CustomerProfile,
  anonymous: CustomerProfile,
  journeyOf: JourneyOf = defaultJourneyOf,
): CustomerProfile {
  const customerBehaviour = behaviourOf(customer);
  const anonymousBehaviour = behaviourOf(anonymous);
  const journeys: Record<string, JourneyState> = { ...customer.journeys };
  for (const [product, state] of Object.entries(anonymous.journeys)) {
    const current = journeys[product];
    journeys[product] = current ? mergeJourneyStates(current, state, journeyOf(product)) : state;
  }
  const productTouchpoints: Record<string, number> = { ...customer.productTouchpoints };
  for (const [product, count] of Object.entries(anonymous.productTouchpoints ?? {})) {
    productTouchpoints[product] = (productTouchpoints[product] ?? 0) + count;
  }
  return {
    // Behaviour is joined below only when both sides have it: never half of a history.
    ...withoutBehaviour(customer),
    journeys,
    ...(Object.keys(productTouchpoints).length > 0 ? { productTouchpoints } : {}),
    productsHeld: [...new Set([...customer.productsHeld, ...anonymous.productsHeld])].sort(),
    dismissed: mergeLatest(customer.dismissed, anonymous.dismissed),
    converted: mergeLatest(customer.converted, anonymous.converted),
    impressions: recentImpressions(
      Object.fromEntries(
        [...new Set([...Object.keys(customer.impressions ?? {}), ...Object.keys(anonymous.impressions ?? {})])].map(
          (offer) => [offer, [...(customer.impressions?.[offer] ?? []), ...(anonymous.impressions?.[offer] ?? [])]],
        ),
      ),
      customer.lastSeenAt && anonymous.lastSeenAt
        ? later(customer.lastSeenAt, anonymous.lastSeenAt)
        : (customer.lastSeenAt ?? anonymous.lastSeenAt),
    ),
    touchpointCount: customer.touchpointCount + anonymous.touchpointCount,
    lastSeenAt:
      customer.lastSeenAt && anonymous.lastSeenAt
        ? later(customer.lastSeenAt, anonymous.lastSeenAt)
        : (customer.lastSeenAt ?? anonymous.lastSeenAt),
    ...(customerBehaviour && anonymousBehaviour
      ? { behaviour: mergeBehaviour(customerBehaviour, anonymousBehaviour) }
      : {}),
  };
}

function withoutBehaviour({ behaviour: _behaviour, ...rest }: CustomerProfile): CustomerProfile {
  return rest;
}

function mergeLatest(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): Record<string, string> {
  const merged: Record<string, string> = { ...a };
  for (const [key, at] of Object.entries(b)) merged[key] = later(merged[key], at);
  return merged;
}

function later(a: string | undefined, b: string): string {
  return a !== undefined && Date.parse(a) >= Date.parse(b) ? a : b;
}
