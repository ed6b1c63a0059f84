import { Catalog } from '../contract/index.js';
import { type CompiledCatalog, compileCatalog } from '../domain/decision/catalog.js';
import type { Store } from '../store/store.js';

/** The catalog in memory, versioned, swapped whole when it changes: the hot path never reads it from the store. */
export interface CatalogHolder {
  current(): CompiledCatalog;
  reload(): Promise<CompiledCatalog>;
  publish(catalog: Catalog): Promise<CompiledCatalog>;
}

export async function loadCatalogHolder(store: Store): Promise<CatalogHolder> {
  const load = async () => {
    const stored = await store.latestCatalog();
    if (!stored) throw new Error('[touchpoint] the store has no catalog: run `touchpoint seed` (or start with --seed)');
    return compileCatalog(Catalog.parse(stored));
  };
  let compiled = await load();
  // Reloads run one after another (publishing an offer reloads, and so does the change feed): a slow read that began
  // before a publish never replaces what a later one read.
  let queue: Promise<unknown> = Promise.resolve();
  const reload = () => {
    const next = queue.then(async () => {
      compiled = await load();
      return compiled;
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    current: () => compiled,
    reload,
    publish: async (catalog) => {
      const parsed = Catalog.parse(catalog);
      await store.saveCatalog(parsed);
      compiled = compileCatalog(parsed);
      return compiled;
    },
  };
}
