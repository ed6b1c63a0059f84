import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import { createTouchpointApp, type TouchpointApp, type TouchpointAppOptions } from '../../src/app.js';
import {
  ApiConfig,
  type ApiConfigInput,
  DEMO_CONFIG,
  DEMO_CUSTOMER_TOKEN_SECRET,
  DEMO_PARTNER_SECRET,
} from '../../src/config.js';
import { type Catalog, Catalog as CatalogSchema } from '../../src/contract/index.js';
import { seededRandom } from '../../src/domain/decision/learning.js';
import { type CustomerAttributes, EMPTY_PROFILE } from '../../src/domain/journeys/profile.js';
import { mintStaffToken, type StaffRole } from '../../src/http/staff-token.js';
import { verifyStaffPassword } from '../../src/runtime/staff-password.js';
import { openPglite } from '../../src/store/drivers/pglite.js';
import { openPostgres } from '../../src/store/drivers/postgres.js';
import { migrate } from '../../src/store/migrations.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { createSqlStore, customerSubject, type Store } from '../../src/store/store.js';

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
        'TRUNCATE touchpoints, touchpoint_ids, profiles, identity_links, decisions, catalog_versions, cluster_models, experiments, experiment_events, offer_learning, learned_conversions, propensity_scores, leads, crm_outbox, advisor_outcomes, advisor_presentations, audit_log, offer_daily_counts, erasure_log, offer_versions, partner_signatures, rate_limit_buckets, budget_counters, budget_leases, decision_hours',
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
  /** The database under the store, for tests that look at how rows are kept. */
  readonly db: SqlDatabase;
  /** Rows in each table that requests write to, after buffered writes are flushed. */
  rowCounts(): Promise<{ touchpoints: number; profiles: number; decisions: number; identityLinks: number }>;
  /**
   * Rows in every table of the schema, after buffered writes are flushed: migrations aside, and the rate limits' and
   * replay guard's tables, which count requests (refused ones too) rather than store what they carry.
   */
  tableCounts(): Promise<Record<string, number>>;
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

/**
 * The demo bank's configuration with generous store deadlines: these tests assert behaviour, not speed, on a machine
 * that may be busy; the outage tests set the production deadlines themselves.
 */
export const TEST_CONFIG: ApiConfigInput = {
  ...DEMO_CONFIG,
  storeTimeouts: { decisionMs: 10_000, ingestMs: 10_000 },
  // Budgets sync when a test says so (services.budgets.sync()), never between a test's before and after.
  budgets: { syncMs: 3_600_000 },
};

export interface HarnessOptions {
  /** The API's configuration; the demo bank's by default. */
  readonly config?: ApiConfigInput;
  /** Wraps the store the app uses, e.g. to make it fail. */
  readonly wrapStore?: (store: Store) => Store;
  /** Numbers in [0, 1): exploration seeds and the CRM backoff's jitter; seeded by default, so runs repeat. */
  readonly random?: () => number;
  /** The decision recorder's bounds. */
  readonly recorder?: TouchpointAppOptions['recorder'];
}

export async function startHarness(db: SqlDatabase, options: HarnessOptions = {}): Promise<Harness> {
  const store = createSqlStore(db);
  await store.saveCatalog(demoCatalog);
  let now = NOW;
  const touchpoint = await createTouchpointApp({
    store: options.wrapStore ? options.wrapStore(store) : store,
    config: options.config ?? TEST_CONFIG,
    now: () => now,
    verifyStaffPassword,
    random: options.random ?? seededRandom(20261122),
    ...(options.recorder ? { recorder: options.recorder } : {}),
    // Tests read what ingest learnt in the very next decision; the server makes a new model at most every second.
    learnedModelRefreshMs: 0,
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
    db,
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
    tableCounts: async () => {
      await touchpoint.flush();
      const tables = await db.query<{ name: string }>(
        // A partitioned table counts once, with its partitions' rows.
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
           AND c.relname NOT IN ('schema_migrations', 'rate_limit_buckets', 'partner_signatures')
         ORDER BY c.relname`,
      );
      // One statement for every table: tests count around each request they send.
      const sql = `SELECT ${tables.map(({ name }) => `(SELECT count(*)::int FROM "${name}") AS "${name}"`).join(', ')}`;
      const [row] = await db.query<Record<string, number>>(sql);
      return Object.fromEntries(tables.map(({ name }) => [name, row?.[name] ?? 0]));
    },
    setNow: (date) => {
      now = date;
    },
    post: (path, body, init) => request('POST', path, body, init),
    get: (path, init) => request('GET', path, undefined, init),
    delete: (path, init) => request('DELETE', path, undefined, init),
    // The database outlives the harness (see databaseFor); only buffered writes are finished here.
    dispose: async () => {
      await touchpoint.detach();
      await touchpoint.flush();
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

/** A staff token as the bank's staff sign-in mints it, valid at the harness clock (or signed in at `at`). */
export function staffToken(
  roles: StaffRole[],
  { id = 'staff-1', branch, at = NOW }: { id?: string; branch?: string; at?: Date } = {},
) {
  return mintStaffToken(
    ApiConfig.parse(DEMO_CONFIG).staffToken,
    { id, roles, ...(branch ? { branch } : {}) },
    { now: at },
  );
}

/** A request as the demo car marketplace's server sends it: the raw body signed with its secret, at the harness clock. */
export function signedByPartner(body: unknown, at: Date = NOW): RequestOptions {
  return signedRawByPartner(JSON.stringify(body), at);
}

/** The same for a raw body sent as it is, valid JSON or not. */
export function signedRawByPartner(
  rawBody: string,
  at: Date = NOW,
): RequestOptions & { headers: Record<string, string> } {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = createHmac('sha256', DEMO_PARTNER_SECRET).update(`${timestamp}.${rawBody}`).digest('hex');
  return {
    key: null,
    rawBody,
    headers: {
      'x-touchpoint-partner': 'car-marketplace',
      'x-touchpoint-timestamp': timestamp,
      'x-touchpoint-signature': `v1=${signature}`,
    },
  };
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
export function useHarness(engine: Engine, options: HarnessOptions = {}): Harness {
  const database = databaseFor(engine);
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await startHarness(await database.open(), options);
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
    get db() {
      return now().db;
    },
    rowCounts: () => now().rowCounts(),
    tableCounts: () => now().tableCounts(),
    setNow: (date) => now().setNow(date),
    post: (path, body, init) => now().post(path, body, init),
    get: (path, init) => now().get(path, init),
    delete: (path, init) => now().delete(path, init),
    dispose: () => now().dispose(),
  };
}

/** A customer of the bank as its backend knows them: what its records say, and no history yet. */
export async function bankCustomer(h: Pick<Harness, 'store'>, customerId: string, attributes: CustomerAttributes) {
  await h.store.putProfiles([
    {
      subject: customerSubject(customerId),
      profile: { ...EMPTY_PROFILE, attributes: { birthYear: 1980, ...attributes } },
    },
  ]);
}

/** The customer looks at a product and prices it `times` times in the net bank. */
export async function prices(h: Pick<Harness, 'post'>, customerId: string, product: string, times = 1) {
  const response = await h.post(
    '/v1/touchpoints',
    {
      anonymousId: crypto.randomUUID(),
      touchpoints: [
        touchpointOf('product_view', { product }),
        ...Array.from({ length: times }, () => touchpointOf('calculator_used', { product })),
      ],
    },
    { token: await customerToken(customerId) },
  );
  expect(response.status).toBe(200);
}
