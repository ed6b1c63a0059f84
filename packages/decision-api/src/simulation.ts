import type { Catalog, Channel, Touchpoint, TouchpointType } from './contract/index.js';
import { DEMO_SEED, type DemoCustomer, generateDemoBank } from './demo/generator.js';
import { createRandom, type Random } from './demo/random.js';
import {
  DEMO_PRODUCTS,
  type DemoProduct,
  dailyVisitRate,
  SEGMENT_BEHAVIOUR,
  trueResponseRate,
} from './demo/segments.js';
import { type CompiledCatalog, compileCatalog } from './domain/catalog.js';
import { trainClusters } from './domain/clusters.js';
import { type CandidateTrace, decide } from './domain/decide.js';
import { featuresOf } from './domain/features.js';
import { addEvidence, type EvidenceKind, evidenceKey, type OfferEvidence } from './domain/learning.js';
import { applyTouchpoints, type CustomerProfile, EMPTY_PROFILE } from './domain/profile.js';

/**
 * The demo bank's customers live through days of visits against the decision engine. Each day a share of them visit
 * the net or mobile bank, sometimes move on in a product's journey, and are shown one offer on their home page; they
 * convert with a hidden true rate (demo/segments.ts) that the engine never sees. Three ways of choosing face the very
 * same visits and the same draws of chance:
 * - random: any eligible offer, uniformly;
 * - prior: `decide` without learning, ranking by the journey-stage prior alone;
 * - engine: the real `decide`, with the clusters the domain trains and the evidence fed back as ingest feeds it;
 * - oracle: the eligible offer with the highest true rate × value (the arbitration formula with the true propensity).
 * Pure and deterministic: the same options give the same figures.
 */

export interface SimulationOptions {
  readonly catalog: Catalog;
  readonly days?: number;
  readonly customers?: number;
  readonly seed?: number;
  /** The first simulated day; the customers' history ends here. */
  readonly start?: Date;
}

export interface PolicyOutcome {
  readonly impressions: number;
  readonly conversions: number;
  /** Conversions weighted by the offers' business value. */
  readonly value: number;
}

export interface SimulationResult {
  readonly days: number;
  readonly customers: number;
  readonly clusters: number;
  readonly visits: number;
  readonly random: PolicyOutcome;
  /** `decide` with the stage prior alone: no learning, no exploration (what arbitration did before it learnt). */
  readonly prior: PolicyOutcome;
  readonly engine: PolicyOutcome;
  readonly oracle: PolicyOutcome;
}

export const SIMULATION_DEFAULTS = { days: 60, customers: 3_000, start: new Date('2026-11-22T00:00:00Z') } as const;

type Policy = 'random' | 'prior' | 'engine' | 'oracle';
const POLICIES: readonly Policy[] = ['random', 'prior', 'engine', 'oracle'];
const DAY_MS = 86_400_000;
/** Chance that a visit looks at any product, whatever the customer's interests. */
const BROWSE_RATE = 0.2;
const HOME: Readonly<Record<Channel, { page: string; placement: string }>> = {
  netbank: { page: '/dashboard', placement: 'dashboard-hero' },
  mobilebank: { page: '/home', placement: 'mobile-home-card' },
};

interface World {
  readonly profiles: CustomerProfile[];
  readonly evidence: Map<string, OfferEvidence>;
  outcome: { impressions: number; conversions: number; value: number };
}

/** What happens on one visit, drawn before any choice so that every policy meets the same visit. */
interface Visit {
  readonly at: Date;
  readonly channel: Channel;
  readonly activity: ReadonlyArray<{ type: TouchpointType; product: DemoProduct }>;
  /** Uniform draw: the shown offer converts when it is below the offer's true rate. */
  readonly response: number;
  readonly seed: number;
  readonly pick: number;
}

export function simulate(options: SimulationOptions): SimulationResult {
  const days = options.days ?? SIMULATION_DEFAULTS.days;
  const customerCount = options.customers ?? SIMULATION_DEFAULTS.customers;
  const seed = options.seed ?? DEMO_SEED;
  const start = options.start ?? SIMULATION_DEFAULTS.start;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`[touchpoint] days must be >= 1, got ${days}`);
  const catalog = compileCatalog(options.catalog);
  const halfLifeDays = catalog.source.learning.halfLifeDays;

  const bank = generateDemoBank({ seed, customers: customerCount, now: start });
  const history = new Map<string, Touchpoint[]>();
  for (const { customerId, ...touchpoint } of bank.touchpoints) {
    const list = history.get(customerId) ?? [];
    list.push(touchpoint as Touchpoint);
    history.set(customerId, list);
  }
  const startProfiles = bank.customers.map((customer) =>
    applyTouchpoints(
      {
        ...EMPTY_PROFILE,
        productsHeld: [...customer.productsHeld].sort(),
        attributes: { birthYear: customer.birthYear, ...customer.flags },
      },
      history.get(customer.id) ?? [],
      catalog.productOfPage,
    ),
  );
  // The clusters the domain trains on the customers' behaviour, as the cluster job does in production.
  const { model, assignments } = trainClusters(
    bank.customers.map((customer, i) =>
      featuresOf(history.get(customer.id) ?? [], startProfiles[i]?.productsHeld ?? [], start, catalog.productOfPage),
    ),
    { random: createRandom(seed).next, now: start },
  );

  const worlds = Object.fromEntries(
    POLICIES.map((policy) => [
      policy,
      { profiles: [...startProfiles], evidence: new Map(), outcome: { impressions: 0, conversions: 0, value: 0 } },
    ]),
  ) as Record<Policy, World>;

  let visits = 0;
  for (let day = 0; day < days; day++) {
    bank.customers.forEach((customer, index) => {
      const visit = drawVisit(
        customer,
        createRandom((seed ^ Math.imul(index + 1, 0x9e3779b9) ^ Math.imul(day + 1, 0x85ebca6b)) >>> 0),
        start,
        day,
      );
      if (!visit) return;
      visits += 1;
      for (const policy of POLICIES) {
        live(worlds[policy], policy, customer, index, assignments[index] ?? null, visit, catalog, halfLifeDays);
      }
    });
  }
  return {
    days,
    customers: customerCount,
    clusters: model.clusters.length,
    visits,
    random: worlds.random.outcome,
    prior: worlds.prior.outcome,
    engine: worlds.engine.outcome,
    oracle: worlds.oracle.outcome,
  };
}

function drawVisit(customer: DemoCustomer, random: Random, start: Date, day: number): Visit | null {
  if (!random.chance(dailyVisitRate(customer.segment))) return null;
  const at = new Date(start.getTime() + day * DAY_MS + random.int(6 * 3600, 22 * 3600) * 1000);
  const channel: Channel = random.chance(customer.channelMix.mobilebank) ? 'mobilebank' : 'netbank';
  const behaviour = SEGMENT_BEHAVIOUR[customer.segment];
  const interests = DEMO_PRODUCTS.flatMap((product) => {
    const interest = behaviour.interests[product];
    return interest ? [[product, interest.weight] as const] : [];
  });
  const activity: Array<{ type: TouchpointType; product: DemoProduct }> = [];
  if (interests.length > 0 && random.chance(behaviour.productVisitRate)) {
    const product = random.weighted(interests);
    activity.push({ type: 'product_view', product });
    if (random.chance(0.3)) activity.push({ type: 'calculator_used', product });
    if (random.chance(0.05)) activity.push({ type: 'application_started', product });
  }
  // People also glance at products they will hardly buy: the stage prior takes that for interest, the engine learns.
  if (random.chance(BROWSE_RATE)) activity.push({ type: 'product_view', product: random.pick(DEMO_PRODUCTS) });
  return { at, channel, activity, response: random.next(), seed: random.int(0, 0xffffffff), pick: random.next() };
}

function live(
  world: World,
  policy: Policy,
  customer: DemoCustomer,
  index: number,
  cluster: string | null,
  visit: Visit,
  catalog: CompiledCatalog,
  halfLifeDays: number,
): void {
  const { at, channel } = visit;
  let profile = world.profiles[index] as CustomerProfile;
  const own = visit.activity.filter(({ product }) => !profile.productsHeld.includes(product));
  if (own.length > 0)
    profile = apply(
      profile,
      own.map(({ type, product }) => ({ type, product })),
      at,
      channel,
      catalog,
    );

  const { page, placement } = HOME[channel];
  const context = { channel, page, locale: 'en' as const };
  const [outcome] = decide({
    catalog,
    profile,
    context,
    placements: [placement],
    now: at,
    cluster,
    ...(policy === 'engine' ? { learned: world.evidence, seed: visit.seed } : {}),
  });
  const open = (outcome?.trace.candidates ?? []).filter((c) => c.score && !c.excludedBy && !c.shownElsewhere);
  const offerId =
    policy === 'engine' || policy === 'prior'
      ? (outcome?.offer?.id ?? null)
      : policy === 'random'
        ? (open[Math.floor(visit.pick * open.length)]?.offerId ?? null)
        : bestByTruth(open, customer, profile, catalog, at);
  const offer = offerId === null ? undefined : catalog.offers.get(offerId);
  if (!offer) {
    world.profiles[index] = profile;
    return;
  }

  const converted = visit.response < truthOf(customer, offer.id, profile, catalog, at);
  const events: Array<{ type: TouchpointType; offer?: string; product?: string }> = [
    { type: 'offer_impression', offer: offer.id },
  ];
  if (converted) {
    events.push({ type: 'offer_click', offer: offer.id }, { type: 'conversion', offer: offer.id });
    if (offer.product) events.push({ type: 'application_completed', product: offer.product });
  }
  world.profiles[index] = apply(profile, events, at, channel, catalog);
  world.outcome.impressions += 1;
  if (converted) {
    world.outcome.conversions += 1;
    world.outcome.value += offer.value;
  }
  if (policy === 'engine') {
    // Fed back as ingest does: keyed by the decision's cluster, stamped with the time it arrives.
    const kinds: EvidenceKind[] = converted ? ['impression', 'click', 'conversion'] : ['impression'];
    const key = evidenceKey(cluster, offer.id);
    for (const kind of kinds) world.evidence.set(key, addEvidence(world.evidence.get(key), kind, at, halfLifeDays));
  }
}

function bestByTruth(
  open: readonly CandidateTrace[],
  customer: DemoCustomer,
  profile: CustomerProfile,
  catalog: CompiledCatalog,
  at: Date,
): string | null {
  let best: { offerId: string; worth: number } | null = null;
  for (const candidate of open) {
    const score = candidate.score;
    if (!score) continue;
    const worth =
      truthOf(customer, candidate.offerId, profile, catalog, at) * score.value * score.contextWeight * score.lever;
    if (!best || worth > best.worth) best = { offerId: candidate.offerId, worth };
  }
  return best?.offerId ?? null;
}

function truthOf(
  customer: DemoCustomer,
  offerId: string,
  profile: CustomerProfile,
  catalog: CompiledCatalog,
  at: Date,
) {
  const offer = catalog.offers.get(offerId);
  if (!offer) return 0;
  const journey = offer.product === null ? undefined : profile.journeys[offer.product];
  return trueResponseRate(
    customer.segment,
    offer.product,
    journey ? { stage: journey.stage, daysSince: (at.getTime() - Date.parse(journey.lastAt)) / DAY_MS } : undefined,
  );
}

function apply(
  profile: CustomerProfile,
  events: ReadonlyArray<{ type: TouchpointType; offer?: string; product?: string }>,
  at: Date,
  channel: Channel,
  catalog: CompiledCatalog,
): CustomerProfile {
  const occurredAt = at.toISOString();
  return applyTouchpoints(
    profile,
    events.map((event) => ({ ...event, occurredAt, channel })),
    catalog.productOfPage,
  );
}
