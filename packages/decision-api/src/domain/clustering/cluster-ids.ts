import type { ClusterModel } from './clusters.js';
import { minimumCostAssignment } from './hungarian.js';

/**
 * Cluster ids that survive retraining: offers, experiments and reports target a cluster by id, so a cluster that is
 * still where it was keeps its id, and a cluster that is new gets an id never used before.
 */
export interface NewClusters {
  readonly featureNames: readonly string[];
  readonly means: readonly number[];
  readonly stds: readonly number[];
  /** Centroids in the new model's standardised space, with the RMS distance of each cluster's members. */
  readonly clusters: ReadonlyArray<{ readonly centroid: readonly number[]; readonly radius: number }>;
}

/**
 * Pairs the new centroids with the previous model's by the Hungarian algorithm on their distances in the new
 * model's feature space (the previous centroids are brought back to raw features and standardised anew). A pair
 * counts only when the old centre lies within the new cluster's radius: otherwise the cluster moved, and is new.
 */
export function matchClusterIds(
  previous: ClusterModel | undefined,
  current: NewClusters,
): { ids: string[]; nextClusterNumber: number } {
  let nextClusterNumber = previous?.nextClusterNumber ?? 1;
  const ids: Array<string | undefined> = current.clusters.map(() => undefined);
  if (previous && sameFeatures(previous.featureNames, current.featureNames) && previous.clusters.length > 0) {
    const oldCentres = previous.clusters.map((cluster) =>
      cluster.centroid.map((value, j) => {
        const raw = value * (previous.stds[j] as number) + (previous.means[j] as number);
        return (raw - (current.means[j] as number)) / (current.stds[j] as number);
      }),
    );
    const distances = current.clusters.map(({ centroid }) => oldCentres.map((old) => euclidean(centroid, old)));
    minimumCostAssignment(distances).forEach((oldIndex, i) => {
      const distance = (distances[i] as number[])[oldIndex];
      if (oldIndex >= 0 && distance !== undefined && distance <= (current.clusters[i]?.radius ?? 0)) {
        ids[i] = previous.clusters[oldIndex]?.id;
      }
    });
  }
  return {
    ids: ids.map((id) => id ?? `cluster-${nextClusterNumber++}`),
    nextClusterNumber,
  };
}

function sameFeatures(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

function euclidean(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += ((a[j] as number) - (b[j] as number)) ** 2;
  return Math.sqrt(sum);
}
