import pg from 'pg';
import { type SqlClient, type SqlDatabase, StoreTimeoutError } from '../sql.js';
import { listenerConnection } from './pg-listener.js';

// BIGINT (int8) as a JS number: counts here stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

export interface PostgresOptions {
  readonly connectionString: string;
  /** Schema to use (created when missing); lets test suites and tenants share one server. */
  readonly schema?: string;
  readonly maxConnections?: number;
  /** Create the schema when missing (default); off where every connection counts (a worker connects per request). */
  readonly createSchema?: boolean;
  /**
   * The server cancels any statement of these connections that runs longer (`statement_timeout`), so a statement
   * waiting on a lock never holds a request or a job for ever; 0 turns it off. Decisions keep their own, shorter,
   * deadline (`storeTimeouts.decisionMs`).
   */
  readonly statementTimeoutMs?: number;
}

/** The statement timeout of every connection unless configured otherwise (DATABASE_STATEMENT_TIMEOUT_MS). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

/** The statement timeout from the environment (DATABASE_STATEMENT_TIMEOUT_MS), when set. */
export function statementTimeoutFromEnv(env: { readonly DATABASE_STATEMENT_TIMEOUT_MS?: unknown }): {
  statementTimeoutMs?: number;
} {
  const value = env.DATABASE_STATEMENT_TIMEOUT_MS;
  if (typeof value !== 'string' || value === '') return {};
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) {
    throw new Error(
      `[touchpoint] DATABASE_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds >= 0, got "${value}"`,
    );
  }
  return { statementTimeoutMs: ms };
}

export async function openPostgres(options: PostgresOptions): Promise<SqlDatabase> {
  const {
    connectionString,
    schema,
    maxConnections = 10,
    createSchema = true,
    statementTimeoutMs = DEFAULT_STATEMENT_TIMEOUT_MS,
  } = options;
  if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs < 0) {
    throw new Error(
      `[touchpoint] the statement timeout must be a whole number of milliseconds >= 0, got ${statementTimeoutMs}`,
    );
  }
  if (schema && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error(`[touchpoint] invalid schema name "${schema}"`);
  if (schema && createSchema) {
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const clientConfig: pg.ClientConfig = {
    connectionString,
    // A server that stops answering must not hold requests forever: waiting for a connection gives up.
    connectionTimeoutMillis: 5_000,
    // Sent with the connection's start-up, so it holds for every statement on it, the listening connection's too.
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  };
  const pool = new pg.Pool({ ...clientConfig, max: maxConnections });
  // Named, so an operator sees in pg_stat_activity which connection is the change feed, and of which schema.
  const listener = listenerConnection({
    client: { ...clientConfig, application_name: `touchpoint listen ${schema ?? ''}`.trim() },
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const rows = async <Row>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]) => {
    try {
      return (await client.query(text, params ? [...params] : undefined)).rows as Row[];
    } catch (error) {
      throw StoreTimeoutError.from(error, statementTimeoutMs);
    }
  };
  return {
    engine: 'postgresql',
    query: (text, params) => rows(pool, text, params),
    transaction: async (fn) => {
      const client = await pool.connect();
      // A connection lost between the transaction's queries fails its next query; the 'error' event it also emits
      // would crash the process without a listener (the pool listens only to idle clients). A lost client is
      // destroyed on release rather than returned to the pool.
      let lost: Error | undefined;
      const onError = (error: Error) => {
        lost = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const tx: SqlClient = { query: (text, params) => rows(client, text, params) };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.off('error', onError);
        client.release(lost);
      }
    },
    exec: async (script) => {
      await rows(pool, script);
    },
    listen: (channel, onNotify) => listener.listen(channel, onNotify),
    close: async () => {
      await listener.close();
      await pool.end();
    },
  };
}
