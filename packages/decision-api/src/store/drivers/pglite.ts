import { PGlite } from '@electric-sql/pglite';
import { type ChannelListener, checkChannel, type SqlClient, type SqlDatabase } from '../sql.js';

/**
 * Embedded PostgreSQL (WASM). `dataDir` persists to the file system; omitted, the database lives in memory.
 * PGlite serves one connection, so transactions are serialised by PGlite itself.
 */
export async function openPglite(dataDir?: string): Promise<SqlDatabase> {
  const db = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const query = async <Row>(client: Pick<PGlite, 'query'>, text: string, params?: readonly unknown[]) =>
    (await client.query<Row>(text, params ? [...params] : undefined)).rows;
  return {
    engine: 'pglite',
    query: (text, params) => query(db, text, params),
    transaction: (fn) =>
      db.transaction((tx) => {
        const client: SqlClient = { query: (text, params) => query(tx, text, params) };
        return fn(client);
      }),
    exec: async (script) => {
      await db.exec(script);
    },
    // One process holds the embedded database, so a notification reaches every listener of this process; the
    // connection is never lost, so there is nothing to reconnect.
    listen: async (channel: string, listener: ChannelListener) => {
      const unsubscribe = await db.listen(checkChannel(channel), (payload) => listener.onNotify(payload));
      return async () => {
        if (!db.closed) await unsubscribe();
      };
    },
    close: () => db.close(),
  };
}
