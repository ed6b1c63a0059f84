import type { StoredClusterModel } from '../store/clusters.js';
import type { Store } from '../store/store.js';
import { loadSnapshot } from './snapshot.js';

/**
 * The active cluster model in memory, swapped whole when it changes: the decision hot path never reads it from the
 * store. Reloaded after training or naming through this process, and when the change feed announces another
 * process's (a worker without the feed rereads it after its requests).
 */
export interface ClusterHolder {
  /** Null before the first training. */
  current(): StoredClusterModel | null;
  reload(): Promise<StoredClusterModel | null>;
}

export async function loadClusterHolder(store: Store, { now }: { now: () => Date }): Promise<ClusterHolder> {
  const snapshot = await loadSnapshot(() => store.activeClusterModel(), { now });
  return { current: snapshot.current, reload: snapshot.reload };
}
