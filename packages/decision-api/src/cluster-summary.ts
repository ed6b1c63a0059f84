import type { ClusterModel } from './domain/clusters.js';

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
