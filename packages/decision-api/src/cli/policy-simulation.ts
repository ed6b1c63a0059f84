import type { Catalog, Channel, Touchpoint, TouchpointType } from '../contract/index.js';
import { DEMO_SEED, type DemoCustomer, generateDemoBank } from '../demo/generator.js';
import { createRandom, type Random } from '../demo/random.js';
import { SCENARIOS, type Scenario, type ScenarioName } from '../demo/scenarios.js';
import {
  DEMO_PRODUCTS,
  type DemoProduct,
  type DemoSegment,
  dailyVisitRate,
  SEGMENT_BEHAVIOUR,
} from '../demo/segments.js';
import { trainClusters } from '../domain/clustering/clusters.js';
import { type CompiledCatalog, compileCatalog } from '../domain/decision/catalog.js';
import { type CandidateTrace, decide } from '../domain/decision/decide.js';
import { EMPTY_LEARNED_MODEL, type LearnedModel, learnedModel } from '../domain/decision/learned-model.js';
import { addEvidence, type EvidenceKind, evidenceKey, type OfferEvidence } from '../domain/decision/learning.js';
import { featuresOf } from '../domain/journeys/features.js';
import { applyTouchpoints, type CustomerProfile, EMPTY_PROFILE } from '../domain/journeys/profile.js';

/**
 * The demo bank's customers live through days of visits against the decision engine. Each day a share of them visit
 * the net or mobile bank, sometimes move on in a product's journey, and are shown one offer on their home page; they
 * convert with a hidden true rate (demo/segments.ts, changed by the world's scenario, demo/scenarios.ts) that the
 * engine never sees. Four ways of choosing face the very same visits and the same draws of chance:
 * - random: any eligible offer, uniformly;
 * - prior: `decide` without learning, ranking by the journey-stage prior alone;
 * - engine: the real `decide`, with the clusters the domain trains and the evidence fed back as ingest feeds it;
 * - oracle: on each visit, among the offers the rules and caps leave open, the one of highest true expected value
 *   (true rate × value × context weight × lever). It is greedy: the best choice for this visit in the state its own
 *   history led to, not an upper bound on the totals of every policy (see the README).
 * Pure and deterministic: the same options give the same figures.
 */

export interface SimulationOptions {
  readonly catalog: Catalog;
  readonly days?: number;
  readonly customers?: number;
  readonly seed?: number;
  /** The first simulated day; the customers' history ends here. */
  readonly start?: Date;
  /** The world (demo/scenarios.ts); the demo bank by default. */
  readonly scenario?: ScenarioName;
}

export interface PolicyOutcome {
  readonly impressions: number;
  readonly conversions: number;
  /** Conversions weighted by the offers' business value. */
  readonly value: number;
  /** The sum of the true rates of the offers shown: conversions without the luck of the draw. */
  readonly expectedConversions: number;
  /** The sum of true rate × value of the offers shown. */
  readonly expectedValue: number;
}

/** One day of a policy, in the whole bank and in the scenario's focus segment. */
export interface DayOutcome extends PolicyOutcome {
  readonly focus: PolicyOutcome & {
    /** Impressions of the scenario's focus offer in its segment. */
    readonly offerImpressions: number;
  };
}

export interface SimulationResult {
  readonly scenario: ScenarioName;
  readonly seed: number;
  readonly days: number;
  readonly customers: number;
  readonly clusters: number;
  readonly visits: number;
  readonly random: PolicyOutcome;
  /** `decide` with the stage prior alone: no learning, no exploration (what arbitration did before it learnt). */
  readonly prior: PolicyOutcome;
  readonly engine: PolicyOutcome;
  readonly oracle: PolicyOutcome;
  /** The segment (and offer) the scenario's goal looks at, and the day its event happens; null for none. */
  readonly focus: Scenario['focus'] | null;
  /** Each policy's days, in order. */
  readonly daily: Readonly<Record<Policy, readonly DayOutcome[]>>;
}

export const SIMULATION_DEFAULTS = { days: 60, customers: 3_000, start: new Date('2026-11-22T00:00:00Z') } as const;

export type Policy = 'random' | 'prior' | 'engine' | 'oracle';
export const POLICIES: readonly Policy[] = ['random', 'prior', 'engine', 'oracle'];
const DAY_MS = 86_400_000;
const MODEL_REFRESH_MS = 3_600_000;
/** Chance that a visit looks at any product, whatever the customer's interests. */
const BROWSE_RATE = 0.2;
const HOME: Readonly<Record<Channel, { page: string; placement: string }>> = {
  netbank: { page: '/dashboard', placement: 'dashboard-hero' },
  mobilebank: { page: '/home', placement: 'mobile-home-card' },
};

type Tally = { -readonly [K in keyof PolicyOutcome]: PolicyOutcome[K] };
type DayTally = Tally & { focus: Tally & { offerImpressions: number } };

interface World {
  readonly profiles: CustomerProfile[];
  readonly evidence: Map<string, OfferEvidence>;
  /** The model decisions read: made anew from the evidence every simulated hour, as the server does every second. */
  model: LearnedModel;
  readonly outcome: Tally;
  readonly daily: DayTally[];
}

const emptyTally = (): Tally => ({
  impressions: 0,
  conversions: 0,
  value: 0,
  expectedConversions: 0,
  expectedValue: 0,
});

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

/** The demo bank before the first simulated day: its customers, their profiles and the clusters trained on them. */
export interface SimulatedBank {
  readonly seed: number;
  readonly start: Date;
  readonly customers: readonly DemoCustomer[];
  readonly profiles: readonly CustomerProfile[];
  readonly assignments: readonly (string | null)[];
  readonly clusters: number;
}

/**
 * Generates the bank and trains its clusters: the slow part of a run, the same for every scenario of one seed (the
 * scenarios change rates, traffic and offers, never the customers' history), so a run of several shares it.
 */
export function prepareBank(options: Omit<SimulationOptions, 'days' | 'scenario'>): SimulatedBank {
  const customerCount = options.customers ?? SIMULATION_DEFAULTS.customers;
  const seed = options.seed ?? DEMO_SEED;
  const start = options.start ?? SIMULATION_DEFAULTS.start;
  const catalog = compileCatalog(options.catalog);
  const bank = generateDemoBank({ seed, customers: customerCount, now: start });
  const history = new Map<string, Touchpoint[]>();
  for (const { customerId, ...touchpoint } of bank.touchpoints) {
    const list = history.get(customerId) ?? [];
    list.push(touchpoint as Touchpoint);
    history.set(customerId, list);
  }
  const profiles = bank.customers.map((customer) =>
    applyTouchpoints(
      {
        ...EMPTY_PROFILE,
        productsHeld: [...customer.productsHeld].sort(),
        attributes: { birthYear: customer.birthYear, ...customer.flags },
      },
      history.get(customer.id) ?? [],
      catalog.productOfPage,
      catalog.journeyOf,
    ),
  );
  // The clusters the domain trains on the customers' behaviour, as the cluster job does in production.
  const { model, assignments } = trainClusters(
    bank.customers.map((customer, i) =>
      featuresOf(history.get(customer.id) ?? [], profiles[i]?.productsHeld ?? [], start, catalog.productOfPage),
    ),
    { random: createRandom(seed).next, now: start },
  );
  return { seed, start, customers: bank.customers, profiles, assignments, clusters: model.clusters.length };
}

export function simulate(options: SimulationOptions & { readonly bank?: SimulatedBank }): SimulationResult {
  const days = options.days ?? SIMULATION_DEFAULTS.days;
  const scenario = SCENARIOS[options.scenario ?? 'demo'];
  if (!scenario) throw new RangeError(`[touchpoint] unknown scenario ${options.scenario}`);
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`[touchpoint] days must be >= 1, got ${days}`);
  const bank = options.bank ?? prepareBank(options);
  const { seed, start, assignments } = bank;
  const startProfiles = bank.profiles;
  const customerCount = bank.customers.length;
  const catalog = compileCatalog(scenario.catalog(options.catalog, start));
  const halfLifeDays = catalog.source.learning.halfLifeDays;

  const worlds = Object.fromEntries(
    POLICIES.map((policy) => [
      policy,
      {
        profiles: [...startProfiles],
        evidence: new Map(),
        model: EMPTY_LEARNED_MODEL,
        outcome: emptyTally(),
        daily: [],
      } as World,
    ]),
  ) as Record<Policy, World>;

  let visits = 0;
  for (let day = 0; day < days; day++) {
    for (const policy of POLICIES)
      worlds[policy].daily.push({ ...emptyTally(), focus: { ...emptyTally(), offerImpressions: 0 } });
    const traffic = scenario.traffic(new Date(start.getTime() + day * DAY_MS));
    bank.customers.forEach((customer, index) => {
      const visit = drawVisit(
        customer,
        createRandom((seed ^ Math.imul(index + 1, 0x9e3779b9) ^ Math.imul(day + 1, 0x85ebca6b)) >>> 0),
        start,
        day,
        traffic,
      );
      if (!visit) return;
      visits += 1;
      const cluster = assignments[index] ?? null;
      for (const policy of POLICIES) {
        live(
          worlds[policy],
          policy,
          { customer, index, cluster, visit, day },
          { catalog, halfLifeDays, scenario, start },
        );
      }
    });
  }
  return {
    scenario: scenario.name,
    seed,
    days,
    customers: customerCount,
    clusters: bank.clusters,
    visits,
    random: worlds.random.outcome,
    prior: worlds.prior.outcome,
    engine: worlds.engine.outcome,
    oracle: worlds.oracle.outcome,
    focus: scenario.focus ?? null,
    daily: Object.fromEntries(POLICIES.map((policy) => [policy, worlds[policy].daily])) as Record<Policy, DayOutcome[]>,
  };
}

function drawVisit(customer: DemoCustomer, random: Random, start: Date, day: number, traffic: number): Visit | null {
  if (!random.chance(Math.min(1, dailyVisitRate(customer.segment) * traffic))) return null;
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

interface Visitor {
  readonly customer: DemoCustomer;
  readonly index: number;
  readonly cluster: string | null;
  readonly visit: Visit;
  readonly day: number;
}

interface Setting {
  readonly catalog: CompiledCatalog;
  readonly halfLifeDays: number;
  readonly scenario: Scenario;
  readonly start: Date;
}

function live(world: World, policy: Policy, visitor: Visitor, setting: Setting): void {
  const { customer, index, cluster, visit } = visitor;
  const { catalog, halfLifeDays, scenario } = setting;
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
  if (policy === 'engine' && at.getTime() - world.model.at.getTime() >= MODEL_REFRESH_MS) {
    world.model = learnedModel(new Map(world.evidence), at, world.model.version + 1);
  }
  const [outcome] = decide({
    catalog,
    profile,
    context,
    placements: [placement],
    now: at,
    cluster,
    ...(policy === 'engine' ? { learned: world.model, seed: visit.seed } : {}),
  });
  const truth = (offerId: string) => truthOf(scenario, customer.segment, offerId, profile, catalog, at, setting.start);
  const open = (outcome?.trace.candidates ?? []).filter((c) => c.score && !c.excludedBy && !c.shownElsewhere);
  const offerId =
    policy === 'engine' || policy === 'prior'
      ? (outcome?.offer?.id ?? null)
      : policy === 'random'
        ? (open[Math.floor(visit.pick * open.length)]?.offerId ?? null)
        : bestByTruth(open, truth);
  const offer = offerId === null ? undefined : catalog.offers.get(offerId);
  if (!offer) {
    world.profiles[index] = profile;
    return;
  }

  const rate = truth(offer.id);
  const converted = visit.response < rate;
  const events: Array<{ type: TouchpointType; offer?: string; product?: string }> = [
    { type: 'offer_impression', offer: offer.id },
  ];
  if (converted) {
    events.push({ type: 'offer_click', offer: offer.id }, { type: 'conversion', offer: offer.id });
    if (offer.product) events.push({ type: 'application_completed', product: offer.product });
  }
  world.profiles[index] = apply(profile, events, at, channel, catalog);
  const today = world.daily[visitor.day] as DayTally;
  const tallies: Tally[] = [world.outcome, today];
  if (scenario.focus?.segment === customer.segment) {
    tallies.push(today.focus);
    if (offer.id === scenario.focus.offer) today.focus.offerImpressions += 1;
  }
  for (const tally of tallies) {
    tally.impressions += 1;
    tally.expectedConversions += rate;
    tally.expectedValue += rate * offer.value;
    if (converted) {
      tally.conversions += 1;
      tally.value += offer.value;
    }
  }
  if (policy === 'engine') {
    // Fed back as ingest does: keyed by the decision's cluster, stamped with the time it arrives.
    const kinds: EvidenceKind[] = converted ? ['impression', 'click', 'conversion'] : ['impression'];
    const key = evidenceKey(cluster, offer.id);
    for (const kind of kinds) world.evidence.set(key, addEvidence(world.evidence.get(key), kind, at, halfLifeDays));
  }
}

function bestByTruth(open: readonly CandidateTrace[], truth: (offerId: string) => number): string | null {
  let best: { offerId: string; worth: number } | null = null;
  for (const candidate of open) {
    const score = candidate.score;
    if (!score) continue;
    const worth = truth(candidate.offerId) * score.value * score.contextWeight * score.lever;
    if (!best || worth > best.worth) best = { offerId: candidate.offerId, worth };
  }
  return best?.offerId ?? null;
}

function truthOf(
  scenario: Scenario,
  segment: DemoSegment,
  offerId: string,
  profile: CustomerProfile,
  catalog: CompiledCatalog,
  at: Date,
  start: Date,
) {
  const offer = catalog.offers.get(offerId);
  if (!offer) return 0;
  const journey = offer.product === null ? undefined : profile.journeys[offer.product];
  return scenario.rate({
    segment,
    offer,
    journey: journey
      ? { stage: journey.stage, daysSince: (at.getTime() - Date.parse(journey.lastAt)) / DAY_MS }
      : undefined,
    day: (at.getTime() - start.getTime()) / DAY_MS,
    at,
  });
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
    catalog.journeyOf,
  );
}
