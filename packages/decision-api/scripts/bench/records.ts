/**
 * What the decision records cost to write, on each engine: `store.recordDecisions` with real traces (the demo catalog
 * decided for demo customers, two placements a request, the clusters' field set), in batches of 20 (what 10 ms holds
 * at 1,000 requests a second) and of 100 (a recorder catching up), on a fresh embedded database and, when reachable,
 * a fresh PostgreSQL schema. Prints records a second, wall and this process's CPU per record, and the traces' mean
 * size; for PGlite also what any statement costs, in place and through its thread, and what a parameter's size costs.
 * Nothing else runs meanwhile: take it as the store's side of the benchmark's HTTP rows.
 *
 *   node --import tsx scripts/bench/records.ts [--records 6000] [--database-url postgres://…]
 */
import { parseArgs } from 'node:util';
import { compileCatalog } from '../../src/domain/decision/catalog.js';
import { decide } from '../../src/domain/decision/decide.js';
import type { CustomerProfile } from '../../src/domain/journeys/profile.js';
import { readSeedCatalog } from '../../src/runtime/node.js';
import { openPglite } from '../../src/store/drivers/pglite.js';
import { openPostgres } from '../../src/store/drivers/postgres.js';
import { migrate } from '../../src/store/migrations.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { createSqlStore, customerSubject, type StoredDecision } from '../../src/store/store.js';
import { demoProfiles } from './demo-profiles.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '6000' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const total = Number(values.records);
const url = values['database-url'];
const BATCHES = [20, 100];

/** `count` decision records as the decision route makes them, each with a fresh id. */
function decisionRecords(count: number): StoredDecision[] {
  const catalog = compileCatalog(readSeedCatalog());
  const profiles = demoProfiles(200);
  const pages = ['/dashboard', '/loans/car', '/pension', '/mortgage'];
  const now = new Date();
  const records: StoredDecision[] = [];
  for (let i = 0; records.length < count; i++) {
    const context = { channel: 'netbank' as const, page: pages[i % pages.length] as string, locale: 'da' as const };
    const outcomes = decide({
      catalog,
      profile: profiles[i % profiles.length] as CustomerProfile,
      context,
      placements: ['dashboard-hero', 'product-sidebar'],
      now,
      seed: i,
      cluster: `cluster-${(i % 6) + 1}`,
    });
    for (const outcome of outcomes) {
      records.push({
        id: crypto.randomUUID(),
        subject: customerSubject(`c-${String((i % 2_000) + 1).padStart(5, '0')}`),
        placement: outcome.placement,
        offerId: outcome.offer?.id ?? null,
        channel: context.channel,
        page: context.page,
        locale: context.locale,
        reason: outcome.reason,
        trace: outcome.trace,
        createdAt: now,
      });
    }
  }
  return records.slice(0, count);
}

const µs = (ms: number, per: number) => Math.round((ms * 1_000) / per);

async function writeCost(db: SqlDatabase, engine: string, records: readonly StoredDecision[]) {
  await migrate(db);
  const store = createSqlStore(db);
  const rows: Array<Record<string, string | number>> = [];
  for (const size of BATCHES) {
    const batches: StoredDecision[][] = [];
    for (let start = 0; start + size <= total; start += size) batches.push(records.slice(start, start + size));
    // Fresh ids per batch size, so no write is a repeat of an earlier one.
    const fresh = batches.map((batch) => batch.map((record) => ({ ...record, id: crypto.randomUUID() })));
    // The first ones open connections and warm the plan; they are left out.
    for (const batch of fresh.splice(0, 2)) await store.recordDecisions(batch);
    const written = fresh.reduce((sum, batch) => sum + batch.length, 0);
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const batch of fresh) await store.recordDecisions(batch);
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    rows.push({
      engine,
      'records per write': size,
      records: written,
      'records/s': Math.round(written / (wall / 1_000)),
      'µs per record': µs(wall, written),
      'this process’s CPU µs per record': Math.round((used.user + used.system) / written),
    });
  }
  return rows;
}

/** Milliseconds per statement: `SELECT 1`, and one with a 64 KB text parameter. */
async function statementCost(db: SqlDatabase) {
  const time = async (calls: number, run: () => Promise<unknown>) => {
    for (let i = 0; i < 20; i++) await run();
    const started = performance.now();
    for (let i = 0; i < calls; i++) await run();
    return (performance.now() - started) / calls;
  };
  const large = 'x'.repeat(64 * 1024);
  const small = await time(500, () => db.query('SELECT 1 AS one'));
  const withLarge = await time(200, () => db.query('SELECT 1 AS one WHERE $1::text IS NOT NULL', [large]));
  return { small, perKb: (withLarge - small) / 64 };
}

const records = decisionRecords(total);
const bytes = records.reduce((sum, record) => sum + JSON.stringify(record.trace).length, 0) / records.length;
console.log(`${records.length} decision records, traces of ${Math.round(bytes)} bytes on average`);

const table: Array<Record<string, string | number>> = [];
const embedded = await openPglite();
table.push(...(await writeCost(embedded, 'pglite', records)));
const threaded = await statementCost(embedded);
await embedded.close();
const inline = await openPglite(undefined, { thread: 'inline' });
const inPlace = await statementCost(inline);
await inline.close();

const schema = `tp_records_${Date.now().toString(36)}`;
try {
  const postgres = await openPostgres({ connectionString: url, schema });
  try {
    table.push(...(await writeCost(postgres, 'postgres', records)));
  } finally {
    await postgres.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await postgres.close();
  }
} catch (error) {
  console.log(`PostgreSQL rows skipped: ${url} is unreachable (${(error as Error).message})`);
}

console.table(table);
console.log(
  `PGlite, any statement: ${inPlace.small.toFixed(3)} ms in place, ${threaded.small.toFixed(3)} ms through its thread; ` +
    `a text parameter adds ${(inPlace.perKb * 1_000).toFixed(1)} µs a KB in place, ${(threaded.perKb * 1_000).toFixed(1)} µs through the thread.`,
);
process.exit(0);
