import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/demo/index.js';
import { compareClusterModels } from '../../../src/domain/clustering/cluster-comparison.js';
import { trainClusters } from '../../../src/domain/clustering/clusters.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const featureNames = ['x', 'y', 'z'];

function blobs(seed: number, centres: readonly (readonly number[])[], perBlob: number): number[][] {
  const random = createRandom(seed);
  return centres.flatMap((centre) =>
    Array.from({ length: perBlob }, () => centre.map((value) => random.normal(value, 1))),
  );
}

const THREE = [
  [0, 0, 0],
  [12, 0, 0],
  [0, 12, 0],
];

describe('comparing a retrained cluster model with the one it replaces', () => {
  const train = (vectors: number[][], previous?: Parameters<typeof trainClusters>[1]['previous']) =>
    trainClusters(vectors, {
      random: createRandom(5).next,
      now: NOW,
      featureNames,
      minClusterSize: 20,
      ...(previous ? { previous } : {}),
    });

  it('finds nothing moved when the customers group as before', () => {
    const vectors = blobs(1, THREE, 100);
    const first = train(vectors);
    const second = train(vectors, first.model);
    const comparison = compareClusterModels(first.model, second.model, vectors, second.assignments);
    expect(comparison).toMatchObject({
      previousVersion: 1,
      adjustedRandIndex: 1,
      customersMoved: 0,
      added: [],
      gone: [],
    });
    expect(comparison.kept.sort()).toEqual(first.model.clusters.map((cluster) => cluster.id).sort());
  });

  it('names a new group of customers as a new cluster and counts the customers who moved into it', () => {
    const first = train(blobs(1, THREE, 100));
    const grown = blobs(2, [...THREE, [0, 0, 12]], 100);
    const second = train(grown, first.model);
    const comparison = compareClusterModels(first.model, second.model, grown, second.assignments);
    expect(second.model.k).toBe(4);
    expect(comparison.kept).toHaveLength(3);
    expect(comparison.added).toEqual(['cluster-4']);
    expect(comparison.gone).toEqual([]);
    expect(comparison.customersMoved).toBe(100);
    expect(comparison.adjustedRandIndex).toBeLessThan(0.9);
    expect(comparison.customersCompared).toBe(400);
  });

  it('names a cluster whose customers are gone', () => {
    const first = train(blobs(1, [...THREE, [0, 0, 12]], 100));
    const shrunk = blobs(3, THREE, 100);
    const second = train(shrunk, first.model);
    const comparison = compareClusterModels(first.model, second.model, shrunk, second.assignments);
    expect(comparison.gone).toHaveLength(1);
    expect(comparison.kept).toHaveLength(3);
    expect(comparison.added).toEqual([]);
  });

  it('refuses vectors and assignments of different customers', () => {
    const vectors = blobs(1, THREE, 30);
    const { model, assignments } = train(vectors);
    expect(() => compareClusterModels(model, model, vectors, assignments.slice(1))).toThrow(RangeError);
  });
});
