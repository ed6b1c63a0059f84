import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import { type ChannelListener, checkChannel, type SqlClient, type SqlDatabase } from '../sql.js';

export interface PgliteOptions {
  /**
   * Where the database runs. `'worker'` (the default): on a thread of its own, so its work (it is PostgreSQL compiled
   * to WASM, and every statement runs to the end once started) never holds up the thread that answers requests, and
   * the two use two cores. `'inline'`: on the caller's thread, as PGlite does by itself.
   *
   * On its own thread, parameters and rows are copied between threads (structured clone): strings, numbers, bigints,
   * booleans, null, Dates, Uint8Arrays and plain objects and arrays of them pass unchanged; a class instance arrives as
   * a plain object (its `toJSON` is not called), and a function or a symbol is refused with a TypeError.
   */
  readonly thread?: 'worker' | 'inline';
}

/**
 * Embedded PostgreSQL (WASM). `dataDir` persists to the file system; omitted, the database lives in memory.
 * PGlite serves one connection, so transactions are serialised by PGlite itself.
 */
export async function openPglite(dataDir?: string, { thread = 'worker' }: PgliteOptions = {}): Promise<SqlDatabase> {
  // PGlite makes the folder itself but not its parents: a fresh clone has no .data/ yet.
  if (dataDir && !dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  return thread === 'worker' ? openPgliteWorker(dataDir) : openPgliteInline(dataDir);
}

async function openPgliteInline(dataDir?: string): Promise<SqlDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
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

/** What the worker thread answers: a result, or a database error's message and fields (code, detail, constraint…). */
type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: Record<string, unknown> & { message: string } };
type Notification = { readonly notify: number; readonly payload: string };

/**
 * The worker's program, run from source (`eval`) so that it needs no build step and no TypeScript loader in any of
 * the places the driver runs (the built package, tsx, the test runner). It loads PGlite, then serves requests by id:
 * `query`, `exec`, `begin`/`end` of a transaction (run through PGlite's own `transaction`, which holds every other
 * statement back until it ends), `listen`/`unlisten` and `close`.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
const transactions = new Map();
const subscriptions = new Map();
const fields = (error) => {
  const out = { message: error instanceof Error ? error.message : String(error) };
  if (error instanceof Error) out.name = error.name;
  if (error && typeof error === 'object') {
    for (const [key, value] of Object.entries(error)) {
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[key] = value;
    }
  }
  return out;
};
const fail = (id, error) => parentPort.postMessage({ id, ok: false, error: fields(error) });
const answer = (id, run) =>
  Promise.resolve()
    .then(run)
    .then((value) => {
      try {
        parentPort.postMessage({ id, ok: true, value });
      } catch (error) {
        fail(id, error);
      }
    }, (error) => fail(id, error));
const ROLLED_BACK = new Error('rolled back');
const ready = workerData.dataDir ? PGlite.create(workerData.dataDir) : PGlite.create();
ready.catch(() => {});
const ops = {
  // Every request waits for the database to be open (below): this one only for that.
  ready: () => null,
  query: async (db, { tx, text, params }) =>
    (await (tx === undefined ? db : await transactions.get(tx).client).query(text, params)).rows,
  exec: async (db, { script }) => { await db.exec(script); return null; },
  // Opens a transaction that holds every other statement back until 'end'. Its statements may be sent before BEGIN
  // has run: they wait for it here, which spares the caller a round trip.
  begin: (db, { id }) => {
    const open = {};
    open.client = new Promise((begun, failed) => {
      open.outcome = db.transaction((client) => new Promise((commit, rollback) => {
        Object.assign(open, { commit, rollback });
        begun(client);
      }));
      open.outcome.catch(failed);
    });
    transactions.set(id, open);
    return open.client.then(() => null);
  },
  // Commits or rolls back; answers with the outcome, so that a failed COMMIT reaches the caller.
  end: async (db, { tx, commit }) => {
    const open = transactions.get(tx);
    transactions.delete(tx);
    try {
      await open.client;
    } catch (error) {
      if (commit) throw error;
      return null;
    }
    if (commit) open.commit(null);
    else open.rollback(ROLLED_BACK);
    try {
      await open.outcome;
    } catch (error) {
      if (error !== ROLLED_BACK) throw error;
    }
    return null;
  },
  listen: async (db, { id, channel }) => {
    subscriptions.set(id, await db.listen(channel, (payload) => parentPort.postMessage({ notify: id, payload })));
    return id;
  },
  unlisten: async (db, { subscription }) => {
    const unsubscribe = subscriptions.get(subscription);
    subscriptions.delete(subscription);
    if (unsubscribe && !db.closed) await unsubscribe();
    return null;
  },
  close: async (db) => { if (!db.closed) await db.close(); return null; },
};
parentPort.on('message', (message) => answer(message.id, async () => ops[message.op](await ready, message)));
`;

/** A database error as the thread sent it, as the same kind of error (a TypeError stays a bug, not an outage). */
function rebuiltError(fields: Record<string, unknown> & { message: string }): Error {
  const Kind =
    fields.name === 'TypeError'
      ? TypeError
      : fields.name === 'RangeError'
        ? RangeError
        : fields.name === 'SyntaxError'
          ? SyntaxError
          : Error;
  return Object.assign(new Kind(fields.message), fields);
}

async function openPgliteWorker(dataDir?: string): Promise<SqlDatabase> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // The worker runs plain JavaScript: the parent's flags (a TypeScript loader, heap sizes) are not its own.
    execArgv: [],
    workerData: { pglite: createRequire(import.meta.url).resolve('@electric-sql/pglite'), dataDir },
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const listeners = new Map<number, ChannelListener>();
  let nextId = 0;
  let failure: Error | undefined;
  // Waiting on the database keeps the process alive, as a socket to PostgreSQL would; an idle database does not.
  worker.unref();
  const settle = () => {
    if (pending.size === 0) worker.unref();
  };
  worker.on('message', (message: Reply | Notification) => {
    if ('notify' in message) {
      listeners.get(message.notify)?.onNotify(message.payload);
      return;
    }
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    settle();
    if (message.ok) waiting.resolve(message.value);
    else waiting.reject(rebuiltError(message.error));
  });
  let closing = false;
  const fail = (error: Error) => {
    if (failure) return;
    failure = error;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
    // A thread that died took its notifications with it: whoever follows them must stop trusting what they hold.
    if (!closing) for (const listener of listeners.values()) listener.onLost?.();
  };
  worker.on('error', fail);
  worker.on('exit', () => fail(new Error('[touchpoint] the embedded database has closed')));
  /** Sends a request under a fresh id (the id also names a transaction or a subscription it opens). */
  const call = <T>(request: Record<string, unknown>, id = nextId++): Promise<T> => {
    if (failure) return Promise.reject(failure);
    if (pending.size === 0) worker.ref();
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      try {
        worker.postMessage({ ...request, id });
      } catch (error) {
        // A value the thread cannot be sent (a function, a symbol): the caller's mistake, not an outage.
        pending.delete(id);
        settle();
        reject(new TypeError(`[touchpoint] a parameter cannot be sent to the database: ${(error as Error).message}`));
      }
    });
  };
  const query = <Row>(text: string, params: readonly unknown[] | undefined, tx?: number) =>
    call<Row[]>({ op: 'query', text, params, tx });

  try {
    await call({ op: 'ready' });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    engine: 'pglite',
    query: (text, params) => query(text, params),
    async transaction(fn) {
      if (failure) throw failure;
      const tx = nextId++;
      // Not waited for: the statements follow it to the worker, which runs them once BEGIN has run; if BEGIN fails,
      // they and the commit fail with its error.
      call({ op: 'begin' }, tx).catch(() => {});
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn({ query: (text, params) => query(text, params, tx) });
      } catch (error) {
        // The caller's error is the one that counts, even when the rollback cannot be sent or fails.
        await call({ op: 'end', tx, commit: false }).catch(() => {});
        throw error;
      }
      // A transaction that could not begin is not committed: the commit answers with BEGIN's error.
      await call({ op: 'end', tx, commit: true });
      return result;
    },
    exec: async (script) => {
      await call({ op: 'exec', script });
    },
    listen: async (channel: string, listener: ChannelListener) => {
      const subscription = nextId++;
      listeners.set(subscription, listener);
      try {
        await call({ op: 'listen', channel: checkChannel(channel) }, subscription);
      } catch (error) {
        listeners.delete(subscription);
        throw error;
      }
      return async () => {
        listeners.delete(subscription);
        if (!failure) await call({ op: 'unlisten', subscription });
      };
    },
    close: () => {
      closed ??= (async () => {
        closing = true;
        try {
          if (!failure) await call({ op: 'close' });
        } finally {
          await worker.terminate();
        }
      })();
      return closed;
    },
  };
}
