import { beforeAll, describe, expect, it } from 'vitest';
import {
  createRandom,
  type DemoBank,
  type DemoSegment,
  generateDemoBank,
  type Random,
} from '../../../src/demo/index.js';
import { productOfDemoPage } from '../../../src/demo/segments.js';
import {
  assignCluster,
  type ClusterModel,
  type TrainedClusters,
  trainClusters,
} from '../../../src/domain/clustering/clusters.js';
import { minimumCostAssignment } from '../../../src/domain/clustering/hungarian.js';
import { adjustedRandIndex } from '../../../src/domain/clustering/rand-index.js';
import { featuresOf } from '../../../src/domain/journeys/features.js';

const NOW = new Date('2026-11-22T12:00:00Z');

interface ClusteredBank {
  readonly bank: DemoBank;
  readonly vectors: number[][];
  readonly segments: DemoSegment[];
}

function demoBankFeatures(seed: number): ClusteredBank {
  const bank = generateDemoBank({ now: NOW, customers: 5_000, seed });
  const history = new Map<string, DemoBank['touchpoints']>();
  for (const touchpoint of bank.touchpoints) {
    const list = history.get(touchpoint.customerId) ?? [];
    list.push(touchpoint);
    history.set(touchpoint.customerId, list);
  }
  return {
    bank,
    vectors: bank.customers.map((customer) =>
      featuresOf(history.get(customer.id) ?? [], customer.productsHeld, NOW, productOfDemoPage),
    ),
    segments: bank.customers.map((customer) => customer.segment),
  };
}

/** The hidden segment most of each cluster's customers belong to. */
function segmentOfCluster(assignments: readonly string[], segments: readonly DemoSegment[]): Map<string, DemoSegment> {
  const counts = new Map<string, Map<DemoSegment, number>>();
  assignments.forEach((id, i) => {
    const segment = segments[i] as DemoSegment;
    const row = counts.get(id) ?? new Map<DemoSegment, number>();
    row.set(segment, (row.get(segment) ?? 0) + 1);
    counts.set(id, row);
  });
  return new Map(
    [...counts].map(([id, row]) => [id, [...row].sort((a, b) => b[1] - a[1])[0]?.[0] as DemoSegment] as const),
  );
}

/** Well-separated gaussian blobs: `centres` in d dimensions, `perBlob` points each, spread 1. */
function blobs(random: Random, centres: readonly (readonly number[])[], perBlob: number) {
  const points: number[][] = [];
  const truth: number[] = [];
  centres.forEach((centre, blob) => {
    for (let i = 0; i < perBlob; i++) {
      points.push(centre.map((value) => random.normal(value, 1)));
      truth.push(blob);
    }
  });
  return { points, truth, featureNames: (centres[0] as readonly number[]).map((_, j) => `x${j}`) };
}

const SQUARE = [
  [0, 0, 0],
  [12, 0, 0],
  [0, 12, 0],
  [0, 0, 12],
];

describe('behavioural clusters of the demo bank', () => {
  let demo: ClusteredBank;
  let trained: TrainedClusters;
  beforeAll(() => {
    demo = demoBankFeatures(20261122);
    trained = trainClusters(demo.vectors, { random: createRandom(1).next, now: NOW });
  });

  it('finds the hidden segments again, choosing their number by silhouette', () => {
    expect(trained.model.k).toBe(6);
    expect(adjustedRandIndex(demo.segments, trained.assignments)).toBeGreaterThanOrEqual(0.8);
    expect(new Set(segmentOfCluster(trained.assignments, demo.segments).values()).size).toBe(6);
    const best = Math.max(...trained.tried.map((t) => t.silhouette));
    expect(trained.model.silhouette).toBe(best);
    expect(trained.tried.map((t) => t.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('describes each cluster by its size and the features that set it apart', () => {
    const { model } = trained;
    expect(model.version).toBe(1);
    expect(model.createdAt).toBe(NOW.toISOString());
    expect(model.clusters.reduce((sum, cluster) => sum + cluster.size, 0)).toBe(5_000);
    expect(model.clusters.map((c) => c.size)).toEqual([...model.clusters.map((c) => c.size)].sort((a, b) => b - a));
    for (const cluster of model.clusters) {
      expect(cluster.share).toBeCloseTo(cluster.size / 5_000, 10);
      expect(cluster.distinguishing).toHaveLength(5);
      const sizes = cluster.distinguishing.map((f) => Math.abs(f.difference));
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    }
    // The car buyers' cluster stands out by car-loan interest, the dormant one by little recent activity.
    const segmentOf = segmentOfCluster(trained.assignments, demo.segments);
    const clusterOf = (segment: DemoSegment) => model.clusters.find((c) => segmentOf.get(c.id) === segment);
    expect(clusterOf('first-car-buyers')?.distinguishing.map((f) => f.feature)).toContain('focus.car_loan');
    expect(clusterOf('dormant')?.distinguishing).toContainEqual({
      feature: 'activity.touchpoints_90d',
      difference: expect.any(Number),
    });
    const dormantActivity = clusterOf('dormant')?.distinguishing.find((f) => f.feature === 'activity.touchpoints_90d');
    expect(dormantActivity?.difference).toBeLessThan(-1);
  });

  it('gives a customer at decision time the cluster training gave them', () => {
    demo.vectors.forEach((vector, i) => {
      expect(assignCluster(trained.model, vector)).toBe(trained.assignments[i]);
    });
  });

  it('trains the same model from the same seed', () => {
    const again = trainClusters(demo.vectors, { random: createRandom(1).next, now: NOW });
    expect(again.model).toEqual(trained.model);
    expect(again.assignments).toEqual(trained.assignments);
  });

  it('keeps every cluster at or above the minimum size, merging the rest', () => {
    const fixedK = trainClusters(demo.vectors, { random: createRandom(1).next, now: NOW, k: 10, minClusterSize: 800 });
    expect(fixedK.model.k).toBeLessThan(10);
    for (const cluster of fixedK.model.clusters) expect(cluster.size).toBeGreaterThanOrEqual(800);
    expect(fixedK.tried).toEqual([{ k: 10, clusters: fixedK.model.k, silhouette: fixedK.model.silhouette }]);
  });

  it('keeps cluster ids on the same segments when retrained on a bank drawn anew', () => {
    const next = demoBankFeatures(4242);
    const retrained = trainClusters(next.vectors, { random: createRandom(2).next, now: NOW, previous: trained.model });
    expect(retrained.model.version).toBe(2);
    expect(adjustedRandIndex(next.segments, retrained.assignments)).toBeGreaterThanOrEqual(0.8);
    expect(retrained.model.clusters.map((c) => c.id).sort()).toEqual(trained.model.clusters.map((c) => c.id).sort());
    expect(retrained.model.nextClusterNumber).toBe(trained.model.nextClusterNumber);
    const before = segmentOfCluster(trained.assignments, demo.segments);
    const after = segmentOfCluster(retrained.assignments, next.segments);
    for (const [id, segment] of after) expect(before.get(id), id).toBe(segment);
  });
});

describe('choosing the number of clusters', () => {
  it('picks 4 for four well-separated groups', () => {
    const { points, truth, featureNames } = blobs(createRandom(11), SQUARE, 300);
    const result = trainClusters(points, { random: createRandom(3).next, now: NOW, featureNames });
    expect(result.model.k).toBe(4);
    expect(adjustedRandIndex(truth, result.assignments)).toBe(1);
  });

  it('trains a large population with mini-batches and still finds the groups', () => {
    const { points, truth, featureNames } = blobs(createRandom(12), SQUARE, 6_000);
    const result = trainClusters(points, { random: createRandom(4).next, now: NOW, featureNames, kRange: [3, 5] });
    expect(result.model.k).toBe(4);
    expect(adjustedRandIndex(truth, result.assignments)).toBeGreaterThan(0.99);
  });

  it('does not give a handful of extreme customers a cluster of their own', () => {
    const { points, featureNames } = blobs(createRandom(13), SQUARE.slice(0, 3), 200);
    for (let i = 0; i < 5; i++) points.push([60 + i, 60, 60]);
    const result = trainClusters(points, { random: createRandom(5).next, now: NOW, featureNames, k: 4 });
    expect(result.tried).toEqual([{ k: 4, clusters: 3, silhouette: result.model.silhouette }]);
    expect(result.model.k).toBe(3);
    expect(Math.min(...result.model.clusters.map((c) => c.size))).toBeGreaterThanOrEqual(100);
  });

  it('makes one cluster when there are too few customers for two of the minimum size', () => {
    const { points, featureNames } = blobs(createRandom(14), SQUARE.slice(0, 2), 60);
    const result = trainClusters(points, { random: createRandom(6).next, now: NOW, featureNames });
    expect(result.model.k).toBe(1);
    expect(result.model.silhouette).toBe(0);
    expect(new Set(result.assignments)).toEqual(new Set(['cluster-1']));
  });
});

describe('cluster ids across retraining', () => {
  const featureNames = ['x0', 'x1', 'x2'];
  const train = (points: number[][], k: number, seed: number, previous?: ClusterModel, names = featureNames) =>
    trainClusters(points, {
      random: createRandom(seed).next,
      now: NOW,
      featureNames: names,
      k,
      ...(previous ? { previous } : {}),
    });
  const three = blobs(createRandom(21), SQUARE.slice(0, 3), 200);
  const first = train(three.points, 3, 7);

  it('keeps the ids of clusters that stayed and gives a new cluster an id never used', () => {
    const four = blobs(createRandom(22), SQUARE, 200);
    const second = train(four.points, 4, 8, first.model);
    const idOfBlob = (result: TrainedClusters, truth: readonly number[], blob: number) =>
      result.assignments[truth.indexOf(blob)];
    for (const blob of [0, 1, 2]) expect(idOfBlob(second, four.truth, blob)).toBe(idOfBlob(first, three.truth, blob));
    expect(idOfBlob(second, four.truth, 3)).toBe('cluster-4');
    expect(second.model.nextClusterNumber).toBe(5);

    // The fourth group goes away again: the other three keep their ids, and cluster-4 is not handed on.
    const third = train(three.points, 3, 9, second.model);
    expect(third.model.version).toBe(3);
    expect(third.model.clusters.map((c) => c.id).sort()).toEqual(first.model.clusters.map((c) => c.id).sort());
    expect(third.model.nextClusterNumber).toBe(5);
  });

  it('gives every cluster a fresh id when the features changed', () => {
    const renamed = train(three.points, 3, 7, first.model, ['a', 'b', 'c']);
    expect(renamed.model.clusters.map((c) => c.id).sort()).toEqual(['cluster-4', 'cluster-5', 'cluster-6']);
  });

  it('pairs old and new clusters by least total distance, not greedily', () => {
    // Greedy would pair row 0 with column 0 (cost 1) and leave row 1 with cost 100.
    expect(
      minimumCostAssignment([
        [1, 2],
        [2, 100],
      ]),
    ).toEqual([1, 0]);
    expect(minimumCostAssignment([[5, 1, 9]])).toEqual([1]);
    expect(minimumCostAssignment([[3], [1], [2]])).toEqual([-1, 0, -1]);
    expect(minimumCostAssignment([])).toEqual([]);
    expect(() => minimumCostAssignment([[1, 2], [3]])).toThrow(RangeError);
    expect(() => minimumCostAssignment([[Number.NaN]])).toThrow(RangeError);
  });
});

describe('bad input to training and assignment', () => {
  const featureNames = ['x0', 'x1'];
  const points = [
    [0, 0],
    [1, 1],
  ];
  const options = { random: createRandom(1).next, now: NOW, featureNames, minClusterSize: 1 };

  it('rejects an empty population, vectors of the wrong length and values that are not numbers', () => {
    expect(() => trainClusters([], options)).toThrow(/no customers/);
    expect(() => trainClusters([[0, 0], [1]], options)).toThrow(/vector 1 has 1 features/);
    expect(() => trainClusters([[0, Number.NaN]], options)).toThrow(/not finite/);
  });

  it('rejects a k or a minimum size that cannot be', () => {
    expect(() => trainClusters(points, { ...options, k: 0 })).toThrow(/k must be/);
    expect(() => trainClusters(points, { ...options, k: 3 })).toThrow(/k must be/);
    expect(() => trainClusters(points, { ...options, k: 1.5 })).toThrow(/k must be/);
    expect(() => trainClusters(points, { ...options, kRange: [3, 2] })).toThrow(/kRange/);
    expect(() => trainClusters(points, { ...options, minClusterSize: 0 })).toThrow(/minClusterSize/);
  });

  it('rejects a feature vector of the wrong length at decision time', () => {
    const { model } = trainClusters(points, { ...options, k: 2 });
    expect(() => assignCluster(model, [0])).toThrow(/expected 2 features/);
  });

  it('reads a feature that is not a number as the population’s mean at decision time', () => {
    const { model, assignments } = trainClusters(points, { ...options, k: 2 });
    expect(assignCluster(model, [Number.NaN, 1])).toBe(assignments[1]);
    expect(assignCluster(model, [Number.NaN, Number.NaN])).toMatch(/^cluster-\d+$/);
  });
});

describe('the adjusted Rand index', () => {
  it('matches a hand-computed example', () => {
    // Contingency [[2,1,0],[0,1,2]]: pairs together 2, expected 6·3/15 = 1.2, maximum (6+3)/2 = 4.5.
    expect(adjustedRandIndex([0, 0, 0, 1, 1, 1], ['a', 'a', 'b', 'b', 'c', 'c'])).toBeCloseTo(0.8 / 3.3, 12);
  });

  it('is 1 for the same grouping under other names, and symmetric', () => {
    expect(adjustedRandIndex([1, 1, 2, 2, 3], ['x', 'x', 'y', 'y', 'z'])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1], [0, 1, 1])).toBe(adjustedRandIndex([0, 1, 1], [0, 0, 1]));
    expect(adjustedRandIndex(['one', 'one'], [7, 7])).toBe(1);
  });

  it('is below 0 for a grouping that disagrees more than chance', () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
  });

  it('rejects labellings of different lengths', () => {
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(RangeError);
  });
});
