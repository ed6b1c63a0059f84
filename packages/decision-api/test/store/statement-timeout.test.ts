import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/drivers/postgres.js';
import { migrate } from '../../src/store/migrations.js';
import { type SqlDatabase, StoreTimeoutError } from '../../src/store/sql.js';
import { staffToken, startHarness } from '../support/harness.js';

const databaseUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!databaseUrl)('the statement timeout of every PostgreSQL connection', () => {
  const schema = `tp_test_st_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  let db: SqlDatabase;
  let admin: pg.Client;

  beforeAll(async () => {
    db = await openPostgres({ connectionString: databaseUrl as string, schema, statementTimeoutMs: 300 });
    await migrate(db);
    admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
  }, 60_000);

  /** Another session holds the table's strongest lock, as a long migration or an operator's transaction would. */
  async function whileLocked<T>(table: string, work: () => Promise<T>): Promise<T> {
    await admin.query('BEGIN');
    await admin.query(`LOCK TABLE ${schema}.${table} IN ACCESS EXCLUSIVE MODE`);
    try {
      return await work();
    } finally {
      await admin.query('ROLLBACK');
    }
  }

  it('is 30 s unless configured', async () => {
    const defaults = await openPostgres({ connectionString: databaseUrl as string, schema });
    try {
      expect(await defaults.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '30s' }]);
      const off = await openPostgres({ connectionString: databaseUrl as string, schema, statementTimeoutMs: 0 });
      expect(await off.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '0' }]);
      await off.close();
    } finally {
      await defaults.close();
    }
  });

  it('cancels a statement blocked on a lock past the timeout, with an error that says so', async () => {
    const error = await whileLocked('audit_log', () => db.query('SELECT count(*) FROM audit_log').catch((e) => e));
    expect(error).toBeInstanceOf(StoreTimeoutError);
    expect(error).toMatchObject({ code: '57014', timeoutMs: 300 });
    expect((error as Error).message).toMatch(/statement timeout \(300 ms\)/);
    // Inside a transaction as well, which is rolled back; the connection is usable afterwards.
    const inTransaction = await whileLocked('audit_log', () =>
      db.transaction((tx) => tx.query('SELECT count(*) FROM audit_log')).catch((e) => e),
    );
    expect(inTransaction).toBeInstanceOf(StoreTimeoutError);
    expect(await db.query('SELECT count(*)::int AS n FROM audit_log')).toEqual([{ n: 0 }]);
  });

  it('answers a staff route waiting on a lock with 503 problem+json and Retry-After, not a hang', async () => {
    const h = await startHarness(db);
    try {
      const token = await staffToken(['viewer']);
      const response = await whileLocked('audit_log', () => h.get('/v1/admin/audit', { key: null, token }));
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toMatchObject({
        type: 'https://touchpoint.dev/problems/store-timeout',
        status: 503,
        detail: expect.stringMatching(/statement timeout \(300 ms\)/),
      });
      expect((await h.get('/v1/admin/audit', { key: null, token })).status).toBe(200);
    } finally {
      await h.dispose();
    }
  });
});
