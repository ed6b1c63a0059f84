import { openPglite } from './drivers/pglite.js';
import { openPostgres } from './drivers/postgres.js';

export { statementTimeoutFromEnv } from './drivers/postgres.js';

import { migrate } from './migrations.js';
import { createSqlStore, type Store } from './store.js';

export interface OpenStoreOptions {
  /** A PostgreSQL connection string; without it the embedded store (PGlite) is used. */
  readonly databaseUrl?: string;
  /** PostgreSQL schema to use (created if missing). */
  readonly schema?: string;
  /** PGlite data folder; omitted, the embedded store lives in memory. */
  readonly dataDir?: string;
  /** PostgreSQL only: statements running longer are cancelled by the server (default 30 s; 0: none). */
  readonly statementTimeoutMs?: number;
}

/** Opens the store and brings its schema up to date. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const db = options.databaseUrl
    ? await openPostgres({
        connectionString: options.databaseUrl,
        ...(options.schema ? { schema: options.schema } : {}),
        ...(options.statementTimeoutMs !== undefined ? { statementTimeoutMs: options.statementTimeoutMs } : {}),
      })
    : await openPglite(options.dataDir);
  await migrate(db);
  const store = createSqlStore(db);
  await store.createPartitionsAhead(new Date());
  return store;
}
