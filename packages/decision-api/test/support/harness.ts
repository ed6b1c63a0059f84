import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { createTouchpointApp, type TouchpointApp } from '../../src/app.js';
import { ApiConfig, DEMO_CONFIG, DEMO_CUSTOMER_TOKEN_SECRET } from '../../src/config.js';
import { type Catalog, Catalog as CatalogSchema } from '../../src/contract/index.js';
import { seededRandom } from '../../src/domain/learning.js';
import { mintStaffToken, type StaffRole } from '../../src/http/staff-token.js';
import { openPglite } from '../../src/store/drivers/pglite.js';
import { openPostgres } from '../../src/store/drivers/postgres.js';
import { migrate } from '../../src/store/migrations.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { createSqlStore, type Store } from '../../src/store/store.js';

export const demoCatalog: Catalog = CatalogSchema.parse(
  JSON.parse(readFileSync(new URL('../../seed/catalog.json', import.meta.url), 'utf8')),
);

export interface Engine {
  readonly name: 'pglite' | 'postgresql';
  open(): Promise<SqlDatabase>;
}

const databaseUrl = process.env.TEST_DATABASE_URL;

/** The API suite runs on the embedded store always, and on PostgreSQL when TEST_DATABASE_URL is set. */
export const engines: Engine[] = [
  { name: 'pglite', open: () => openPglite() },
  ...(databaseUrl
    ? [
        {
          name: 'postgresql' as const,
          open: () =>
            openPostgres({
              connectionString: databaseUrl,
              schema: `tp_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`,
            }),
        },
      ]
    : []),
];

/**
 * One database per test file (the embedded one takes seconds to start), emptied between tests.
 * A PostgreSQL test schema is dropped at the end.
 */
export function databaseFor(engine: Engine) {
  let db: SqlDatabase | undefined;
  return {
    async open(): Promise<SqlDatabase> {
      if (!db) {
        db = await engine.open();
        await migrate(db);
      }
      await db.exec(
        'TRUNCATE touchpoints, profiles, identity_links, decisions, catalog_versions, experiments, experiment_events, offer_learning, learned_conversions, propensity_scores, offer_daily_counts, erasure_log',
      );
      return db;
    },
    async close(): Promise<void> {
      if (!db) return;
      if (db.engine === 'postgresql') {
        const [row] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
        if (row?.schema.startsWith('tp_test_')) await db.exec(`DROP SCHEMA ${row.schema} CASCADE`);
      }
      await db.close();
      db = undefined;
    },
  };
}

export const NOW = new Date('2026-11-22T12:00:00Z');
export const NETBANK_KEY = 'pk_demo_netbank';
export const MOBILE_KEY = 'pk_demo_mobilebank';
export const NETBANK_ORIGIN = 'http://localhost:5173';

export interface Harness {
  readonly touchpoint: TouchpointApp;
  readonly store: Store;
  /** Rows in each table that requests write to, after buffered writes are flushed. */
  rowCounts(): Promise<{ touchpoints: number; profiles: number; decisions: number; identityLinks: number }>;
  /** Advances the harness clock. */
  setNow(date: Date): void;
  post(path: string, body: unknown, init?: RequestOptions): Promise<Response>;
  get(path: string, init?: RequestOptions): Promise<Response>;
  delete(path: string, init?: RequestOptions): Promise<Response>;
  dispose(): Promise<void>;
}

export interface RequestOptions {
  readonly key?: string | null;
  readonly token?: string;
  readonly origin?: string;
  readonly headers?: Record<string, string>;
  readonly rawBody?: string;
}

export async function startHarness(db: SqlDatabase): Promise<Harness> {
  const store = createSqlStore(db);
  await store.saveCatalog(demoCatalog);
  let now = NOW;
  // Seeded exploration: a test's decisions come out the same on every run.
  const touchpoint = await createTouchpointApp({
    store,
    config: DEMO_CONFIG,
    now: () => now,
    random: seededRandom(20261122),
  });
  const request = async (method: string, path: string, body: unknown, init: RequestOptions = {}): Promise<Response> => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key !== null) headers['x-touchpoint-key'] = init.key ?? NETBANK_KEY;
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.origin) headers.origin = init.origin;
    if (body !== undefined || init.rawBody !== undefined) headers['content-type'] ??= 'application/json';
    return touchpoint.app.request(`http://touchpoint.test${path}`, {
      method,
      headers,
      ...(init.rawBody !== undefined
        ? { body: init.rawBody }
        : body !== undefined
          ? { body: JSON.stringify(body) }
          : {}),
    });
  };
  return {
    touchpoint,
    store,
    rowCounts: async () => {
      await touchpoint.flush();
      const [row] = await db.query<{
        touchpoints: number;
        profiles: number;
        decisions: number;
        identity_links: number;
      }>(
        `SELECT (SELECT count(*)::int FROM touchpoints) AS touchpoints, (SELECT count(*)::int FROM profiles) AS profiles,
                (SELECT count(*)::int FROM decisions) AS decisions, (SELECT count(*)::int FROM identity_links) AS identity_links`,
      );
      return {
        touchpoints: row?.touchpoints ?? 0,
        profiles: row?.profiles ?? 0,
        decisions: row?.decisions ?? 0,
        identityLinks: row?.identity_links ?? 0,
      };
    },
    setNow: (date) => {
      now = date;
    },
    post: (path, body, init) => request('POST', path, body, init),
    get: (path, init) => request('GET', path, undefined, init),
    delete: (path, init) => request('DELETE', path, undefined, init),
    // The database outlives the harness (see databaseFor); only buffered writes are finished here.
    dispose: () => {
      touchpoint.services.experiments.close();
      return touchpoint.flush();
    },
  };
}

/** A customer token as the bank's backend mints it. */
export async function customerToken(
  customerId: string,
  {
    secret = DEMO_CUSTOMER_TOKEN_SECRET,
    expiresAt = Math.floor(NOW.getTime() / 1000) + 3600,
    issuer = 'demo-bank',
    audience = 'touchpoint',
  }: { secret?: string; expiresAt?: number; issuer?: string; audience?: string } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(customerId)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(secret));
}

/** A staff token as the bank's staff sign-in mints it, valid at the harness clock. */
export function staffToken(roles: StaffRole[], { id = 'staff-1', branch }: { id?: string; branch?: string } = {}) {
  return mintStaffToken(
    ApiConfig.parse(DEMO_CONFIG).staffToken,
    { id, roles, ...(branch ? { branch } : {}) },
    { now: NOW },
  );
}

let counter = 0;
/** A valid touchpoint of the net bank, with a fresh id. */
export function touchpointOf(type: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    id: crypto.randomUUID(),
    type,
    occurredAt: new Date(NOW.getTime() - 60_000 + counter).toISOString(),
    channel: 'netbank',
    ...fields,
  };
}

export function decisionRequest(placements: string[], page = '/dashboard', anonymousId: string = crypto.randomUUID()) {
  return { anonymousId, context: { channel: 'netbank', page, locale: 'en', consent: 'granted' }, placements };
}

/**
 * A fresh harness for every test of the enclosing describe block, on one database per block.
 * The object returned always speaks for the current test's harness.
 */
export function useHarness(engine: Engine): Harness {
  const database = databaseFor(engine);
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await startHarness(await database.open());
  });
  afterEach(() => current?.dispose());
  afterAll(() => database.close());
  const now = (): Harness => {
    if (!current) throw new Error('the harness is only there inside a test');
    return current;
  };
  return {
    get touchpoint() {
      return now().touchpoint;
    },
    get store() {
      return now().store;
    },
    rowCounts: () => now().rowCounts(),
    setNow: (date) => now().setNow(date),
    post: (path, body, init) => now().post(path, body, init),
    get: (path, init) => now().get(path, init),
    delete: (path, init) => now().delete(path, init),
    dispose: () => now().dispose(),
  };
}
