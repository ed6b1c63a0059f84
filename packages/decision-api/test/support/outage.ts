import { createServer, type Server, Socket } from 'node:net';
import { openPostgres } from '../../src/store/drivers/postgres.js';
import type { SqlDatabase } from '../../src/store/sql.js';

/** A store connection the test can take away: refused (like a database that is down) or hanging (no answer). */
export interface Outage {
  /** The database the API is given. */
  readonly db: SqlDatabase;
  refuse(): void;
  hang(): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * PostgreSQL reached through a TCP relay on loopback: refusing closes every connection and the listening socket,
 * hanging keeps connections open but passes no bytes. The pool sees real network failures and reconnects by itself.
 */
export async function relayedPostgres(direct: SqlDatabase, connectionString: string): Promise<Outage> {
  const [row] = await direct.query<{ schema: string }>('SELECT current_schema() AS schema');
  const target = new URL(connectionString);
  const pairs = new Set<[Socket, Socket]>();
  let mode: 'up' | 'hang' | 'refuse' = 'up';
  let server: Server | undefined;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = new Socket();
        const pair: [Socket, Socket] = [client, upstream];
        pairs.add(pair);
        const drop = () => {
          pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        if (mode === 'hang') return;
        upstream.connect(Number(target.port || 5432), target.hostname, () => {
          client.pipe(upstream);
          upstream.pipe(client);
        });
      });
      server.listen(port, '127.0.0.1', () => {
        const address = server?.address();
        if (address && typeof address === 'object') port = address.port;
        resolve();
      });
    });
  const dropAll = () => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  const stopListening = () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));

  await listen();
  const relayed = new URL(connectionString);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(port);
  const db = await openPostgres({ connectionString: relayed.toString(), ...(row ? { schema: row.schema } : {}) });

  return {
    db,
    refuse: () => {
      mode = 'refuse';
      dropAll();
      void stopListening();
    },
    hang: () => {
      mode = 'hang';
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    restore: () => {
      const was = mode;
      mode = 'up';
      // Hung connections are cut (as a network timeout would), so the pool replaces them.
      dropAll();
      if (was === 'refuse') void listen();
    },
    close: async () => {
      dropAll();
      await db.close();
      await stopListening();
    },
  };
}

/**
 * The embedded store cannot be disconnected, so its queries are made to fail (or wait) in front of it, the way a
 * lost connection fails them.
 */
export function interruptedDatabase(db: SqlDatabase): Outage {
  let mode: 'up' | 'hang' | 'refuse' = 'up';
  const waiting = new Set<() => void>();
  const gate = async () => {
    if (mode === 'refuse') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    if (mode === 'hang') {
      await new Promise<void>((resolve) => waiting.add(resolve));
      throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    }
  };
  const wrapped: SqlDatabase = {
    engine: db.engine,
    query: async (text, params) => {
      await gate();
      return db.query(text, params);
    },
    transaction: async (fn) => {
      await gate();
      return db.transaction(fn);
    },
    exec: async (script) => {
      await gate();
      return db.exec(script);
    },
    close: () => db.close(),
  };
  return {
    db: wrapped,
    refuse: () => {
      mode = 'refuse';
    },
    hang: () => {
      mode = 'hang';
    },
    restore: () => {
      mode = 'up';
      for (const release of waiting) release();
      waiting.clear();
    },
    close: async () => {},
  };
}
