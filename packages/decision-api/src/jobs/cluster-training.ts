import { createRandom } from '../demo/random.js';
import { type ClusterComparison, compareClusterModels } from '../domain/clustering/cluster-comparison.js';
import { type ClusterModel, type TrainedClusters, trainClusters } from '../domain/clustering/clusters.js';
import { compileCatalog } from '../domain/decision/catalog.js';
import { addToBehaviour, EMPTY_BEHAVIOUR } from '../domain/journeys/behaviour.js';
import { featuresOf } from '../domain/journeys/features.js';
import type { BehaviourBackfill, StoredClusterModel } from '../store/clusters.js';
import type { Store, Subject } from '../store/store.js';

/** Training draws from a fixed seed, so the same store gives the same clusters. */
export const CLUSTER_SEED = 1;

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
  /** Each customer's feature vector, in the same order. */
  readonly vectors: number[][];
  /** Profiles stored before behaviour was kept that were filled in from their history. */
  readonly behaviourBackfilled: number;
}

/** Why a training could not run on what the store holds. */
export class ClusterTrainingRefused extends Error {
  constructor(
    readonly reason: 'no-customers' | 'too-few-customers' | 'version-taken',
    message: string,
    /** The request field at fault, when one is. */
    readonly field?: 'k',
  ) {
    super(message);
  }
}

/**
 * Trains the behavioural clusters on every customer in the store: their touchpoints and products held become feature
 * vectors (products on pages resolved by the latest catalog), and the domain trains on those. Profiles stored before
 * behaviour was kept get it from the same history on the way.
 */
export async function trainClustersFromStore(store: Store, options: ClusterJobOptions): Promise<ClusterJobResult> {
  const catalog = await store.latestCatalog();
  const productOfPage = catalog ? compileCatalog(catalog).productOfPage : () => undefined;
  const subjects: Subject[] = [];
  const vectors: number[][] = [];
  let backfill: BehaviourBackfill[] = [];
  let behaviourBackfilled = 0;
  for await (const { subject, touchpoints, productsHeld, behaviourKept } of store.touchpointsBySubject()) {
    subjects.push(subject);
    vectors.push(featuresOf(touchpoints, productsHeld, options.now, productOfPage));
    if (!behaviourKept) {
      const behaviour = addToBehaviour(EMPTY_BEHAVIOUR, touchpoints, productOfPage);
      backfill.push({ subject, behaviour, touchpoints: touchpoints.length });
    }
    if (backfill.length >= 500) {
      behaviourBackfilled += await store.backfillBehaviour(backfill);
      backfill = [];
    }
  }
  behaviourBackfilled += await store.backfillBehaviour(backfill);
  if (vectors.length === 0) {
    throw new ClusterTrainingRefused(
      'no-customers',
      '[touchpoint] no customers with touchpoints in the bank’s own channels to cluster; seed or ingest first',
    );
  }
  if (options.k !== undefined && options.k > vectors.length) {
    throw new ClusterTrainingRefused(
      'too-few-customers',
      `[touchpoint] k = ${options.k} clusters needs at least as many customers; the store has ${vectors.length}`,
      'k',
    );
  }
  const trained = trainClusters(vectors, {
    random: options.random,
    now: options.now,
    ...(options.k !== undefined ? { k: options.k } : {}),
    ...(options.minClusterSize !== undefined ? { minClusterSize: options.minClusterSize } : {}),
    ...(options.previous ? { previous: options.previous } : {}),
  });
  return { ...trained, subjects, vectors, behaviourBackfilled };
}

export interface ClusterTraining {
  readonly stored: StoredClusterModel;
  readonly tried: TrainedClusters['tried'];
  /** Null for the first model. */
  readonly comparison: ClusterComparison | null;
  readonly behaviourBackfilled: number;
}

/**
 * Trains a new model on the stored customers with the active one as `previous` (so clusters that stay keep their ids
 * and their names), stores it as the next version and makes it the active one.
 */
export async function trainAndActivateClusters(
  store: Store,
  {
    now,
    trainedBy,
    k,
    minClusterSize,
    random = createRandom(CLUSTER_SEED).next,
  }: { now: Date; trainedBy: string; k?: number; minClusterSize?: number; random?: () => number },
): Promise<ClusterTraining> {
  const previous = await store.activeClusterModel();
  const trained = await trainClustersFromStore(store, {
    now,
    random,
    ...(k !== undefined ? { k } : {}),
    ...(minClusterSize !== undefined ? { minClusterSize } : {}),
    ...(previous ? { previous: previous.model } : {}),
  });
  const { model } = trained;
  const names = Object.fromEntries(
    model.clusters.flatMap(({ id }) => (previous?.names[id] ? [[id, previous.names[id]] as const] : [])),
  );
  if (!(await store.activateNewClusterModel(model, trainedBy, names))) {
    throw new ClusterTrainingRefused(
      'version-taken',
      `[touchpoint] cluster model v${model.version} was stored by another training meanwhile; train again`,
    );
  }
  const stored = await store.clusterModel(model.version);
  if (!stored) throw new Error(`[touchpoint] cluster model v${model.version} was not stored`);
  return {
    stored,
    tried: trained.tried,
    comparison: previous ? compareClusterModels(previous.model, model, trained.vectors, trained.assignments) : null,
    behaviourBackfilled: trained.behaviourBackfilled,
  };
}
