/**
 * `pnpm bench:limits`: what the shared rate limits cost a request. Prints, for the check of one decision request
 * (its address, site key and customer buckets in one statement), the latency of the check alone on PostgreSQL and in
 * memory, one at a time and with 10 requests at once on the same site key (one hot row); then a decision request
 * end to end in process on PostgreSQL with the limits on and off. Prints only; never fails on timings.
 *
 *   BENCH_DATABASE_URL=postgres://… the PostgreSQL to use (default postgres://postgres@127.0.0.1:5432/test); a fresh
 *                                   schema, dropped at the end
 *   BENCH_QUICK=1                   fewer requests
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { createTouchpointApp } from '../../src/app.js';
import { type ApiConfigInput, DEMO_CONFIG } from '../../src/config.js';
import { type RateRule, rateLimiter } from '../../src/http/rate-limit.js';
import { readSeedCatalog } from '../../src/runtime/node.js';
import { openStore } from '../../src/store/open.js';
import { memoryLimits, type SharedLimits } from '../../src/store/shared-limits.js';
import type { Store } from '../../src/store/store.js';
import { decisionRequests } from './requests.js';

const QUICK = process.env.BENCH_QUICK === '1';
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CHECKS = QUICK ? 2_000 : 10_000;
const DECISIONS = QUICK ? 1_000 : 4_000;
const CONCURRENCY = 10;
const LIMIT = { ratePerSecond: 1e6, burst: 1e9 };

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
const ms = (value: number) => Math.round(value * 1000) / 1000;

/** Runs `count` calls of `work`, `concurrency` at a time; each call's latency in ms, and calls per second. */
async function measure(count: number, concurrency: number, work: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await work(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    'p50 ms': ms(percentile(latencies, 0.5)),
    'p99 ms': ms(percentile(latencies, 0.99)),
    'mean ms': ms(latencies.reduce((a, b) => a + b, 0) / latencies.length),
    'per s': Math.round(count / seconds),
  };
}

function checkOf(limits: SharedLimits) {
  const check = rateLimiter({ limits, now: () => new Date(), deadlineMs: 10_000 });
  // 5,000 customers and 500 addresses, as a busy channel sees them; one site key, so one row every request updates.
  return (i: number) =>
    check([
      { scope: 'address', key: `10.0.${i % 500}.1`, limit: LIMIT },
      { scope: 'site key', key: 'pk_demo_netbank', limit: LIMIT },
      { scope: 'customer', key: `c-${i % 5_000}`, limit: LIMIT },
    ] satisfies RateRule[]);
}

async function decisionsPerRequest(store: Store, rateLimits: ApiConfigInput['rateLimits']) {
  const config: ApiConfigInput = { ...DEMO_CONFIG, rateLimits };
  const touchpoint = await createTouchpointApp({ store, config, followChanges: false });
  const requests = await decisionRequests(Array.from({ length: 500 }, (_, i) => `bench-${i}`));
  const send = async (i: number) => {
    const { headers, body } = requests[i % requests.length] as (typeof requests)[number];
    const response = await touchpoint.app.request('http://bench/v1/decisions', { method: 'POST', headers, body });
    if (response.status !== 200) throw new Error(`decision answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  };
  // Warm: profiles kept in memory would hide the store; the change feed is off, so every decision reads its profile.
  for (let i = 0; i < 200; i++) await send(i);
  const sequential = await measure(DECISIONS, 1, send);
  const concurrent = await measure(DECISIONS, CONCURRENCY, send);
  await touchpoint.detach();
  await touchpoint.flush();
  return { sequential, concurrent };
}

async function main() {
  console.log(`[bench] load average at start ${loadavg()[0]?.toFixed(2)}; ${CHECKS} checks, ${DECISIONS} decisions`);
  const schema = `tp_bench_limits_${Date.now().toString(36)}`;
  const store = await openStore({ databaseUrl: DATABASE_URL, schema });
  try {
    await store.saveCatalog(readSeedCatalog());
    const rows: Record<string, Record<string, number>> = {};
    const memoryCheck = checkOf(memoryLimits());
    const sqlCheck = checkOf(store.limits);
    for (let i = 0; i < 500; i++) await sqlCheck(i);
    rows['memory, one at a time'] = await measure(CHECKS, 1, memoryCheck);
    rows['PostgreSQL, one at a time'] = await measure(CHECKS, 1, sqlCheck);
    rows[`PostgreSQL, ${CONCURRENCY} at once`] = await measure(CHECKS, CONCURRENCY, sqlCheck);
    console.log('\n== the rate-limit check of one request (address, site key, customer in one statement) ==');
    console.table(rows);

    const on = await decisionsPerRequest(store, {
      perAddress: LIMIT,
      perSiteKey: LIMIT,
      perCustomer: LIMIT,
    });
    const off = await decisionsPerRequest(store, { perAddress: null, perSiteKey: null, perCustomer: null });
    console.log('\n== POST /v1/decisions in process on PostgreSQL, shared limits on and off ==');
    console.table({
      'limits on, one at a time': on.sequential,
      'limits off, one at a time': off.sequential,
      [`limits on, ${CONCURRENCY} at once`]: on.concurrent,
      [`limits off, ${CONCURRENCY} at once`]: off.concurrent,
    });
    console.log(
      `added per decision: p50 ${ms(on.sequential['p50 ms'] - off.sequential['p50 ms'])} ms one at a time, ${ms(on.concurrent['p50 ms'] - off.concurrent['p50 ms'])} ms at ${CONCURRENCY} at once`,
    );
  } finally {
    await store.close();
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
