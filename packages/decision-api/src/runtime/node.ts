import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { createTouchpointApp, type TouchpointApp } from '../app.js';
import { problemResponse } from '../http/problem.js';
import { unmatchedRoute } from '../http/unmatched.js';
import { trainAndActivateClusters } from '../jobs/cluster-training.js';
import { checkGuardrails } from '../jobs/guardrails.js';
import { verifyStaffPassword } from './staff-password.js';

export { hashStaffPassword, verifyStaffPassword } from './staff-password.js';

/** How often running experiments' guardrails are checked. */
const GUARDRAIL_CHECK_MS = 5 * 60_000;
/** How often expired partner signatures and full rate-limit buckets are deleted. */
const LIMITS_PURGE_MS = 60_000;

import { type ApiConfigInput, configFromEnv } from '../config.js';
import { Catalog } from '../contract/index.js';
import { seedDemoBank } from '../demo/seed.js';
import { startRetentionJob } from '../jobs/retention.js';
import { openStore, statementTimeoutFromEnv } from '../store/open.js';
import type { Store } from '../store/store.js';

export const SEED_DIR = fileURLToPath(new URL('../../seed/', import.meta.url));
/** The built staff console (the package's build writes it); the same path from src/runtime and dist/runtime. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));
/** The console runs its own files only: no inline script or style, no other origin, never in a frame. */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

export function readSeedCatalog(): Catalog {
  return Catalog.parse(JSON.parse(readFileSync(`${SEED_DIR}catalog.json`, 'utf8')));
}

export interface NodeServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** PostgreSQL connection string; without it the embedded store persists in dataDir. */
  readonly databaseUrl?: string;
  /** PostgreSQL schema to use (created if missing), so several deployments or test runs can share one database. */
  readonly databaseSchema?: string;
  readonly dataDir?: string;
  /** PostgreSQL's statement timeout on every connection (default DATABASE_STATEMENT_TIMEOUT_MS, else 30 s; 0: none). */
  readonly statementTimeoutMs?: number;
  /** Seed the demo bank when the store has no catalog yet. */
  readonly seedDemo?: boolean;
  readonly config?: ApiConfigInput;
  readonly log?: (message: string) => void;
  /** How often expired touchpoints are purged while the server runs (default hourly; the first purge runs at start). */
  readonly retentionEveryMs?: number;
  /** On close, how long requests in flight may take to finish before their connections are cut. */
  readonly drainMs?: number;
  /** An open store to serve from, instead of opening one from databaseUrl or dataDir. */
  readonly store?: Store;
  /** How often due lead events are sent to the CRM, when one is configured. */
  readonly leadDeliveryIntervalMs?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly touchpoint: TouchpointApp;
  close(): Promise<void>;
}

/** Starts the decision API on Node: opens and migrates the store, seeds on request, serves offer images. */
export async function startNodeServer(options: NodeServerOptions = {}): Promise<RunningServer> {
  const { port = 8787, host = '127.0.0.1', log = console.log, drainMs = 10_000 } = options;
  const store =
    options.store ??
    (await openStore({
      ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
      ...(options.databaseSchema ? { schema: options.databaseSchema } : {}),
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.statementTimeoutMs !== undefined
        ? { statementTimeoutMs: options.statementTimeoutMs }
        : statementTimeoutFromEnv(process.env)),
    }));
  if (options.seedDemo && !(await store.latestCatalog())) {
    const started = Date.now();
    const seeded = await seedDemoBank(store, { catalog: readSeedCatalog(), now: new Date() });
    log(
      `[touchpoint] seeded the demo bank: ${seeded.customers} customers, ${seeded.touchpoints} touchpoints in ${Date.now() - started} ms`,
    );
    // The demo decides with clusters from the start.
    const training = Date.now();
    const { stored } = await trainAndActivateClusters(store, { now: new Date(), trainedBy: 'demo-seed' });
    log(
      `[touchpoint] trained cluster model v${stored.model.version}: k = ${stored.model.k} on ${stored.model.customers} customers in ${Date.now() - training} ms`,
    );
  }
  const touchpoint = await createTouchpointApp({
    store,
    config: options.config ?? configFromEnv(process.env),
    peerAddress: (c) => getConnInfo(c).remote.address,
    verifyStaffPassword,
  });
  const retention = startRetentionJob({
    store,
    touchpointDays: touchpoint.services.config.retention.touchpointDays,
    log,
    ...(options.retentionEveryMs !== undefined ? { everyMs: options.retentionEveryMs } : {}),
  });
  const leadDelivery = touchpoint.crmConfigured
    ? repeat(options.leadDeliveryIntervalMs ?? 2_000, async () => {
        const { failed } = await touchpoint.deliverLeads();
        if (failed > 0) log(`[touchpoint] ${failed} lead event(s) not accepted by the CRM; retrying with backoff`);
      })
    : null;
  // Expired partner signatures and full rate-limit buckets are deleted every minute (every instance may: the deletes
  // are idempotent); the checks never read them anyway, this only keeps the tables small.
  const limitsPurge = setInterval(() => {
    store.limits
      .purgeExpired(touchpoint.services.now().getTime())
      .catch((error: unknown) =>
        console.error('[touchpoint] purging expired rate limits and signatures failed', error),
      );
  }, LIMITS_PURGE_MS);
  limitsPurge.unref();
  // A breached guardrail stops its experiment even when nobody reads the results.
  const guardrails = setInterval(() => {
    checkGuardrails(touchpoint.services).catch((error: unknown) =>
      console.error('[touchpoint] guardrail check failed', error),
    );
  }, GUARDRAIL_CHECK_MS);
  guardrails.unref();

  const root = new Hono();
  root.use(
    '/static/offers/*',
    serveStatic({
      root: SEED_DIR,
      rewriteRequestPath: (path) => path.replace(/^\/static\/offers\//, 'images/'),
      onFound: (_path, c) => {
        c.header('cache-control', 'public, max-age=86400');
        c.header('cross-origin-resource-policy', 'cross-origin');
        // An SVG opened on its own is a document: it may run nothing and load nothing.
        c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
        c.header('x-content-type-options', 'nosniff');
      },
    }),
  );
  root.get('/console', (c) => c.redirect('/console/', 301));
  root.use(
    '/console/*',
    serveStatic({
      root: CONSOLE_DIR,
      rewriteRequestPath: (path) => path.replace(/^\/console\//, '/'),
      onFound: (path, c) => {
        // Hashed assets never change; the page itself is always fetched anew, so a new build is picked up.
        c.header('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
        c.header('content-security-policy', CONSOLE_CSP);
        c.header('x-content-type-options', 'nosniff');
        c.header('referrer-policy', 'no-referrer');
        c.header('x-frame-options', 'DENY');
      },
    }),
  );
  root.route('/', touchpoint.app);
  root.notFound(unmatchedRoute(root));
  root.onError((error, c) => problemResponse(c, error));

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: root.fetch, port, hostname: host }, () => resolve(s));
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host}:${boundPort}`,
    touchpoint,
    close: async () => {
      clearInterval(guardrails);
      clearInterval(limitsPurge);
      // Stop accepting; let requests in flight finish (closing each connection once idle), but not forever; then
      // write the buffered decision records and close the store.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const http = server as Partial<Pick<Server, 'closeIdleConnections' | 'closeAllConnections'>>;
      const sweep = setInterval(() => http.closeIdleConnections?.(), 50);
      http.closeIdleConnections?.();
      const deadline = setTimeout(() => http.closeAllConnections?.(), drainMs);
      await closed;
      await retention.stop();
      clearInterval(sweep);
      clearTimeout(deadline);
      await leadDelivery?.stop();
      await touchpoint.close();
    },
  };
}

/**
 * Runs a task every `intervalMs`, one run at a time; a failed run (the store briefly away) is reported and the next
 * one tries again. `stop` lets the run in flight finish.
 */
function repeat(intervalMs: number, task: () => Promise<void>): { stop(): Promise<void> } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = task()
        .catch((error) => console.error('[touchpoint] lead delivery failed', error))
        .finally(schedule);
    }, intervalMs);
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
