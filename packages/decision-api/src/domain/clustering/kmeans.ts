/**
 * k-means on points stored row by row in one flat array (n × d), the shape that keeps a 100,000-customer
 * population in a few megabytes. Randomness comes only from the `random` passed in, so a seeded generator gives
 * the same clustering every time.
 */
export interface Points {
  readonly data: Float64Array;
  readonly n: number;
  readonly d: number;
}

export interface KMeansResult {
  readonly k: number;
  /** k × d, row by row. */
  readonly centroids: Float64Array;
  /** The cluster of each point, 0 … k − 1. */
  readonly labels: Int32Array;
  /** Sum of squared distances of the points to their centroid: lower is tighter. */
  readonly inertia: number;
}

export interface KMeansOptions {
  readonly random: () => number;
  /** Independent starts; the tightest clustering wins (k-means finds local optima). */
  readonly restarts?: number;
  readonly maxIterations?: number;
  /** Above this many points, mini-batch updates replace full Lloyd iterations. */
  readonly miniBatchAbove?: number;
  readonly batchSize?: number;
}

export const MINI_BATCH_ABOVE = 20_000;
/** At most this many mini-batch steps (about a million points seen with the default batch of 1,024). */
export const MAX_MINI_BATCH_STEPS = 1_000;

export function kMeans(points: Points, k: number, options: KMeansOptions): KMeansResult {
  const { n } = points;
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new RangeError(`[touchpoint] k must be a whole number from 1 to the number of points (${n}), got ${k}`);
  }
  const restarts = options.restarts ?? 3;
  if (n > (options.miniBatchAbove ?? MINI_BATCH_ABOVE)) return miniBatchKMeans(points, k, restarts, options);
  let best: KMeansResult | undefined;
  for (let run = 0; run < restarts; run++) {
    const seeds = kMeansPlusPlus(points, k, options.random);
    const result = lloyd(points, seeds, k, options.maxIterations ?? 100);
    if (!best || result.inertia < best.inertia) best = result;
  }
  return best as KMeansResult;
}

/** Seeds of a large population are drawn from this many mini-batches' worth of points (scikit-learn's init_size). */
export const INIT_SAMPLE_BATCHES = 3;

/**
 * Mini-batch k-means with its starts chosen as scikit-learn's MiniBatchKMeans does: k-means++ runs on a random sample
 * of a few batches (on all points it costs n × k distances per centre, and dominated training time on a million
 * customers), each start is judged by its inertia on that sample, and only the best is refined with mini-batches.
 */
function miniBatchKMeans(points: Points, k: number, restarts: number, options: KMeansOptions): KMeansResult {
  const batchSize = Math.min(points.n, options.batchSize ?? 1_024);
  const initSample = samplePoints(points, Math.max(INIT_SAMPLE_BATCHES * batchSize, 10 * k), options.random);
  let bestSeeds: Float64Array | undefined;
  let bestInertia = Number.POSITIVE_INFINITY;
  for (let run = 0; run < Math.max(1, restarts); run++) {
    const seeds = kMeansPlusPlus(initSample, k, options.random);
    let inertia = 0;
    for (let i = 0; i < initSample.n; i++) {
      const c = nearestOf(initSample.data, i * initSample.d, seeds, k, initSample.d);
      inertia += squaredDistance(initSample.data, i * initSample.d, seeds, c * initSample.d, initSample.d);
    }
    if (!bestSeeds || inertia < bestInertia) {
      bestSeeds = seeds;
      bestInertia = inertia;
    }
  }
  return miniBatch(points, bestSeeds as Float64Array, k, options);
}

/** `size` distinct points drawn at random (all of them when there are no more), as their own Points. */
export function samplePoints(points: Points, size: number, random: () => number): Points {
  const { data, n, d } = points;
  const m = Math.min(n, Math.max(0, Math.floor(size)));
  if (m === n) return points;
  const indices = sampleIndices(n, m, random);
  const sample = new Float64Array(m * d);
  for (let s = 0; s < m; s++) {
    const i = indices[s] as number;
    sample.set(data.subarray(i * d, i * d + d), s * d);
  }
  return { data: sample, n: m, d };
}

/** The first m of a random permutation of 0 … n − 1 (a partial Fisher–Yates shuffle), in ascending order. */
export function sampleIndices(n: number, m: number, random: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + Math.min(n - i - 1, Math.floor(random() * (n - i)));
    const swap = order[i] as number;
    order[i] = order[j] as number;
    order[j] = swap;
  }
  return order.slice(0, m).sort();
}

/**
 * k-means++ seeding (Arthur & Vassilvitskii 2007), greedy as in scikit-learn: each new centre is the best of a few
 * candidates drawn with probability proportional to the squared distance to the nearest centre so far.
 */
export function kMeansPlusPlus(points: Points, k: number, random: () => number): Float64Array {
  const { data, n, d } = points;
  const centroids = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = Math.min(n - 1, Math.floor(random() * n));
  centroids.set(data.subarray(first * d, first * d + d), 0);
  const nearest = new Float64Array(n);
  for (let i = 0; i < n; i++) nearest[i] = squaredDistance(data, i * d, centroids, 0, d);

  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += nearest[i] as number;
    let bestCandidate = -1;
    let bestPotential = Number.POSITIVE_INFINITY;
    for (let t = 0; t < trials; t++) {
      const candidate = total > 0 ? drawProportional(nearest, total, random()) : Math.floor(random() * n);
      let potential = 0;
      for (let i = 0; i < n; i++) {
        potential += Math.min(nearest[i] as number, squaredDistance(data, i * d, data, candidate * d, d));
      }
      if (potential < bestPotential) {
        bestPotential = potential;
        bestCandidate = candidate;
      }
    }
    centroids.set(data.subarray(bestCandidate * d, bestCandidate * d + d), c * d);
    for (let i = 0; i < n; i++) {
      const distance = squaredDistance(data, i * d, centroids, c * d, d);
      if (distance < (nearest[i] as number)) nearest[i] = distance;
    }
  }
  return centroids;
}

/** Lloyd's iterations: assign every point to its nearest centroid, move each centroid to its points' mean, repeat. */
export function lloyd(points: Points, seeds: Float64Array, k: number, maxIterations: number): KMeansResult {
  const centroids = Float64Array.from(seeds);
  const labels = new Int32Array(points.n).fill(-1);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const changed = assignInto(points, centroids, k, labels);
    if (changed === 0 && iteration > 0) break;
    recomputeCentroids(points, labels, k, centroids);
  }
  assignInto(points, centroids, k, labels);
  return { k, centroids, labels, inertia: inertiaOf(points, centroids, labels) };
}

/**
 * Mini-batch k-means (Sculley 2010) for large populations: each step moves the centroids towards a small random
 * batch with a per-centroid learning rate of 1 / (points it has seen), then one full pass assigns every point.
 */
function miniBatch(points: Points, seeds: Float64Array, k: number, options: KMeansOptions): KMeansResult {
  const { data, n, d } = points;
  const { random } = options;
  const batchSize = Math.min(n, options.batchSize ?? 1_024);
  // Three passes' worth of batches, but no more than MAX_MINI_BATCH_STEPS: on a million customers the centroids have
  // long settled by then, and the full passes below finish the job.
  const steps = Math.max(50, Math.min(MAX_MINI_BATCH_STEPS, Math.ceil((3 * n) / batchSize)));
  const centroids = Float64Array.from(seeds);
  const seen = new Float64Array(k);
  const batch = new Int32Array(batchSize);
  const batchLabels = new Int32Array(batchSize);
  for (let step = 0; step < steps; step++) {
    for (let b = 0; b < batchSize; b++) {
      const i = Math.min(n - 1, Math.floor(random() * n));
      batch[b] = i;
      batchLabels[b] = nearestOf(data, i * d, centroids, k, d);
    }
    for (let b = 0; b < batchSize; b++) {
      const i = batch[b] as number;
      const c = batchLabels[b] as number;
      seen[c] = (seen[c] as number) + 1;
      const rate = 1 / (seen[c] as number);
      for (let j = 0; j < d; j++) {
        const at = c * d + j;
        centroids[at] = (centroids[at] as number) + rate * ((data[i * d + j] as number) - (centroids[at] as number));
      }
    }
  }
  const labels = new Int32Array(n);
  assignInto(points, centroids, k, labels);
  recomputeCentroids(points, labels, k, centroids);
  assignInto(points, centroids, k, labels);
  return { k, centroids, labels, inertia: inertiaOf(points, centroids, labels) };
}

/** Assigns each point to its nearest centroid; returns how many points changed cluster. */
export function assignInto(points: Points, centroids: Float64Array, k: number, labels: Int32Array): number {
  const { data, n, d } = points;
  let changed = 0;
  for (let i = 0; i < n; i++) {
    // The hot loop of k-means, written out over typed arrays only so the engine keeps it monomorphic.
    const offset = i * d;
    let label = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const centre = c * d;
      let distance = 0;
      for (let j = 0; j < d && distance < bestDistance; j++) {
        const diff = (data[offset + j] as number) - (centroids[centre + j] as number);
        distance += diff * diff;
      }
      if (distance < bestDistance) {
        bestDistance = distance;
        label = c;
      }
    }
    if (label !== labels[i]) {
      labels[i] = label;
      changed++;
    }
  }
  return changed;
}

/**
 * Moves each centroid to the mean of its points. A centroid left without points takes the point farthest from its
 * own centroid, so k clusters stay k (deterministically, without drawing).
 */
export function recomputeCentroids(points: Points, labels: Int32Array, k: number, centroids: Float64Array): void {
  const { data, n, d } = points;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i] as number;
    counts[c] = (counts[c] as number) + 1;
    for (let j = 0; j < d; j++) sums[c * d + j] = (sums[c * d + j] as number) + (data[i * d + j] as number);
  }
  for (let c = 0; c < k; c++) {
    const count = counts[c] as number;
    if (count > 0) {
      for (let j = 0; j < d; j++) centroids[c * d + j] = (sums[c * d + j] as number) / count;
      continue;
    }
    let farthest = 0;
    let farthestDistance = -1;
    for (let i = 0; i < n; i++) {
      const distance = squaredDistance(data, i * d, centroids, (labels[i] as number) * d, d);
      if (distance > farthestDistance) {
        farthestDistance = distance;
        farthest = i;
      }
    }
    centroids.set(data.subarray(farthest * d, farthest * d + d), c * d);
    labels[farthest] = c;
  }
}

export function inertiaOf(points: Points, centroids: Float64Array, labels: Int32Array): number {
  const { data, n, d } = points;
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistance(data, i * d, centroids, (labels[i] as number) * d, d);
  return inertia;
}

/** The index of the centroid nearest to the vector at `offset` in `data`. */
export function nearestOf(
  data: ArrayLike<number>,
  offset: number,
  centroids: ArrayLike<number>,
  k: number,
  d: number,
): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    const centre = c * d;
    let distance = 0;
    // A partial sum already past the best cannot win: squares only add (the same answer as the full distance).
    for (let j = 0; j < d && distance < bestDistance; j++) {
      const diff = (data[offset + j] as number) - (centroids[centre + j] as number);
      distance += diff * diff;
    }
    if (distance < bestDistance) {
      bestDistance = distance;
      best = c;
    }
  }
  return best;
}

export function squaredDistance(
  a: ArrayLike<number>,
  aOffset: number,
  b: ArrayLike<number>,
  bOffset: number,
  d: number,
): number {
  let sum = 0;
  for (let j = 0; j < d; j++) {
    const diff = (a[aOffset + j] as number) - (b[bOffset + j] as number);
    sum += diff * diff;
  }
  return sum;
}

function drawProportional(weights: Float64Array, total: number, u: number): number {
  let target = u * total;
  for (let i = 0; i < weights.length; i++) {
    target -= weights[i] as number;
    if (target < 0) return i;
  }
  for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] as number) > 0) return i;
  return 0;
}
