/**
 * Profile batched ingest into PostgreSQL: `store.ingestForSubjects` on a fresh schema with the demo bank's history
 * (fresh ids), as the benchmark's "Ingest into PostgreSQL" section runs it, and where the time went: wall time per SQL
 * statement, the profile updates, and CPU time per 1,000 touchpoints of this process and of its PostgreSQL backends
 * (read from /proc, so only for a server on this machine; elsewhere "n/a"). CPU time, unlike wall time, does not grow
 * when a loaded machine keeps the process waiting for a core: compare before and after by it.
 *
 * The first two batches (partitions made, connections opened) are left out of the figures.
 *
 *   node --import tsx scripts/bench/ingest-profile.ts [--customers 4000] [--batch 1000] [--parallel 2]
 *     [--database-url postgres://…] [--cpu-prof file.cpuprofile]   also a V8 CPU profile of the measured part
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Touchpoint } from '../../src/contract/index.js';
import { generateDemoBank } from '../../src/demo/index.js';
import { compileCatalog } from '../../src/domain/decision/catalog.js';
import { applyTouchpoints, type CustomerProfile } from '../../src/domain/journeys/profile.js';
import { readSeedCatalog } from '../../src/runtime/node.js';
import { openPostgres } from '../../src/store/drivers/postgres.js';
import { migrate } from '../../src/store/migrations.js';
import type { SqlClient, SqlDatabase } from '../../src/store/sql.js';
import { createSqlStore, customerSubject } from '../../src/store/store.js';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '4000' },
    batch: { type: 'string', default: '1000' },
    parallel: { type: 'string', default: '2' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    'cpu-prof': { type: 'string' },
  },
});
const url = values['database-url'];
// The store's connections carry this name, so their backends (and their CPU time) can be told from anyone else's.
const application = `touchpoint ingest profile ${process.pid}`;
process.env.PGAPPNAME = application;
const admin = new pg.Client({ connectionString: url, application_name: `${application} admin` });
await admin.connect();

/** CPU milliseconds of each of the store's backends, or null when /proc does not show them (a remote server). */
async function backendCpu(): Promise<Map<number, number> | null> {
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
    application,
  ]);
  const cpu = new Map<number, number>();
  try {
    for (const { pid } of rows) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ');
      cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1_000) / 100);
    }
  } catch {
    return null;
  }
  return cpu;
}

const statements = new Map<string, { calls: number; ms: number }>();
const record = (name: string, ms: number) => {
  const entry = statements.get(name) ?? { calls: 0, ms: 0 };
  entry.calls++;
  entry.ms += ms;
  statements.set(name, entry);
};
const timed = (client: SqlClient): SqlClient => ({
  query: async (text, params) => {
    const started = performance.now();
    try {
      return await client.query(text, params);
    } finally {
      record(text.replace(/\s+/g, ' ').trim().slice(0, 72), performance.now() - started);
    }
  },
});

const schema = `tp_ingest_profile_${Date.now().toString(36)}`;
const raw = await openPostgres({ connectionString: url, schema });
await migrate(raw);
const db: SqlDatabase = {
  ...raw,
  query: (text, params) => timed(raw).query(text, params),
  transaction: (fn) => raw.transaction((tx) => fn(timed(tx))),
};
const store = createSqlStore(db);
try {
  await store.createPartitionsAhead(new Date());
  const catalog = compileCatalog(readSeedCatalog());
  await store.saveCatalog(catalog.source);
  let updateMs = 0;
  const update = (profile: CustomerProfile, stored: readonly Touchpoint[]) => {
    const started = performance.now();
    const updated = applyTouchpoints(profile, stored, catalog.productOfPage, catalog.journeyOf);
    updateMs += performance.now() - started;
    return updated;
  };
  const bank = generateDemoBank({ now: new Date(), customers: Number(values.customers) });
  const rows = bank.touchpoints.map(({ customerId, ...touchpoint }) => ({
    subject: customerSubject(customerId),
    touchpoint: { ...(touchpoint as Touchpoint), id: crypto.randomUUID() },
  }));
  const size = Number(values.batch);
  const chunks: Array<typeof rows> = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  await Promise.all(chunks.splice(0, 2).map((chunk) => store.ingestForSubjects(chunk, update)));
  statements.clear();
  updateMs = 0;

  const session = values['cpu-prof'] ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const backendsBefore = await backendCpu();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let stored = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(values.parallel) }, async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++] as typeof rows;
        const began = performance.now();
        const { accepted } = await store.ingestForSubjects(chunk, update);
        record('(whole ingestForSubjects call)', performance.now() - began);
        stored += accepted.length;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  const backendsAfter = await backendCpu();
  if (session && values['cpu-prof']) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(values['cpu-prof'], JSON.stringify(profile));
  }
  let backendMs: number | null = null;
  if (backendsBefore && backendsAfter) {
    backendMs = 0;
    for (const [pid, ms] of backendsAfter) backendMs += ms - (backendsBefore.get(pid) ?? 0);
  }
  const per1000 = (ms: number) => ((ms / stored) * 1_000).toFixed(1);
  console.log(
    `${stored} touchpoints in ${seconds.toFixed(2)} s = ${Math.round(stored / seconds)}/s (batches of ${size}, ${values.parallel} at a time)`,
  );
  console.log(
    `CPU ms per 1,000 touchpoints: this process ${per1000((cpu.user + cpu.system) / 1_000)}, PostgreSQL backends ${backendMs === null ? 'n/a' : per1000(backendMs)}; profile updates ${per1000(updateMs)} (wall)`,
  );
  console.log('wall ms per 1,000 touchpoints, by statement (summed over the calls running at once):');
  for (const [name, { calls, ms }] of [...statements].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`${per1000(ms).padStart(8)} ${String(calls).padStart(6)}×  ${name}`);
  }
} finally {
  await store.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
}
