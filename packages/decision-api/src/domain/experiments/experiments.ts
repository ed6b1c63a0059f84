import type { Arm, Experiment, Hypothesis, JourneyStage, Offer } from '../../contract/index.js';
import type { CompiledCatalog } from '../decision/catalog.js';
import { bucketOf, LAYER_BUCKETS, layerBucket, pickArm } from './bucketing.js';
import { LAYER_SHARE } from './planning.js';

export { conclusion, type PlanProgress } from './conclusion.js';
export {
  EXPERIMENT_TRANSITIONS,
  type ExperimentAction,
  type ExperimentStep,
  experimentRoles,
  experimentTransition,
  newExperiment,
} from './lifecycle.js';
export {
  ALPHA,
  LAYER_SHARE,
  MIN_BASELINE_UNITS,
  PLAN_METHOD,
  POWER,
  PRIOR_BASELINE,
  planPower,
  type UnitHistory,
} from './planning.js';
export {
  compareExperiments,
  POOLING_METHOD,
  primaryArmOf,
  type RegistryEntry,
  type RegistryFilter,
} from './registry.js';
export {
  type ArmOutcome,
  COVARIATE,
  RESULTS_METHOD,
  type ResultsSummary,
  summariseResults,
} from './results.js';
export type { UnitCohort } from './units.js';

/**
 * Experiments as the bank runs them: a written hypothesis, power before launch, deterministic assignment in layers,
 * sound statistics after. Pure: the store and routes feed counts in and persist what comes out.
 */

/**
 * Takes the first free range of `LAYER_SHARE` of the layer's buckets, or null when running experiments already fill
 * the layer.
 */
export function allocateLayerRange(
  taken: ReadonlyArray<{ from: number; to: number }>,
  share = LAYER_SHARE,
): { from: number; to: number } | null {
  const size = Math.round(LAYER_BUCKETS * share);
  const sorted = [...taken].sort((a, b) => a.from - b.from);
  let start = 0;
  for (const range of sorted) {
    if (range.from - start >= size) break;
    start = Math.max(start, range.to);
  }
  return start + size <= LAYER_BUCKETS ? { from: start, to: start + size } : null;
}

export interface ExperimentAudienceContext {
  readonly placement: string;
  readonly channel: string;
  readonly cluster: string | null;
  readonly stages: Readonly<Record<string, JourneyStage>>;
}

/** Whether a decision falls within a hypothesis's audience. */
export function inAudience(hypothesis: Hypothesis, context: ExperimentAudienceContext): boolean {
  const { audience } = hypothesis;
  if (!audience.placements.includes(context.placement)) return false;
  if (audience.channels.length > 0 && !audience.channels.includes(context.channel as never)) return false;
  if (audience.clusters.length > 0 && (context.cluster === null || !audience.clusters.includes(context.cluster)))
    return false;
  if (audience.stages.length > 0) {
    const stage = audience.product ? context.stages[audience.product] : undefined;
    if (stage === undefined || !audience.stages.includes(stage)) return false;
  }
  return true;
}

export interface Assignment {
  readonly experimentId: string;
  readonly arm: Arm;
  /** Where in the trace: which experiment, which arm, and why this customer is in it. */
  readonly note: string;
}

/**
 * The running experiment and arm a decision belongs to, if any: the customer (the unit) falls in the experiment's
 * range of its layer and the decision in its audience; the arm comes from the unit's bucket under the experiment's
 * salt. The same customer gets the same arm on every device once logged in.
 */
export function assignExperiment(
  running: readonly Experiment[],
  unitId: string,
  context: ExperimentAudienceContext,
): Assignment | null {
  for (const experiment of running) {
    if (experiment.status !== 'running' || !experiment.layerRange) continue;
    if (!inAudience(experiment.hypothesis, context)) continue;
    const bucket = layerBucket(unitId, experiment.layer);
    if (bucket < experiment.layerRange.from || bucket >= experiment.layerRange.to) continue;
    const arm = pickArm(unitId, experiment.salt, experiment.arms);
    return {
      experimentId: experiment.id,
      arm,
      note: `experiment "${experiment.name}", arm "${arm.id}" (layer ${experiment.layer} bucket ${bucket})`,
    };
  }
  return null;
}

/** The global holdout: customers who never see personalized offers, so the whole engine's uplift can be measured. */
export function inHoldout(unitId: string, share: number, salt: string): boolean {
  return share > 0 && bucketOf(unitId, salt) < share;
}

/**
 * The catalog as an arm shows it: the arm's offer with its variant content and its lever. Control, and offers the arm
 * does not touch, stay as they are. Built once per catalog and arms (both are replaced, never changed), not on every
 * decision: the copy of the catalog's indexes grows with the catalog.
 */
export function withArms(catalog: CompiledCatalog, arms: readonly Arm[]): CompiledCatalog {
  const changed = arms.filter((arm) => arm.offer !== undefined && catalog.offers.has(arm.offer));
  if (changed.length === 0) return catalog;
  let node: ArmedCatalogs | undefined = armedCatalogs.get(catalog);
  if (node === undefined) {
    node = { next: new WeakMap() };
    armedCatalogs.set(catalog, node);
  }
  for (const arm of changed) {
    let next: ArmedCatalogs | undefined = node.next.get(arm);
    if (next === undefined) {
      next = { next: new WeakMap() };
      node.next.set(arm, next);
    }
    node = next;
  }
  node.catalog ??= armedCatalog(catalog, changed);
  return node.catalog;
}

/** The catalogs built for arms: from a catalog, one step per arm in order. */
interface ArmedCatalogs {
  catalog?: CompiledCatalog;
  readonly next: WeakMap<Arm, ArmedCatalogs>;
}
const armedCatalogs = new WeakMap<CompiledCatalog, ArmedCatalogs>();

function armedCatalog(catalog: CompiledCatalog, changed: readonly Arm[]): CompiledCatalog {
  const offers = new Map(catalog.offers);
  for (const arm of changed) {
    const offer = offers.get(arm.offer as string) as Offer;
    offers.set(offer.id, {
      ...offer,
      ...(arm.content ? { content: arm.content } : {}),
      ...(arm.lever !== undefined ? { lever: offer.lever * arm.lever } : {}),
    });
  }
  const offersByPlacement = new Map(
    [...catalog.offersByPlacement].map(([placement, list]) => [
      placement,
      list.map((offer) => offers.get(offer.id) ?? offer),
    ]),
  );
  return { ...catalog, offers, offersByPlacement };
}
