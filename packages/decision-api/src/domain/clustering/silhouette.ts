import { type Points, sampleIndices, squaredDistance } from './kmeans.js';

/**
 * The silhouette (Rousseeuw 1987) measured on a random sample of the points: exact silhouette costs n² distances,
 * too many for a bank, while a sample of a few thousand ranks the candidate k the same way.
 * The sample and its distances are computed once and reused for every k compared.
 */
export interface SilhouetteSample {
  readonly indices: Int32Array;
  /** Euclidean distances between sampled points, m × m. */
  readonly distances: Float64Array;
}

export function silhouetteSample(points: Points, size: number, random: () => number): SilhouetteSample {
  const { data, n, d } = points;
  const m = Math.min(n, Math.max(0, Math.floor(size)));
  const indices = sampleIndices(n, m, random);
  const distances = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      const distance = Math.sqrt(
        squaredDistance(data, (indices[a] as number) * d, data, (indices[b] as number) * d, d),
      );
      distances[a * m + b] = distance;
      distances[b * m + a] = distance;
    }
  }
  return { indices, distances };
}

/**
 * Mean silhouette of the sampled points under the labels of all points, from −1 (wrong clusters) through 0
 * (overlapping) to 1 (tight, well apart). A point alone in its cluster within the sample counts 0, as Rousseeuw set.
 */
export function silhouetteOf(sample: SilhouetteSample, labels: Int32Array, k: number): number {
  const { indices, distances } = sample;
  const m = indices.length;
  if (k < 2 || m < 2) return 0;
  const sampleLabels = Int32Array.from(indices, (i) => labels[i] as number);
  const counts = new Float64Array(k);
  for (const label of sampleLabels) counts[label] = (counts[label] as number) + 1;
  const sums = new Float64Array(k);
  let total = 0;
  for (let a = 0; a < m; a++) {
    sums.fill(0);
    for (let b = 0; b < m; b++) {
      const label = sampleLabels[b] as number;
      sums[label] = (sums[label] as number) + (distances[a * m + b] as number);
    }
    const own = sampleLabels[a] as number;
    const ownCount = (counts[own] as number) - 1;
    if (ownCount === 0) continue;
    const within = (sums[own] as number) / ownCount;
    let nearest = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      if (c === own || counts[c] === 0) continue;
      nearest = Math.min(nearest, (sums[c] as number) / (counts[c] as number));
    }
    if (nearest === Number.POSITIVE_INFINITY) continue;
    const spread = Math.max(within, nearest);
    total += spread > 0 ? (nearest - within) / spread : 0;
  }
  return total / m;
}
