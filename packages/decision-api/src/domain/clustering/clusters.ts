import { FEATURE_NAMES, type Standardisation, scalingOf } from '../journeys/features.js';
import { matchClusterIds } from './cluster-ids.js';
import { type KMeansResult, kMeans, lloyd, type Points, samplePoints, squaredDistance } from './kmeans.js';
import { silhouetteOf, silhouetteSample } from './silhouette.js';

/**
 * Behavioural clusters: groups of customers who use the bank alike, found in their touchpoints rather than drawn up
 * as personas. Training is a pure function of the feature vectors and an injected random source; assigning a
 * customer at decision time reads only the model.
 */

export const DEFAULT_K_RANGE: readonly [number, number] = [2, 10];
/**
 * Below this many customers a cluster is merged away: a small segment gives unreliable samples and invites
 * contacting the same few customers too often.
 */
export const DEFAULT_MIN_CLUSTER_SIZE = 100;
export const DEFAULT_SILHOUETTE_SAMPLE = 2_000;
/**
 * Above this many customers, k is chosen on a random sample of K_SELECTION_SAMPLE of them and only the chosen k is
 * trained on everyone: the silhouette is measured on a sample anyway, and a sample of 50,000 ranks the candidate k
 * as the whole bank does, at a small part of the cost for a million customers.
 */
export const K_SELECTION_ABOVE = 200_000;
export const K_SELECTION_SAMPLE = 50_000;
/**
 * z-scores are capped at ±3 before distances are taken, so a handful of extreme customers (hundreds of visits,
 * one rare product) neither pull a centroid away nor win a cluster of their own. The cap is part of the model.
 */
export const Z_LIMIT = 3;
const DISTINGUISHING_FEATURES = 5;

export interface DistinguishingFeature {
  readonly feature: string;
  /** Standardised mean difference: the cluster's mean minus the population's, in population standard deviations. */
  readonly difference: number;
}

export interface Cluster {
  /** Stable across retraining while the cluster stays where it was; never reused for another cluster. */
  readonly id: string;
  /** The cluster's centre in the model's standardised, capped feature space. */
  readonly centroid: readonly number[];
  readonly size: number;
  /** Share of the customers trained on. */
  readonly share: number;
  /** The features that set the cluster apart most, largest difference first. */
  readonly distinguishing: readonly DistinguishingFeature[];
}

/** A trained cluster model: plain data, safe to store as JSON and to hold in memory for the decision hot path. */
export interface ClusterModel {
  /** 1 for the first model; each retraining adds one. */
  readonly version: number;
  readonly createdAt: string;
  readonly featureNames: readonly string[];
  readonly means: readonly number[];
  readonly stds: readonly number[];
  readonly zLimit: number;
  readonly k: number;
  /** Mean silhouette of the chosen clustering, on a sample of the customers. */
  readonly silhouette: number;
  readonly customers: number;
  /** Largest first. */
  readonly clusters: readonly Cluster[];
  /** The number the next new cluster's id gets. */
  readonly nextClusterNumber: number;
}

export interface TrainClustersOptions {
  /** The only source of randomness (k-means++ seeding, silhouette sample): a seeded one gives the same model. */
  readonly random: () => number;
  /** When the model is made; recorded, not used in the arithmetic. */
  readonly now: Date;
  /** A fixed number of clusters; without it k is chosen by silhouette over `kRange`. */
  readonly k?: number;
  readonly kRange?: readonly [number, number];
  readonly minClusterSize?: number;
  /** The model this one replaces: clusters that stay where they were keep their ids. */
  readonly previous?: ClusterModel;
  readonly featureNames?: readonly string[];
  readonly silhouetteSampleSize?: number;
  /** Independent k-means starts per k; the tightest wins. */
  readonly restarts?: number;
}

export interface TrainedClusters {
  readonly model: ClusterModel;
  /** Each input vector's cluster id, in input order; the same as `assignCluster` gives for the vector. */
  readonly assignments: string[];
  /** Every k tried, with the clusters left after small ones were merged and the silhouette measured. */
  readonly tried: ReadonlyArray<{ readonly k: number; readonly clusters: number; readonly silhouette: number }>;
}

export function trainClusters(vectors: readonly (readonly number[])[], options: TrainClustersOptions): TrainedClusters {
  const featureNames = options.featureNames ?? FEATURE_NAMES;
  const minClusterSize = options.minClusterSize ?? DEFAULT_MIN_CLUSTER_SIZE;
  const n = vectors.length;
  if (n === 0) throw new RangeError('[touchpoint] cannot train clusters on no customers');
  if (!Number.isInteger(minClusterSize) || minClusterSize < 1) {
    throw new RangeError(`[touchpoint] minClusterSize must be a whole number >= 1, got ${minClusterSize}`);
  }
  vectors.forEach((vector, i) => {
    if (vector.length !== featureNames.length) {
      throw new RangeError(`[touchpoint] vector ${i} has ${vector.length} features, expected ${featureNames.length}`);
    }
    if (!vector.every(Number.isFinite)) throw new RangeError(`[touchpoint] vector ${i} has a value that is not finite`);
  });

  const scaling = scalingOf(vectors);
  const { means, stds } = scaling;
  const points = standardisedPoints(vectors, scaling);
  const minimumSized = (on: Points, k: number) =>
    withMinimumSize(on, kMeans(on, k, { random: options.random, restarts: options.restarts ?? 3 }), minClusterSize);
  const silhouetteSize = options.silhouetteSampleSize ?? DEFAULT_SILHOUETTE_SAMPLE;
  const selectOn = n > K_SELECTION_ABOVE ? samplePoints(points, K_SELECTION_SAMPLE, options.random) : points;
  const sample = silhouetteSample(selectOn, silhouetteSize, options.random);
  const tried: Array<{ k: number; clusters: number; silhouette: number }> = [];
  let best: { k: number; clustering: KMeansResult; silhouette: number } | undefined;
  // A k that cannot give every cluster its minimum size in the sample is not tried on it either.
  for (const k of candidateKs(selectOn.n, minClusterSize, options)) {
    const clustering = minimumSized(selectOn, k);
    const silhouette = silhouetteOf(sample, clustering.labels, clustering.k);
    tried.push({ k, clusters: clustering.k, silhouette });
    // Ties go to the smaller k: fewer clusters are easier to address.
    if (!best || silhouette > best.silhouette + 1e-12) best = { k, clustering, silhouette };
  }
  let { clustering, silhouette } = best as { clustering: KMeansResult; silhouette: number };
  if (selectOn !== points) {
    // The chosen k, trained on everyone; its silhouette measured on a sample of everyone.
    clustering = minimumSized(points, (best as { k: number }).k);
    silhouette = silhouetteOf(
      silhouetteSample(points, silhouetteSize, options.random),
      clustering.labels,
      clustering.k,
    );
  }
  const { clusters, assignments, nextClusterNumber } = describeClusters(
    points,
    vectors,
    clustering,
    featureNames,
    scaling,
    options.previous,
  );
  return {
    model: {
      version: (options.previous?.version ?? 0) + 1,
      createdAt: options.now.toISOString(),
      featureNames: [...featureNames],
      means,
      stds,
      zLimit: Z_LIMIT,
      k: clusters.length,
      silhouette,
      customers: n,
      clusters,
      nextClusterNumber,
    },
    assignments,
    tried,
  };
}

/**
 * The cluster of one customer's feature vector (in the model's feature order): the nearest centroid. A value that is
 * not a number counts as the population's mean, so one broken feature cannot throw on the decision path.
 */
export function assignCluster(model: ClusterModel, features: readonly number[]): string {
  const d = model.featureNames.length;
  if (features.length !== d) throw new RangeError(`[touchpoint] expected ${d} features, got ${features.length}`);
  const z = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const value = ((features[j] as number) - (model.means[j] as number)) / (model.stds[j] as number);
    z[j] = Math.max(-model.zLimit, Math.min(model.zLimit, Number.isFinite(value) ? value : 0));
  }
  let bestId = (model.clusters[0] as Cluster).id;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const cluster of model.clusters) {
    // Summed here rather than by squaredDistance: training calls that with typed arrays, and the mix of array kinds
    // made this per-decision loop several times slower. The same sum, in the same order.
    const centroid = cluster.centroid;
    let distance = 0;
    for (let j = 0; j < d; j++) {
      const diff = (z[j] as number) - (centroid[j] as number);
      distance += diff * diff;
    }
    if (distance < bestDistance) {
      bestDistance = distance;
      bestId = cluster.id;
    }
  }
  return bestId;
}

/** The vectors standardised and capped at ±Z_LIMIT, row by row in one flat array: no array per customer. */
function standardisedPoints(vectors: readonly (readonly number[])[], { means, stds }: Standardisation): Points {
  const n = vectors.length;
  const d = means.length;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = vectors[i] as readonly number[];
    for (let j = 0; j < d; j++) {
      const z = ((row[j] as number) - (means[j] as number)) / (stds[j] as number);
      data[i * d + j] = Math.max(-Z_LIMIT, Math.min(Z_LIMIT, z));
    }
  }
  return { data, n, d };
}

function candidateKs(n: number, minClusterSize: number, options: TrainClustersOptions): number[] {
  if (options.k !== undefined) {
    if (!Number.isInteger(options.k) || options.k < 1 || options.k > n) {
      throw new RangeError(`[touchpoint] k must be a whole number from 1 to ${n} (the customers), got ${options.k}`);
    }
    return [options.k];
  }
  const [low, high] = options.kRange ?? DEFAULT_K_RANGE;
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < 1 || high < low) {
    throw new RangeError(`[touchpoint] kRange must be two whole numbers 1 <= low <= high, got [${low}, ${high}]`);
  }
  // A k that cannot give every cluster its minimum size is not worth trying.
  const most = Math.min(high, n, Math.floor(n / minClusterSize));
  const ks: number[] = [];
  for (let k = low; k <= most; k++) ks.push(k);
  return ks.length > 0 ? ks : [1];
}

/**
 * Merges every cluster smaller than the minimum into the cluster with the nearest centroid (the merged centroid is
 * the size-weighted mean of the two), then lets Lloyd's iterations reassign all customers; repeats until every
 * cluster is big enough or one is left.
 */
function withMinimumSize(points: Points, clustering: KMeansResult, minClusterSize: number): KMeansResult {
  let current = clustering;
  while (current.k > 1) {
    const { k, centroids, labels } = current;
    const d = points.d;
    const sizes = sizesOf(labels, k);
    let smallest = 0;
    for (let c = 1; c < k; c++) if ((sizes[c] as number) < (sizes[smallest] as number)) smallest = c;
    if ((sizes[smallest] as number) >= minClusterSize) break;
    let nearest = -1;
    let nearestDistance = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      if (c === smallest) continue;
      const distance = squaredDistance(centroids, smallest * d, centroids, c * d, d);
      if (distance < nearestDistance) {
        nearestDistance = distance;
        nearest = c;
      }
    }
    const total = Math.max(1, (sizes[smallest] as number) + (sizes[nearest] as number));
    const merged = new Float64Array((k - 1) * d);
    let row = 0;
    for (let c = 0; c < k; c++) {
      if (c === smallest) continue;
      for (let j = 0; j < d; j++) {
        merged[row * d + j] =
          c === nearest
            ? ((sizes[smallest] as number) * (centroids[smallest * d + j] as number) +
                (sizes[nearest] as number) * (centroids[nearest * d + j] as number)) /
              total
            : (centroids[c * d + j] as number);
      }
      row++;
    }
    current = lloyd(points, merged, k - 1, 100);
  }
  return current;
}

function sizesOf(labels: Int32Array, k: number): Float64Array {
  const sizes = new Float64Array(k);
  for (const label of labels) sizes[label] = (sizes[label] as number) + 1;
  return sizes;
}

/** Profiles the clusters (largest first) and names them, keeping the previous model's ids where they still fit. */
function describeClusters(
  points: Points,
  vectors: readonly (readonly number[])[],
  { k, centroids, labels }: KMeansResult,
  featureNames: readonly string[],
  scaling: Standardisation,
  previous: ClusterModel | undefined,
): { clusters: Cluster[]; assignments: string[]; nextClusterNumber: number } {
  const { n, d } = points;
  const { means, stds } = scaling;
  const sizes = sizesOf(labels, k);
  const meanZ = Array.from({ length: k }, () => new Array<number>(d).fill(0));
  const spread = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i] as number;
    const row = vectors[i] as readonly number[];
    const sums = meanZ[c] as number[];
    // The uncapped z-score: a cluster's distinguishing features are told in the population's own units.
    for (let j = 0; j < d; j++) {
      const z = ((row[j] as number) - (means[j] as number)) / (stds[j] as number);
      sums[j] = (sums[j] as number) + z / (sizes[c] as number);
    }
    spread[c] = (spread[c] as number) + squaredDistance(points.data, i * d, centroids, c * d, d);
  }
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => (sizes[b] as number) - (sizes[a] as number));
  const ordered = order.map((c) => ({
    centroid: Array.from(centroids.subarray(c * d, c * d + d)),
    size: sizes[c] as number,
    share: (sizes[c] as number) / n,
    distinguishing: (meanZ[c] as number[])
      .map((difference, j) => ({ feature: featureNames[j] as string, difference }))
      .sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference))
      .slice(0, DISTINGUISHING_FEATURES),
    // Root-mean-square distance of the members to the centre: how far a centre may drift and still be this cluster.
    radius: Math.sqrt((spread[c] as number) / Math.max(1, sizes[c] as number)),
  }));
  const { ids, nextClusterNumber } = matchClusterIds(previous, {
    featureNames,
    ...scaling,
    clusters: ordered,
  });
  const clusters: Cluster[] = ordered.map(({ radius: _, ...cluster }, i) => ({ id: ids[i] as string, ...cluster }));
  const idOfLabel = new Map(order.map((c, i) => [c, ids[i] as string]));
  // Labels come from the centroids as stored, so assignCluster gives every trained customer the same id.
  const assignments = Array.from(labels, (label) => idOfLabel.get(label) as string);
  return { clusters, assignments, nextClusterNumber };
}
