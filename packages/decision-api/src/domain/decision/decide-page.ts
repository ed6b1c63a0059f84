import type { DecisionContext, Experiment } from '../../contract/index.js';
import type { BudgetStandings } from '../budgets/index.js';
import { assignClusterForDecision, type ClusterAssignment } from '../clustering/cluster-assignment.js';
import type { ClusterModel } from '../clustering/clusters.js';
import { assignExperiment, inHoldout, withArms } from '../experiments/experiments.js';
import { type CustomerProfile, EMPTY_PROFILE } from '../journeys/profile.js';
import type { BankScore } from './arbitration.js';
import type { CompiledCatalog } from './catalog.js';
import { decide, type PlacementOutcome } from './decide.js';
import type { LearnedModel } from './learned-model.js';

/** What a decision reads from memory, never from the store: one consistent view for the whole page. */
export interface DecisionSnapshot {
  readonly catalog: CompiledCatalog;
  /** The active cluster model; null before the first training. */
  readonly clusterModel: ClusterModel | null;
  /** The running experiments. */
  readonly experiments: readonly Experiment[];
  /** The model of learned statistics per cluster × offer that decisions read. */
  readonly learned: LearnedModel;
  /** The global holdout: this share of customers sees generic content, to measure the uplift. */
  readonly holdout: { readonly share: number; readonly salt: string };
  /** Where each budget stands at the decision's moment; absent: no budget holds anything back. */
  readonly budgets?: BudgetStandings;
}

export interface PageRequest {
  /** The subject's profile; the empty one without consent (no profile is read then). */
  readonly profile: CustomerProfile;
  readonly context: DecisionContext;
  readonly placements: readonly string[];
  /** The logged-in customer, for the global holdout; null for an anonymous visitor or a synthetic profile. */
  readonly customerId: string | null;
  /** Whom experiments bucket: the customer, else the device. */
  readonly unitId: string;
  /** The bank's own model's scores of the customer, by offer id. */
  readonly bankScores?: ReadonlyMap<string, BankScore> | undefined;
  readonly now: Date;
  /**
   * Seeds Thompson sampling, so a customer's decisions explore; absent, each learned propensity is its posterior mean
   * and the same input always gives the same decision (the preview).
   */
  readonly seed?: number;
  /** A cluster staff chose for a synthetic profile, in place of the active model's assignment. */
  readonly clusterAssignment?: ClusterAssignment;
}

/**
 * The decisions for a page's placements, the same for a customer's request and a staff preview: consent → global
 * holdout → cluster assignment → experiment arms → learned propensities → budgets → triggers and arbitration (`decide`). Pure:
 * the caller reads the snapshot and the profile, and keeps what this returns.
 */
export function decidePage(snapshot: DecisionSnapshot, request: PageRequest): PlacementOutcome[] {
  const { context, customerId, now } = request;
  const personalized = context.consent === 'granted';
  // Without consent, generic content: nothing known about the subject is used, whatever the caller read.
  const profile = personalized ? request.profile : EMPTY_PROFILE;
  const { holdout } = snapshot;
  // The global holdout sees what a customer without a profile sees; its decisions are kept, to measure the uplift.
  const heldOut = personalized && customerId !== null && inHoldout(customerId, holdout.share, holdout.salt);
  // Opting out of profiling gives generic content and no cluster either; so does the holdout.
  const clusterAssignment = heldOut
    ? { cluster: null, reason: 'in the global holdout: generic content, no cluster' }
    : personalized && request.clusterAssignment
      ? request.clusterAssignment
      : assignClusterForDecision({ model: snapshot.clusterModel, profile, personalized, now });
  const running = personalized && !heldOut ? snapshot.experiments : [];
  const stages =
    running.length > 0
      ? Object.fromEntries(Object.entries(profile.journeys).map(([product, state]) => [product, state.stage]))
      : {};
  const assignments = new Map(
    running.length > 0
      ? request.placements.flatMap((placement) => {
          const assignment = assignExperiment(running, request.unitId, {
            placement,
            channel: context.channel,
            cluster: clusterAssignment.cluster?.id ?? null,
            stages,
          });
          return assignment ? [[placement, assignment] as const] : [];
        })
      : [],
  );
  const catalog = withArms(
    snapshot.catalog,
    [...assignments.values()].map((assignment) => assignment.arm),
  );
  return decide({
    catalog,
    profile: heldOut ? EMPTY_PROFILE : profile,
    context,
    placements: request.placements,
    now,
    learned: snapshot.learned,
    ...(request.bankScores && personalized && !heldOut ? { bankScores: request.bankScores } : {}),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    clusterAssignment,
    ...(snapshot.budgets ? { budgets: snapshot.budgets } : {}),
  }).map((outcome) => {
    const assignment = assignments.get(outcome.placement);
    if (heldOut) return { ...outcome, trace: { ...outcome.trace, holdout: true } };
    if (!assignment) return outcome;
    const experiment = { id: assignment.experimentId, arm: assignment.arm.id, note: assignment.note };
    return { ...outcome, trace: { ...outcome.trace, experiment } };
  });
}
