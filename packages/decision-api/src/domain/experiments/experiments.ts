import type {
  Arm,
  Experiment,
  ExperimentDraft,
  Guardrail,
  GuardrailMetric,
  Hypothesis,
  JourneyStage,
  Offer,
  PowerPlan,
  PrimaryMetric,
} from '../../contract/index.js';
import type { CompiledCatalog } from '../decision/catalog.js';
import { bucketOf, LAYER_BUCKETS, layerBucket, pickArm } from './bucketing.js';
import {
  type ArmCounts,
  alwaysValidPValue,
  compareArms,
  liftStandardError,
  poolEffects,
  sampleRatioMismatch,
  sampleSizePerArm,
} from './statistics.js';

/**
 * Experiments as the bank runs them: a written hypothesis, power before launch, deterministic assignment in layers,
 * sound statistics after. Pure: the store and routes feed counts in and persist what comes out.
 */

/** Significance and power every experiment is planned with. */
export const ALPHA = 0.05;
export const POWER = 0.8;
/** Fewer exposures than this in the observation window and the observed baseline is too noisy to plan with. */
export const MIN_BASELINE_EXPOSURES = 200;
/** Baselines assumed when the audience has too little history, per primary metric. */
export const PRIOR_BASELINE: Readonly<Record<PrimaryMetric, number>> = {
  click_through: 0.05,
  conversion: 0.01,
  advisor_outcome: 0.05,
};
/** Share of a layer a new experiment takes, so two experiments can run side by side on one placement. */
export const LAYER_SHARE = 0.5;

export interface AudienceHistory {
  /** Exposures and primary-metric events in the audience over the observation window. */
  readonly exposures: number;
  readonly events: number;
  /** Customers in the audience per day, on average over the window. */
  readonly dailyCustomers: number;
}

/**
 * The plan before launch: sample per arm for the hypothesis's minimum effect at α 0.05 and power 0.8 (two-sided),
 * and how long the audience needs to reach it. Infeasible when that is longer than the maximum duration.
 */
export function planPower(
  hypothesis: Hypothesis,
  arms: readonly Pick<Arm, 'allocation'>[],
  history: AudienceHistory,
  maxDurationDays: number,
): PowerPlan {
  const observed = history.exposures >= MIN_BASELINE_EXPOSURES;
  const baseline = observed
    ? clamp(history.events / history.exposures, 0.001, 0.999)
    : PRIOR_BASELINE[hypothesis.primaryMetric];
  const effect = hypothesis.direction === 'increase' ? hypothesis.minimumEffect : -hypothesis.minimumEffect;
  const target = baseline + effect;
  const base = { baseline, baselineSource: observed ? ('observed' as const) : ('prior' as const), maxDurationDays };
  if (!(target > 0 && target < 1)) {
    return {
      ...base,
      samplePerArm: 0,
      dailyAudience: history.dailyCustomers,
      expectedDays: null,
      feasible: false,
      reason: `A ${hypothesis.direction} of ${pct(hypothesis.minimumEffect)} from a baseline of ${pct(baseline)} is not a possible rate.`,
    };
  }
  const samplePerArm = sampleSizePerArm({ baseline, minimumEffect: effect, alpha: ALPHA, power: POWER });
  // The smallest arm must reach the sample; the others get their share of the same traffic.
  const weights = arms.map((arm) => arm.allocation);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const smallest = Math.min(...weights);
  const customersNeeded = (samplePerArm * total) / smallest;
  const dailyAudience = history.dailyCustomers * LAYER_SHARE;
  const expectedDays = dailyAudience > 0 ? Math.ceil(customersNeeded / dailyAudience) : null;
  const feasible = expectedDays !== null && expectedDays <= maxDurationDays;
  const reason = feasible
    ? `${samplePerArm.toLocaleString('en')} customers per arm reached in about ${expectedDays} days of ${maxDurationDays}.`
    : expectedDays === null
      ? `The audience has had no customers in the observation window, so it cannot reach ${samplePerArm.toLocaleString('en')} customers per arm.`
      : `The audience is too small: ${samplePerArm.toLocaleString('en')} customers per arm would take about ${expectedDays} days, more than the ${maxDurationDays} allowed. Widen the audience, or test a larger effect.`;
  return { ...base, samplePerArm, dailyAudience, expectedDays, feasible, reason };
}

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

/** What one arm collected, day by day (cumulative counts are built from these). */
export interface ArmDay {
  readonly day: string;
  /** Viewable impressions. */
  readonly exposures: number;
  /** Primary-metric events: clicks, conversions or advisor sales. */
  readonly events: number;
  readonly dismissals: number;
  /** Distinct customers exposed that day. */
  readonly customers: number;
}

export interface ArmOutcome {
  readonly arm: string;
  readonly exposures: number;
  readonly conversions: number;
  readonly rate: number;
  readonly absoluteLift: number | null;
  readonly absoluteLiftInterval: { low: number; high: number } | null;
  readonly relativeLift: number | null;
  readonly relativeLiftInterval: { low: number; high: number } | null;
  readonly z: number | null;
  readonly pValue: number | null;
  readonly alwaysValidPValue: number | null;
  readonly guardrails: ReadonlyArray<{
    metric: GuardrailMetric;
    value: number;
    increase: number | null;
    breached: boolean;
  }>;
}

export interface ResultsSummary {
  readonly arms: readonly ArmOutcome[];
  readonly sampleRatio: { chiSquare: number; pValue: number; mismatch: boolean };
  /** The first breached guardrail, in words, when one is. */
  readonly guardrailBreach: string | null;
}

export const RESULTS_METHOD =
  'Per arm: exposures are viewable impressions; lift against control with 95 % Wald (absolute) and log-ratio (relative) intervals; a pooled two-proportion z-test for the final read; and the mixture sequential probability ratio test (mSPRT, normal mixture with τ = the minimum effect) for an always-valid p-value that stays valid when staff look every day. Sample-ratio mismatch: Pearson χ² of exposures against the allocation, flagged at p < 0.001. A guardrail is breached when its metric rises over control by more than its limit and the rise is significant (mSPRT p < 0.05).';

/**
 * Results of an experiment from its arms' daily counts (the first arm is control). The always-valid p-value replays
 * the days in order, as if staff had looked each day.
 */
export function summariseResults(
  experiment: Pick<Experiment, 'arms' | 'guardrails' | 'hypothesis'>,
  days: ReadonlyMap<string, readonly ArmDay[]>,
): ResultsSummary {
  const tau = experiment.hypothesis.minimumEffect;
  const dayKeys = [...new Set([...days.values()].flatMap((list) => list.map((d) => d.day)))].sort();
  const cumulative = (armId: string, upTo?: string) => {
    const totals = { exposures: 0, events: 0, dismissals: 0, customers: 0 };
    for (const day of days.get(armId) ?? []) {
      if (upTo !== undefined && day.day > upTo) continue;
      totals.exposures += day.exposures;
      totals.events += day.events;
      totals.dismissals += day.dismissals;
      totals.customers += day.customers;
    }
    return totals;
  };
  const [control, ...variants] = experiment.arms as [Arm, ...Arm[]];
  const controlTotals = cumulative(control.id);
  const counts = (t: { exposures: number; events: number }): ArmCounts => ({
    exposures: t.exposures,
    conversions: Math.min(t.events, t.exposures),
  });
  let guardrailBreach: string | null = null;

  const guardrailValues = (totals: ReturnType<typeof cumulative>) => ({
    dismiss_rate: totals.exposures === 0 ? 0 : totals.dismissals / totals.exposures,
    contact_pressure: totals.customers === 0 ? 0 : totals.exposures / totals.customers,
  });

  const outcomes: ArmOutcome[] = [
    {
      arm: control.id,
      exposures: controlTotals.exposures,
      conversions: controlTotals.events,
      rate: controlTotals.exposures === 0 ? 0 : controlTotals.events / controlTotals.exposures,
      absoluteLift: null,
      absoluteLiftInterval: null,
      relativeLift: null,
      relativeLiftInterval: null,
      z: null,
      pValue: null,
      alwaysValidPValue: null,
      guardrails: experiment.guardrails.map((g) => ({
        metric: g.metric,
        value: guardrailValues(controlTotals)[g.metric],
        increase: null,
        breached: false,
      })),
    },
  ];
  for (const arm of variants) {
    const totals = cumulative(arm.id);
    const comparison = compareArms(counts(controlTotals), counts(totals));
    let sequential = 1;
    const guardSequential = new Map<GuardrailMetric, number>();
    for (const day of dayKeys) {
      const c = cumulative(control.id, day);
      const v = cumulative(arm.id, day);
      sequential = alwaysValidPValue(sequential, counts(c), counts(v), tau);
      for (const g of experiment.guardrails) {
        if (g.metric !== 'dismiss_rate') continue;
        const previous = guardSequential.get(g.metric) ?? 1;
        guardSequential.set(
          g.metric,
          alwaysValidPValue(
            previous,
            { exposures: c.exposures, conversions: c.dismissals },
            { exposures: v.exposures, conversions: v.dismissals },
            g.maxIncrease,
          ),
        );
      }
    }
    const controlValues = guardrailValues(controlTotals);
    const armValues = guardrailValues(totals);
    const guardrails = experiment.guardrails.map((g: Guardrail) => {
      const increase = armValues[g.metric] - controlValues[g.metric];
      // Dismissals are tested sequentially; contact pressure is a ratio the arm sets itself, compared directly.
      const significant = g.metric === 'dismiss_rate' ? (guardSequential.get(g.metric) ?? 1) < ALPHA : true;
      const breached = totals.exposures > 0 && increase > g.maxIncrease && significant;
      if (breached && guardrailBreach === null) {
        guardrailBreach = `Guardrail ${g.metric} breached in arm "${arm.id}": ${armValues[g.metric].toFixed(3)} against control's ${controlValues[g.metric].toFixed(3)}, an increase of ${increase.toFixed(3)} over the ${g.maxIncrease} allowed.`;
      }
      return { metric: g.metric, value: armValues[g.metric], increase, breached };
    });
    outcomes.push({
      arm: arm.id,
      exposures: totals.exposures,
      conversions: totals.events,
      rate: comparison.variantRate,
      absoluteLift: comparison.absoluteLift,
      absoluteLiftInterval: comparison.absoluteLiftInterval,
      relativeLift: comparison.relativeLift,
      relativeLiftInterval: comparison.relativeLiftInterval,
      z: comparison.z,
      pValue: comparison.pValue,
      alwaysValidPValue: sequential,
      guardrails,
    });
  }
  const srm = sampleRatioMismatch(
    outcomes.map((o) => o.exposures),
    experiment.arms.map((arm) => arm.allocation),
  );
  return {
    arms: outcomes,
    sampleRatio: { chiSquare: srm.chiSquare, pValue: srm.pValue, mismatch: srm.mismatch },
    guardrailBreach,
  };
}

export interface RegistryEntry {
  readonly experiment: Pick<Experiment, 'id' | 'name' | 'hypothesis' | 'status' | 'decision'>;
  readonly control: ArmCounts;
  readonly variants: ReadonlyArray<{ arm: string; counts: ArmCounts }>;
}

export interface RegistryFilter {
  readonly principle?: string;
  readonly cluster?: string;
  readonly placement?: string;
  readonly product?: string;
}

/**
 * Pools the best variant's lift of every experiment matching the filter by inverse-variance weighting: "does loss
 * aversion work for this cluster?" An experiment's product is the one its audience names.
 */
export function compareExperiments(entries: readonly RegistryEntry[], filter: RegistryFilter) {
  const matching = entries.filter(({ experiment: { hypothesis } }) => {
    if (filter.principle && hypothesis.principle !== filter.principle) return false;
    if (filter.placement && !hypothesis.audience.placements.includes(filter.placement)) return false;
    if (
      filter.cluster &&
      hypothesis.audience.clusters.length > 0 &&
      !hypothesis.audience.clusters.includes(filter.cluster)
    )
      return false;
    if (filter.product && hypothesis.audience.product !== filter.product) return false;
    return true;
  });
  const effects = matching.flatMap((entry) =>
    entry.variants
      .filter((variant) => variant.counts.exposures > 0 && entry.control.exposures > 0)
      .map((variant) => ({
        experimentId: entry.experiment.id,
        name: entry.experiment.name,
        arm: variant.arm,
        estimate:
          variant.counts.conversions / variant.counts.exposures - entry.control.conversions / entry.control.exposures,
        standardError: liftStandardError(entry.control, variant.counts),
      })),
  );
  return { experiments: matching.length, effects, pooled: poolEffects(effects) };
}

/** The lifecycle: which status may follow which, and who may move it. */
export const TRANSITIONS = {
  approve: { from: 'draft', to: 'approved' },
  start: { from: 'approved', to: 'running' },
  stop: { from: 'running', to: 'stopped' },
} as const;

/** Four eyes: the approver is never the person who wrote the experiment. */
export function approvalRefusal(experiment: Pick<Experiment, 'createdBy'>, approver: string): string | null {
  return experiment.createdBy === approver
    ? 'An experiment is approved by a different staff member than the one who created it (four eyes).'
    : null;
}

/** A new experiment from a validated draft. */
export function newExperiment(
  draft: ExperimentDraft,
  ids: { id: string; salt: string },
  createdBy: string,
  now: Date,
): Experiment {
  return {
    id: ids.id,
    name: draft.name,
    status: 'draft',
    hypothesis: draft.hypothesis,
    guardrails: draft.guardrails,
    arms: draft.arms,
    layer: draft.layer ?? (draft.hypothesis.audience.placements[0] as string),
    salt: ids.salt,
    maxDurationDays: draft.maxDurationDays,
    createdBy,
    createdAt: now.toISOString(),
    approvedBy: null,
    approvedAt: null,
    startedAt: null,
    stoppedAt: null,
    stopReason: null,
    decision: null,
    layerRange: null,
  };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
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
