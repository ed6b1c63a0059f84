import type { DecisionContext } from '../contract/index.js';
import { assignClusterForDecision, type ClusterAssignment } from '../domain/clustering/cluster-assignment.js';
import type { BankScore } from '../domain/decision/arbitration.js';
import { decide, type PlacementOutcome } from '../domain/decision/decide.js';
import { assignExperiment, inHoldout, withArms } from '../domain/experiments/experiments.js';
import { type CustomerProfile, EMPTY_PROFILE } from '../domain/journeys/profile.js';
import type { Services } from './services.js';

export interface ComposeInput {
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
 * One decision for a page's placements, composed the same way for a customer's request and a staff preview: profile →
 * global holdout → cluster assignment → experiment arms → learned propensities → triggers and arbitration (decide).
 * Pure apart from reading the in-memory holders: it writes nothing; the decisions route keeps what it returns.
 */
export function composeDecision(
  services: Pick<Services, 'config' | 'clusters' | 'experiments' | 'catalog' | 'learning'>,
  input: ComposeInput,
): PlacementOutcome[] {
  const { context, customerId, now } = input;
  const personalized = context.consent === 'granted';
  // Without consent, generic content: nothing known about the subject is used, whatever the caller read.
  const profile = personalized ? input.profile : EMPTY_PROFILE;
  const { holdout } = services.config;
  // The global holdout sees what a customer without a profile sees; its decisions are kept, to measure the uplift.
  const heldOut = personalized && customerId !== null && inHoldout(customerId, holdout.share, holdout.salt);
  // Opting out of profiling gives generic content and no cluster either; so does the holdout.
  const clusterAssignment = heldOut
    ? { cluster: null, reason: 'in the global holdout: generic content, no cluster' }
    : personalized && input.clusterAssignment
      ? input.clusterAssignment
      : assignClusterForDecision({
          model: services.clusters.current()?.model ?? null,
          profile,
          personalized,
          now,
        });
  const running = personalized && !heldOut ? services.experiments.running() : [];
  const stages =
    running.length > 0
      ? Object.fromEntries(Object.entries(profile.journeys).map(([product, state]) => [product, state.stage]))
      : {};
  const assignments = new Map(
    running.length > 0
      ? input.placements.flatMap((placement) => {
          const assignment = assignExperiment(running, input.unitId, {
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
    services.catalog.current(),
    [...assignments.values()].map((assignment) => assignment.arm),
  );
  return decide({
    catalog,
    profile: heldOut ? EMPTY_PROFILE : profile,
    context,
    placements: input.placements,
    now,
    learned: services.learning.current(),
    ...(input.bankScores && personalized && !heldOut ? { bankScores: input.bankScores } : {}),
    ...(input.seed === undefined ? {} : { seed: input.seed }),
    clusterAssignment,
  }).map((outcome) => {
    const assignment = assignments.get(outcome.placement);
    if (heldOut) return { ...outcome, trace: { ...outcome.trace, holdout: true } };
    if (!assignment) return outcome;
    const experiment = { id: assignment.experimentId, arm: assignment.arm.id, note: assignment.note };
    return { ...outcome, trace: { ...outcome.trace, experiment } };
  });
}
