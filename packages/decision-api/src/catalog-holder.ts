import { Catalog } from './contract/index.js';
import { type CompiledCatalog, compileCatalog } from './domain/catalog.js';
import type { Store } from './store/store.js';

/** How often each process rereads the newest catalog, so an offer published through another instance reaches it. */
export const CATALOG_REFRESH_MS = 10_000;

/** The catalog in memory, versioned, swapped whole when it changes: the hot path never reads it from the store. */
export interface CatalogHolder {
  current(): CompiledCatalog;
  reload(): Promise<CompiledCatalog>;
  publish(catalog: Catalog): Promise<CompiledCatalog>;
  close(): void;
}

export async function loadCatalogHolder(
  store: Store,
  {
    refreshMs = CATALOG_REFRESH_MS,
    onError = (error: unknown) => console.error('[touchpoint] catalog reload failed', error),
  } = {},
): Promise<CatalogHolder> {
  const read = async () => {
    const stored = await store.latestCatalog();
    if (!stored) throw new Error('[touchpoint] the store has no catalog: run `touchpoint seed` (or start with --seed)');
    return stored;
  };
  let compiled = compileCatalog(Catalog.parse(await read()));
  // Reads run one after another: a slow read that began before a publish never replaces what a later one read.
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn);
    queue = next.catch(() => undefined);
    return next;
  };
  const reload = () =>
    inTurn(async () => {
      compiled = compileCatalog(Catalog.parse(await read()));
      return compiled;
    });
  // Compiled again only when another version was published: the periodic reread costs one row, nothing more.
  const refresh = () =>
    inTurn(async () => {
      const stored = await read();
      if (stored.version !== compiled.version) compiled = compileCatalog(Catalog.parse(stored));
    });
  const timer = setInterval(() => {
    refresh().catch(onError);
  }, refreshMs);
  // A timer of its own must never keep a process alive.
  (timer as { unref?: () => void }).unref?.();
  return {
    current: () => compiled,
    reload,
    publish: async (catalog) => {
      const parsed = Catalog.parse(catalog);
      await store.saveCatalog(parsed);
      compiled = compileCatalog(parsed);
      return compiled;
    },
    close: () => clearInterval(timer),
  };
}
