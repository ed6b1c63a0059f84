/**
 * The benchmark's server: the real Node runtime on a store seeded with the demo bank, in a process of its own so
 * the load generator does not share its event loop. Prints one JSON line with the URL and the customer ids, then
 * serves until its standard input closes. A line "drain <label>" on standard input reports the event loop since the
 * last one and writes the decision records still waiting.
 *
 *   node --import tsx scripts/bench/server.ts [--customers 2000] [--database-url postgres://…]
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DEMO_CONFIG } from '../../src/config.js';
import { startNodeServer } from '../../src/runtime/node.js';
import { openPglite } from '../../src/store/drivers/pglite.js';
import { openPostgres } from '../../src/store/drivers/postgres.js';
import { migrate } from '../../src/store/migrations.js';
import { createSqlStore } from '../../src/store/store.js';

const { values } = parseArgs({
  options: { customers: { type: 'string', default: '2000' }, 'database-url': { type: 'string' } },
});
const customers = Number(values.customers);
const databaseUrl = values['database-url'];
const schema = `tp_bench_${Date.now().toString(36)}`;
// The database itself is kept at hand, to count the decision records it holds against those the server kept.
const db = databaseUrl ? await openPostgres({ connectionString: databaseUrl, schema }) : await openPglite();
await migrate(db);
const store = createSqlStore(db);
await store.createPartitionsAhead(new Date());
const storedDecisions = async () =>
  (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM decisions'))[0]?.n ?? 0;
const { seedDemoBank } = await import('../../src/demo/seed.js');
const { trainAndActivateClusters } = await import('../../src/jobs/cluster-training.js');
const { readSeedCatalog } = await import('../../src/runtime/node.js');
const now = new Date();
const seeded = await seedDemoBank(store, { catalog: readSeedCatalog(), now, customers });
await trainAndActivateClusters(store, { now, trainedBy: 'bench' });
const server = await startNodeServer({
  port: 0,
  store,
  log: () => {},
  // One loopback address sends everything: the rate limits would measure themselves.
  config: { ...DEMO_CONFIG, rateLimits: { perAddress: null, perSiteKey: null, perCustomer: null } },
});
const { recorder } = server.touchpoint.services;
// How long the event loop was held up (a request waiting behind other work), and the garbage collector's long pauses.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const longPauses: number[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.duration >= 20) longPauses.push(Math.round(entry.duration));
}).observe({ entryTypes: ['gc'] });
/** The event loop's delays and the long collector pauses since the last report; each report starts the count anew. */
const loopReport = (label: string) => {
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  process.stderr.write(
    `[bench] ${label}: event loop delay p50 ${ms(loopDelay.percentile(50))} ms, p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms; GC pauses ≥ 20 ms: ${longPauses.length ? longPauses.join(', ') : 'none'}\n`,
  );
  loopDelay.reset();
  longPauses.length = 0;
};
const ids = Array.from({ length: customers }, (_, i) => `c-${String(i + 1).padStart(5, '0')}`);
process.stdout.write(`${JSON.stringify({ url: server.url, engine: store.engine, customers: ids, seeded })}\n`);

let closing = false;
const close = async () => {
  if (closing) return;
  closing = true;
  const { hits, misses } = server.touchpoint.services.profileCache.stats();
  process.stderr.write(`[bench] profile reads: ${hits} from memory, ${misses} from the store\n`);
  process.stderr.write(
    `[bench] decision records: ${recorder.kept} kept, ${recorder.pending} waiting at the end; ${recorder.refused} decisions shed (records behind the store)\n`,
  );
  loopReport('since the last row');
  await server.close();
  if (databaseUrl) {
    // The schema was the benchmark's own.
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
  process.exit(0);
};
// "drain <label>" on standard input: reports the event loop since the last drain under that label, writes every
// decision record still waiting, then answers with a JSON line of how many were written behind the load, how many the
// server kept and refused in all, and how many rows the decisions table holds, so each benchmark row starts with
// nothing owed to the store and a record lost between the recorder and the table shows as kept − stored.
createInterface({ input: process.stdin }).on('line', async (line) => {
  const [command, ...label] = line.trim().split(' ');
  if (command !== 'drain') return;
  if (label.length > 0) loopReport(label.join(' '));
  const waited = recorder.pending;
  for (let round = 0; round < 600 && recorder.pending > 0; round++) await recorder.flush();
  process.stdout.write(
    `${JSON.stringify({ drained: waited, pending: recorder.pending, kept: recorder.kept, refused: recorder.refused, stored: await storedDecisions() })}\n`,
  );
});
process.stdin.on('end', close);
process.stdin.on('close', close);
process.on('SIGTERM', close);
