import type { ClusterComparison } from '../domain/clustering/cluster-comparison.js';
import type { ClusterModel } from '../domain/clustering/clusters.js';

/** A cluster model as text for staff at a terminal: how many clusters, how apart, how big, and what sets each apart. */
export function summariseClusterModel(
  model: ClusterModel,
  tried: ReadonlyArray<{ readonly k: number; readonly clusters: number; readonly silhouette: number }> = [],
): string {
  const lines = [
    `cluster model v${model.version} (${model.createdAt}): ${model.customers} customers, k = ${model.k}, silhouette ${model.silhouette.toFixed(3)}`,
  ];
  if (tried.length > 1) {
    const scores = tried.map(({ k, clusters, silhouette }) =>
      clusters === k ? `${k}: ${silhouette.toFixed(3)}` : `${k} (${clusters} after merging): ${silhouette.toFixed(3)}`,
    );
    lines.push(`silhouette by k: ${scores.join(', ')}`);
  }
  for (const cluster of model.clusters) {
    lines.push(`${cluster.id}  ${cluster.size} customers (${(cluster.share * 100).toFixed(1)} %)`);
    for (const { feature, difference } of cluster.distinguishing) {
      lines.push(`    ${difference >= 0 ? '+' : '-'}${Math.abs(difference).toFixed(2)} sd  ${feature}`);
    }
  }
  return lines.join('\n');
}

/** How a retrained model differs from the one it replaced, in one line. */
export function summariseComparison(comparison: ClusterComparison): string {
  const list = (ids: readonly string[]) => (ids.length > 0 ? ids.join(', ') : 'none');
  return [
    `against v${comparison.previousVersion}: adjusted Rand index ${comparison.adjustedRandIndex.toFixed(3)}`,
    `${comparison.customersMoved} of ${comparison.customersCompared} customers moved`,
    `kept ${list(comparison.kept)}; new ${list(comparison.added)}; gone ${list(comparison.gone)}`,
  ].join('; ');
}
