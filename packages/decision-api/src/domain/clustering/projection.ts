/**
 * A 2-D picture of a cluster model for staff: principal component analysis of the cluster centres, each weighted by
 * its size, in the model's standardised feature space. Pure and deterministic: the same centres give the same picture
 * (power iteration from a fixed start, signs fixed by the largest loading), so a reload never flips the plot.
 */

export interface WeightedPoint {
  readonly id: string;
  /** Coordinates in the standardised feature space. */
  readonly vector: readonly number[];
  /** How much the point counts: a cluster's size. */
  readonly weight: number;
}

export interface ProjectionAxis {
  /** Share of the weighted spread of the centres this axis shows, 0–1. */
  readonly explained: number;
  /** The features that move along this axis most, largest |weight| first. */
  readonly loadings: ReadonlyArray<{ readonly feature: string; readonly weight: number }>;
}

export interface Projection {
  readonly axes: readonly [ProjectionAxis, ProjectionAxis];
  readonly points: ReadonlyArray<{ readonly id: string; readonly x: number; readonly y: number }>;
}

const ITERATIONS = 500;
const TOLERANCE = 1e-12;
const LOADINGS_SHOWN = 3;

/**
 * Projects the points on their first two principal components (weighted mean removed). With fewer than three points
 * the second axis may carry nothing: its coordinates are then 0 and its explained share 0.
 */
export function projectPoints(points: readonly WeightedPoint[], featureNames: readonly string[]): Projection {
  const d = featureNames.length;
  for (const point of points) {
    if (point.vector.length !== d) {
      throw new RangeError(`[touchpoint] point ${point.id} has ${point.vector.length} values, expected ${d}`);
    }
    if (!point.vector.every(Number.isFinite) || !(point.weight >= 0)) {
      throw new RangeError(`[touchpoint] point ${point.id} has a value or weight that is not a finite number >= 0`);
    }
  }
  const total = points.reduce((sum, p) => sum + p.weight, 0);
  const mean = new Array<number>(d).fill(0);
  if (total > 0) {
    for (const p of points)
      for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (p.weight * (p.vector[j] as number)) / total;
  }
  const centred = points.map((p) => p.vector.map((v, j) => v - (mean[j] as number)));
  // Weighted covariance (weights as shares, so its trace is the total weighted spread).
  const covariance = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  if (total > 0) {
    points.forEach((p, i) => {
      const row = centred[i] as number[];
      const w = p.weight / total;
      for (let a = 0; a < d; a++) {
        const va = row[a] as number;
        if (va === 0) continue;
        const target = covariance[a] as number[];
        for (let b = 0; b < d; b++) target[b] = (target[b] as number) + w * va * (row[b] as number);
      }
    });
  }
  const spread = covariance.reduce((sum, row, j) => sum + (row[j] as number), 0);
  const first = leadingEigenvector(covariance);
  deflate(covariance, first);
  const second = leadingEigenvector(covariance);
  const axes = [first, second].map(({ vector, value }) => ({
    explained: spread > 0 ? Math.max(0, value) / spread : 0,
    loadings: vector
      .map((weight, j) => ({ feature: featureNames[j] as string, weight }))
      .filter((loading) => loading.weight !== 0)
      .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
      .slice(0, LOADINGS_SHOWN),
  })) as unknown as [ProjectionAxis, ProjectionAxis];
  return {
    axes,
    points: points.map((p, i) => {
      const row = centred[i] as number[];
      return { id: p.id, x: dot(row, first.vector), y: dot(row, second.vector) };
    }),
  };
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += (a[j] as number) * (b[j] as number);
  return sum;
}

/**
 * The largest eigenvalue of a symmetric positive semi-definite matrix and its unit eigenvector, by power iteration
 * from a fixed start. A zero matrix gives the zero vector and 0. The sign is fixed so the largest entry is positive.
 */
function leadingEigenvector(matrix: readonly (readonly number[])[]): { vector: number[]; value: number } {
  const d = matrix.length;
  if (d === 0) return { vector: [], value: 0 };
  // A start with a part along every direction: 1, 1/2, 1/3… is never orthogonal to an eigenvector by accident of
  // symmetry the way a constant vector can be.
  let vector = Array.from({ length: d }, (_, j) => 1 / (j + 1));
  let value = 0;
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const next = matrix.map((row) => dot(row, vector));
    const norm = Math.sqrt(dot(next, next));
    if (norm < TOLERANCE) return { vector: new Array<number>(d).fill(0), value: 0 };
    const unit = next.map((v) => v / norm);
    const change = unit.reduce((sum, v, j) => sum + Math.abs(v - (vector[j] as number)), 0);
    vector = unit;
    value = norm;
    if (change < 1e-10) break;
  }
  // The Rayleigh quotient is the eigenvalue even when iteration stopped a little short.
  value = dot(
    matrix.map((row) => dot(row, vector)),
    vector,
  );
  let largest = 0;
  for (let j = 1; j < d; j++) if (Math.abs(vector[j] as number) > Math.abs(vector[largest] as number)) largest = j;
  if ((vector[largest] as number) < 0) vector = vector.map((v) => -v);
  return { vector, value };
}

/** Removes an eigenvector's part from the matrix, so the next power iteration finds the next one. */
function deflate(matrix: number[][], { vector, value }: { vector: number[]; value: number }): void {
  for (let a = 0; a < matrix.length; a++) {
    const row = matrix[a] as number[];
    for (let b = 0; b < row.length; b++)
      row[b] = (row[b] as number) - value * (vector[a] as number) * (vector[b] as number);
  }
}
