import { featuresOfBehaviour } from '../journeys/behaviour.js';
import { FEATURE_NAMES } from '../journeys/features.js';
import { behaviourOf, type CustomerProfile } from '../journeys/profile.js';
import { assignCluster, type ClusterModel } from './clusters.js';

/** The cluster a decision used, as its trace keeps it: what per-cluster learning reads from stored decisions. */
export interface TracedCluster {
  readonly id: string;
  readonly modelVersion: number;
}

/** A decision's cluster, or none, and why. */
export interface ClusterAssignment {
  readonly cluster: TracedCluster | null;
  readonly reason: string;
}

export interface ClusterAssignmentInput {
  /** The active model; null before the first training. */
  readonly model: ClusterModel | null;
  readonly profile: CustomerProfile;
  /** False when the visitor has not consented to personalization: no profile is read and no cluster is given. */
  readonly personalized: boolean;
  readonly now: Date;
}

/**
 * Assigns a subject (a customer, or an anonymous device with a history of its own) to the nearest centroid of the
 * active model, from the behaviour kept in its profile. A subject never seen in the bank's own channels gets no
 * cluster: the model was trained on customers with touchpoints, and the empty vector would put every newcomer in the
 * same (dormant-looking) cluster and show them what that cluster is targeted with.
 */
export function assignClusterForDecision({
  model,
  profile,
  personalized,
  now,
}: ClusterAssignmentInput): ClusterAssignment {
  if (!personalized) return { cluster: null, reason: 'no consent to personalization: no profile, no cluster' };
  if (!model) return { cluster: null, reason: 'no cluster model has been trained yet' };
  if (!sameFeatures(model.featureNames)) {
    return { cluster: null, reason: `cluster model v${model.version} was trained on other features; retrain it` };
  }
  const behaviour = behaviourOf(profile);
  if (!behaviour) {
    return {
      cluster: null,
      reason: 'the profile predates behaviour features; the next cluster training fills them in',
    };
  }
  if (behaviour.touchpoints === 0) {
    return { cluster: null, reason: 'no touchpoints in the bank’s own channels yet' };
  }
  const id = assignCluster(model, featuresOfBehaviour(behaviour, profile.productsHeld, now));
  return {
    cluster: { id, modelVersion: model.version },
    reason: `nearest of ${model.k} cluster centres of model v${model.version}`,
  };
}

function sameFeatures(names: readonly string[]): boolean {
  let same = featuresChecked.get(names);
  if (same === undefined) {
    same = names.length === FEATURE_NAMES.length && names.every((name, i) => name === FEATURE_NAMES[i]);
    featuresChecked.set(names, same);
  }
  return same;
}

/** Each model's feature names compared once, not on every decision (a model is only ever replaced, never changed). */
const featuresChecked = new WeakMap<readonly string[], boolean>();
