import {
  DEFAULT_JOURNEY,
  JOURNEY_STAGES,
  type Journey,
  type JourneyStage,
  type JourneyTouchpointType,
} from '../../contract/index.js';

export type { JourneyTouchpointType } from '../../contract/index.js';

const DAY_MS = 86_400_000;

export interface JourneyState {
  readonly stage: JourneyStage;
  /** The last touchpoint that moved (or kept) this product's journey: interest fades from here. */
  readonly lastAt: string;
  /**
   * When each kind of touchpoint on the journey was last seen (application started, submitted …), for in-app
   * triggers. Optional: journeys kept before triggers have none.
   */
  readonly seen?: Readonly<Partial<Record<JourneyTouchpointType, string>>>;
}

/** A product's journey as configured in the catalog, ready to apply. */
export interface CompiledJourney {
  /** The stage a touchpoint of this type moves the journey to, or undefined when it does not move it. */
  stageFor(type: JourneyTouchpointType): JourneyStage | undefined;
  /** Days of silence per stage of fading; null: never fades. */
  readonly decayDays: number | null;
}

/** Resolves a product's journey; products not in the catalog get the default journey. */
export type JourneyOf = (product: string) => CompiledJourney;

export function compileJourney(journey: Journey): CompiledJourney {
  const stages = new Map(journey.rules.map((rule) => [rule.on, rule.to]));
  return { stageFor: (type) => stages.get(type), decayDays: journey.decayDays };
}

export const DEFAULT_COMPILED_JOURNEY = compileJourney(DEFAULT_JOURNEY);
export const defaultJourneyOf: JourneyOf = () => DEFAULT_COMPILED_JOURNEY;

/** The stage a touchpoint moves a journey to under the default rules. */
export function stageForTouchpoint(type: JourneyTouchpointType): JourneyStage | undefined {
  return DEFAULT_COMPILED_JOURNEY.stageFor(type);
}

export function stageIndex(stage: JourneyStage | undefined): number {
  return stage === undefined ? -1 : JOURNEY_STAGES.indexOf(stage);
}

/** A journey moves forward; a later, shallower touchpoint does not move it back. */
export function advanceStage(current: JourneyStage | undefined, seen: JourneyStage): JourneyStage {
  return stageIndex(seen) > stageIndex(current) ? seen : (current ?? seen);
}

/**
 * Interest fades: a journey falls back one stage for every full `decayDays` without a touchpoint moving it, and
 * below aware there is no journey left (undefined). The use stage never fades: the customer holds the product.
 * Pure: the stage as of `at`, from the state and the journey's configuration.
 */
export function decayedStage(state: JourneyState, at: number, decayDays: number | null): JourneyStage | undefined {
  if (decayDays === null || state.stage === 'use') return state.stage;
  const silentMs = at - Date.parse(state.lastAt);
  if (!(silentMs > 0)) return state.stage;
  const steps = Math.floor(silentMs / (decayDays * DAY_MS));
  const index = stageIndex(state.stage) - steps;
  return index < 0 ? undefined : JOURNEY_STAGES[index];
}

/**
 * Applies one touchpoint of a product to its journey: first the fading since the journey last moved, then the
 * journey's rule for the touchpoint. A touchpoint type without a rule changes nothing (undefined state stays so).
 */
export function applyJourneyTouchpoint(
  current: JourneyState | undefined,
  type: JourneyTouchpointType,
  at: string,
  journey: CompiledJourney,
): JourneyState | undefined {
  const stage = journey.stageFor(type);
  if (!stage) return current;
  if (!current) return { stage, lastAt: at, seen: { [type]: at } };
  const time = Date.parse(at);
  const later = time > Date.parse(current.lastAt);
  // A touchpoint older than the journey's last one (a late delivery) comes before any fading.
  const faded = later ? decayedStage(current, time, journey.decayDays) : current.stage;
  const seenBefore = current.seen?.[type];
  return {
    stage: advanceStage(faded, stage),
    lastAt: later ? at : current.lastAt,
    seen: {
      ...current.seen,
      [type]: seenBefore !== undefined && Date.parse(seenBefore) >= time ? seenBefore : at,
    },
  };
}

/** A journey faded since its last touchpoint, as a decision saw it. */
export interface JourneyDecay {
  readonly product: string;
  readonly from: JourneyStage;
  /** null: faded away completely. */
  readonly to: JourneyStage | null;
  readonly lastAt: string;
  readonly decayDays: number;
}

/**
 * The journeys as they stand at `now`: each faded for the silence since its last touchpoint. Journeys that faded
 * away are left out. Pure: applied at decision time, never written back.
 */
export function journeysAt(
  journeys: Readonly<Record<string, JourneyState>>,
  journeyOf: JourneyOf,
  now: Date,
): { journeys: Record<string, JourneyState>; decayed: JourneyDecay[] } {
  const current: Record<string, JourneyState> = {};
  const decayed: JourneyDecay[] = [];
  for (const [product, state] of Object.entries(journeys)) {
    const { decayDays } = journeyOf(product);
    const stage = decayedStage(state, now.getTime(), decayDays);
    if (stage !== state.stage && decayDays !== null) {
      decayed.push({ product, from: state.stage, to: stage ?? null, lastAt: state.lastAt, decayDays });
    }
    if (stage) current[product] = stage === state.stage ? state : { ...state, stage };
  }
  return { journeys: current, decayed };
}

/**
 * Joins two states of one product's journey (a device's and the customer's): each faded to the later of their last
 * touchpoints, then the further stage kept, and the latest time of each kind of touchpoint.
 */
export function mergeJourneyStates(a: JourneyState, b: JourneyState, journey: CompiledJourney): JourneyState {
  const [later, earlier] = Date.parse(a.lastAt) >= Date.parse(b.lastAt) ? [a, b] : [b, a];
  // The later state has not faded at its own last touchpoint; the earlier one may have.
  const earlierStage = decayedStage(earlier, Date.parse(later.lastAt), journey.decayDays);
  const seen: Partial<Record<JourneyTouchpointType, string>> = { ...later.seen };
  for (const [type, time] of Object.entries(earlier.seen ?? {}) as Array<[JourneyTouchpointType, string]>) {
    const kept = seen[type];
    if (kept === undefined || Date.parse(time) > Date.parse(kept)) seen[type] = time;
  }
  return {
    stage: earlierStage ? advanceStage(earlierStage, later.stage) : later.stage,
    lastAt: later.lastAt,
    ...(a.seen || b.seen ? { seen } : {}),
  };
}
