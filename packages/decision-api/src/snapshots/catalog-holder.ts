import { Catalog } from '../contract/index.js';
import { type CompiledCatalog, compileCatalog } from '../domain/decision/catalog.js';
import type { Store } from '../store/store.js';
import { loadSnapshot } from './snapshot.js';

/** The catalog in memory, versioned, swapped whole when it changes: the hot path never reads it from the store. */
export interface CatalogHolder {
  current(): CompiledCatalog;
  reload(): Promise<CompiledCatalog>;
  publish(catalog: Catalog): Promise<CompiledCatalog>;
}

/** Reloaded when the change feed announces a new catalog, and after a publish through this process. */
export async function loadCatalogHolder(store: Store, { now }: { now: () => Date }): Promise<CatalogHolder> {
  const snapshot = await loadSnapshot(
    async () => {
      const stored = await store.latestCatalog();
      if (!stored)
        throw new Error('[touchpoint] the store has no catalog: run `touchpoint seed` (or start with --seed)');
      return compileCatalog(Catalog.parse(stored));
    },
    { now },
  );
  return {
    current: snapshot.current,
    reload: snapshot.reload,
    publish: async (catalog) => {
      const parsed = Catalog.parse(catalog);
      await store.saveCatalog(parsed);
      const compiled = compileCatalog(parsed);
      snapshot.set(compiled);
      return compiled;
    },
  };
}
