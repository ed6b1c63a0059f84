import type { StoredClusterModel } from '../store/cluster-models.js';
import type { Store } from '../store/store.js';

/**
 * The active cluster model in memory, swapped whole when it changes: the decision hot path never reads it from the
 * store. Training or naming through this process reloads it; another process's training is seen after a restart.
 */
export interface ClusterHolder {
  /** Null before the first training. */
  current(): StoredClusterModel | null;
  reload(): Promise<StoredClusterModel | null>;
}

export async function loadClusterHolder(store: Store): Promise<ClusterHolder> {
  let active = await store.activeClusterModel();
  return {
    current: () => active,
    reload: async () => {
      active = await store.activeClusterModel();
      return active;
    },
  };
}
