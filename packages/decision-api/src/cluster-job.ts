import { compileCatalog } from './domain/catalog.js';
import { type ClusterModel, type TrainedClusters, trainClusters } from './domain/clusters.js';
import { featuresOf } from './domain/features.js';
import type { Store, Subject } from './store/store.js';

export interface ClusterJobOptions {
  /** Features are computed as at this moment. */
  readonly now: Date;
  readonly random: () => number;
  readonly k?: number;
  readonly minClusterSize?: number;
  readonly previous?: ClusterModel;
}

export interface ClusterJobResult extends TrainedClusters {
  /** The customer of each assignment, in the same order. */
  readonly subjects: Subject[];
}

/**
 * Trains the behavioural clusters on every customer in the store: their touchpoints and products held become feature
 * vectors (products on pages resolved by the latest catalog), and the domain trains on those.
 */
export async function trainClustersFromStore(store: Store, options: ClusterJobOptions): Promise<ClusterJobResult> {
  const catalog = await store.latestCatalog();
  const productOfPage = catalog ? compileCatalog(catalog).productOfPage : () => undefined;
  const subjects: Subject[] = [];
  const vectors: number[][] = [];
  for await (const { subject, touchpoints, productsHeld } of store.touchpointsBySubject()) {
    subjects.push(subject);
    vectors.push(featuresOf(touchpoints, productsHeld, options.now, productOfPage));
  }
  if (vectors.length === 0) throw new RangeError('[touchpoint] no customers with touchpoints to cluster; seed first');
  const trained = trainClusters(vectors, {
    random: options.random,
    now: options.now,
    ...(options.k !== undefined ? { k: options.k } : {}),
    ...(options.minClusterSize !== undefined ? { minClusterSize: options.minClusterSize } : {}),
    ...(options.previous ? { previous: options.previous } : {}),
  });
  return { ...trained, subjects };
}
