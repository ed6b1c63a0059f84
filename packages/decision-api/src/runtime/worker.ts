import { AsyncLocalStorage } from 'node:async_hooks';
import { createTouchpointApp, type TouchpointApp } from '../app.js';
import { configFromEnv } from '../config.js';
import { seededRandom } from '../domain/decision/learning.js';
import { openPostgres, statementTimeoutFromEnv } from '../store/drivers/postgres.js';
import type { SqlDatabase } from '../store/sql.js';
import { createSqlStore } from '../store/store.js';
import { verifyStaffPassword } from './staff-password.js';

/**
 * The decision API as a module worker for workerd (Cloudflare Workers): the same Hono app as on Node, configured from
 * the worker's environment bindings (the variables `touchpoint serve` reads), with its store on PostgreSQL reached over
 * TCP (node-postgres over `cloudflare:sockets`; needs the `nodejs_compat` compatibility flag).
 *
 * What differs from Node, and why:
 * - workerd lets a request use only the sockets it opened itself, so each request opens its own connection (in
 *   production through Hyperdrive, which pools them) and closes it once its buffered writes are done. The app and
 *   what it holds in memory (catalog, cluster model, experiments, learned statistics) live as long as the isolate.
 * - No LISTEN connection can outlive a request, so instead of following changes the worker rereads the catalog,
 *   cluster model and running experiments when they are older than REFRESH_MS, after answering.
 * - No background jobs: retention, lead delivery and guardrail checks run on a Node instance (or a cron trigger).
 * - No migrations: run `touchpoint migrate` as a release step before deploying.
 * - No static files: the console and offer images come from a Node instance or a CDN.
 */
export interface WorkerEnv {
  readonly DATABASE_URL?: string;
  readonly DATABASE_SCHEMA?: string;
  /** PostgreSQL's statement timeout on the request's connection (default 30 s; 0: none). */
  readonly DATABASE_STATEMENT_TIMEOUT_MS?: string;
  /** Seeds the learner's draws, so a test run replays exactly; unset in production (Math.random). */
  readonly TOUCHPOINT_RANDOM_SEED?: string;
  readonly [variable: string]: unknown;
}

/** The small part of workerd's ExecutionContext used here. */
interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/** How stale the catalog, cluster model and experiments may get in an isolate before they are reread. */
// Not exported: every export of a worker module must be a handler.
const REFRESH_MS = 5_000;

const requestDatabase = new AsyncLocalStorage<SqlDatabase>();

/** The store's database is whichever connection the current request opened. */
const perRequestDatabase: SqlDatabase = {
  engine: 'postgresql',
  query: (text, params) => current().query(text, params),
  transaction: (fn) => current().transaction(fn),
  exec: (script) => current().exec(script),
  // Each request closes its own connection; the isolate has none to close.
  close: async () => {},
};

function current(): SqlDatabase {
  const db = requestDatabase.getStore();
  if (!db) throw new Error('[touchpoint] no database outside a request in the worker');
  return db;
}

let started: Promise<TouchpointApp> | undefined;
let loadedAt = 0;

async function start(env: WorkerEnv): Promise<TouchpointApp> {
  const variables = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  const touchpoint = await createTouchpointApp({
    store: createSqlStore(perRequestDatabase),
    config: configFromEnv(variables),
    followChanges: false,
    verifyStaffPassword,
    ...(env.TOUCHPOINT_RANDOM_SEED ? { random: seededRandom(Number(env.TOUCHPOINT_RANDOM_SEED)) } : {}),
    // A reload started by a read could be cut off with its request; refresh() rereads them after answering instead.
    learningRefreshMs: Number.MAX_SAFE_INTEGER,
    experimentRefreshMs: Number.MAX_SAFE_INTEGER,
    // Behind Cloudflare the client's address is in this header; the socket's peer is Cloudflare's edge.
    peerAddress: (c) => c.req.header('cf-connecting-ip'),
  });
  // Without a change feed nothing of the store is followed, and profiles are never kept between requests.
  await touchpoint.detach();
  loadedAt = Date.now();
  return touchpoint;
}

async function refresh(touchpoint: TouchpointApp): Promise<void> {
  loadedAt = Date.now();
  await Promise.all([
    touchpoint.catalog.reload(),
    touchpoint.services.clusters.reload(),
    touchpoint.services.experiments.reload(),
    touchpoint.learning.reload(),
  ]);
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: WaitUntil): Promise<Response> {
    if (!env.DATABASE_URL) {
      return new Response(
        JSON.stringify({
          type: 'about:blank',
          title: 'Not configured',
          status: 503,
          detail: 'DATABASE_URL is not set',
        }),
        { status: 503, headers: { 'content-type': 'application/problem+json' } },
      );
    }
    const db = await openPostgres({
      connectionString: env.DATABASE_URL,
      ...(env.DATABASE_SCHEMA ? { schema: env.DATABASE_SCHEMA, createSchema: false } : {}),
      maxConnections: 1,
      ...statementTimeoutFromEnv(env),
    });
    return requestDatabase.run(db, async () => {
      let touchpoint: TouchpointApp;
      try {
        started ??= start(env);
        touchpoint = await started;
      } catch (error) {
        started = undefined;
        await db.close();
        throw error;
      }
      const response = await touchpoint.app.fetch(request);
      const stale = Date.now() - loadedAt > REFRESH_MS;
      // After the answer: buffered decision records are written, holders refreshed, then the connection closed.
      ctx.waitUntil(
        (async () => {
          try {
            await touchpoint.flush();
            if (stale) await refresh(touchpoint);
          } catch (error) {
            console.error('[touchpoint] after-request work failed', error);
          } finally {
            await db.close();
          }
        })(),
      );
      return response;
    });
  },
};
