import { assignCluster, type ClusterModel } from './clusters.js';
import { adjustedRandIndex } from './rand-index.js';

/** How a retrained model differs from the one it replaces, on the same customers. */
export interface ClusterComparison {
  readonly previousVersion: number;
  /** Adjusted Rand index of the old and new model's assignment of the customers: 1 when they group them alike. */
  readonly adjustedRandIndex: number;
  readonly customersCompared: number;
  /** Customers whose cluster id is not the one the old model gives them. */
  readonly customersMoved: number;
  /** Cluster ids in both models, in the new model's order. */
  readonly kept: string[];
  /** Cluster ids only the new model has. */
  readonly added: string[];
  /** Cluster ids only the old model had. */
  readonly gone: string[];
}

/**
 * Compares a new model with the previous one: the old model assigns the customers the new one was trained on
 * (their vectors as of now), so both groupings are of the same customers at the same moment.
 */
export function compareClusterModels(
  previous: ClusterModel,
  current: ClusterModel,
  vectors: readonly (readonly number[])[],
  assignments: readonly string[],
): ClusterComparison {
  if (vectors.length !== assignments.length) {
    throw new RangeError(`[touchpoint] ${vectors.length} vectors but ${assignments.length} assignments`);
  }
  const before = vectors.map((vector) => assignCluster(previous, vector));
  const oldIds = new Set(previous.clusters.map((cluster) => cluster.id));
  const newIds = new Set(current.clusters.map((cluster) => cluster.id));
  return {
    previousVersion: previous.version,
    adjustedRandIndex: vectors.length > 0 ? adjustedRandIndex(before, assignments) : 1,
    customersCompared: vectors.length,
    customersMoved: before.filter((id, i) => id !== assignments[i]).length,
    kept: current.clusters.map((cluster) => cluster.id).filter((id) => oldIds.has(id)),
    added: current.clusters.map((cluster) => cluster.id).filter((id) => !oldIds.has(id)),
    gone: previous.clusters.map((cluster) => cluster.id).filter((id) => !newIds.has(id)),
  };
}
