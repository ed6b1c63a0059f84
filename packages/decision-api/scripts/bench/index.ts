/**
 * `pnpm bench`: the decision API's figures on this machine, printed as tables and written to docs/benchmarks.md
 * (between the markers it owns; the rest of that file is left as it is). Benchmarks print; they never fail on timings
 * and are not part of `pnpm test`.
 *
 *   pnpm bench                      the full run (a few minutes)
 *   BENCH_QUICK=1 pnpm bench        a smaller, shorter run
 *   BENCH_DATABASE_URL=postgres://… the PostgreSQL to use (default postgres://postgres@127.0.0.1:5432/test);
 *                                   each run uses a fresh schema and drops it; unreachable: those rows are skipped
 *   BENCH_ONLY=http,decide,whatif,ingest,clusters   some sections only (docs/benchmarks.md is then not written)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import type { Catalog, Offer, Touchpoint } from '../../src/contract/index.js';
import { generateDemoBank } from '../../src/demo/index.js';
import { trainClusters } from '../../src/domain/clustering/clusters.js';
import { compileCatalog } from '../../src/domain/decision/catalog.js';
import { decide } from '../../src/domain/decision/decide.js';
import { seededRandom } from '../../src/domain/decision/learning.js';
import { FEATURE_NAMES } from '../../src/domain/journeys/features.js';
import { applyTouchpoints, type CustomerProfile } from '../../src/domain/journeys/profile.js';
import { readSeedCatalog } from '../../src/runtime/node.js';
import { openStore } from '../../src/store/open.js';
import { customerSubject, type Subject } from '../../src/store/store.js';
import { demoProfiles } from './demo-profiles.js';
import { openLoop } from './open-loop.js';
import { decisionRequests } from './requests.js';
import { whatIfBench } from './what-if.js';

const QUICK = process.env.BENCH_QUICK === '1';
/** The machine's 1-minute load average as the run began: other work on it moves every figure. */
const STARTED_LOAD = loadavg()[0]?.toFixed(2) ?? 'unknown';
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const wants = (section: string) => !ONLY || ONLY.includes(section);
const DOC = fileURLToPath(new URL('../../../../docs/benchmarks.md', import.meta.url));
const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
const HTTP_SECONDS = QUICK ? 4 : 10;
const CONNECTIONS = 10;
const FIXED_RATE = 1_000;

type Row = Record<string, string | number>;
interface Section {
  readonly title: string;
  readonly note: string;
  readonly rows: Row[];
  readonly lines: string[];
}
const sections: Section[] = [];

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const fmt = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 1 });

function printTable(section: Section): void {
  console.log(`\n== ${section.title} ==`);
  if (section.rows.length > 0) console.table(section.rows);
  for (const line of section.lines) console.log(line);
}

/** A markdown table with its columns padded to one width, as the repository's formatter (Biome) lays them out. */
function markdownTable(rows: Row[]): string {
  if (rows.length === 0) return '';
  const head = Object.keys(rows[0] as Row);
  const cell = (value: string | number | undefined) =>
    typeof value === 'number' ? fmt(value) : String(value ?? '').replace(/\|/g, '\\|');
  const body = rows.map((row) => head.map((key) => cell(row[key])));
  const widths = head.map((title, i) => Math.max(3, title.length, ...body.map((cells) => (cells[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((text, i) => text.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(head), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}

async function postgresReachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP: /v1/decisions against a trivial JSON route on the same server, in the same run.

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly customers: string[];
  readonly seeded: { customers: number; touchpoints: number };
  /**
   * Has the server report its event loop since the last drain (under `label`, when given) and write the decision
   * records still waiting; resolves with how many records it has kept and refused in all, and how many are stored.
   */
  readonly drain: (label?: string) => Promise<Drained>;
}

interface Drained {
  readonly kept: number;
  readonly refused: number;
  readonly stored: number;
}

async function startServer(databaseUrl: string | undefined, customers: number): Promise<Served> {
  const args = ['--import', 'tsx', SERVER, '--customers', String(customers)];
  if (databaseUrl) args.push('--database-url', databaseUrl);
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ') ?? []), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`benchmark server exited with ${code}`)));
  });
  const drain = async (label?: string) => {
    const answer = new Promise<string>((resolve) => lines.once('line', resolve));
    child.stdin?.write(`drain${label ? ` ${label}` : ''}\n`);
    return JSON.parse(await answer) as Drained;
  };
  return { child, drain, ...(JSON.parse(first) as Omit<Served, 'child' | 'drain'>) };
}

async function stopServer(served: Served): Promise<void> {
  const exited = new Promise((resolve) => served.child.once('exit', resolve));
  served.child.stdin?.end();
  await exited;
}

interface Cannon {
  /** Answers per second; `served` counts the 2xx ones only (a shed request is answered, not served). */
  readonly rps: number;
  readonly served: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  /** Answers 503: requests the server shed. */
  readonly shed: number;
  readonly errors: number;
}

async function cannon(options: autocannon.Options): Promise<Cannon> {
  const result = await autocannon({ connections: CONNECTIONS, duration: HTTP_SECONDS, ...options });
  const byStatus = (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats;
  return {
    rps: result.requests.average,
    served: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    shed: byStatus?.['503']?.count ?? 0,
    errors: result.errors + result.timeouts,
  };
}

async function httpBench(engine: 'pglite' | 'postgres', databaseUrl?: string): Promise<Row[]> {
  const customers = QUICK ? 1_000 : 2_000;
  const started = Date.now();
  const served = await startServer(databaseUrl, customers);
  console.log(
    `[bench] ${engine}: seeded ${served.seeded.customers} customers, ${served.seeded.touchpoints} touchpoints in ${Date.now() - started} ms`,
  );
  try {
    const requests = await decisionRequests(served.customers);
    let next = 0;
    const decisions = {
      url: served.url,
      requests: [
        {
          method: 'POST' as const,
          path: '/v1/decisions',
          setupRequest: (request: autocannon.Request) => {
            const one = requests[next++ % requests.length] as (typeof requests)[number];
            return { ...request, headers: one.headers, body: one.body };
          },
        },
      ],
    };
    // Warm-up: the JIT, the connection pool and the store's caches, so the figures are of a running server.
    await cannon({ ...decisions, duration: 2 });
    // Each row starts with every decision record of the one before written. A record the server kept and the table
    // does not hold once the row's records are written was dropped; decisions the server refused to record were shed.
    let before = await served.drain();
    const droppedIn = async (row: string) => {
      const after = await served.drain(`${engine}, ${row}`);
      const dropped = after.kept - before.kept - (after.stored - before.stored);
      before = after;
      return dropped;
    };
    const trivial = await cannon({ url: `${served.url}/livez` });
    await droppedIn('/livez');
    const decided = await cannon(decisions);
    const decidedDropped = await droppedIn(`decisions, ${CONNECTIONS} connections`);
    const fixed = await cannon({ ...decisions, connections: 50, overallRate: FIXED_RATE });
    const fixedDropped = await droppedIn(`decisions, fixed ${fmt(FIXED_RATE)} req/s`);
    let spaced = 0;
    const even = await openLoop({
      url: served.url,
      path: '/v1/decisions',
      rate: FIXED_RATE,
      seconds: HTTP_SECONDS,
      request: () => requests[spaced++ % requests.length] as (typeof requests)[number],
    });
    const evenDropped = await droppedIn(`decisions, ${fmt(FIXED_RATE)} req/s evenly spaced`);
    const rows: Row[] = [
      {
        store: engine,
        route: 'GET /livez (trivial JSON)',
        load: `${CONNECTIONS} connections`,
        'req/s': Math.round(trivial.rps),
        'p50 ms': trivial.p50,
        'p99 ms': trivial.p99,
        'ratio to trivial': '1',
        'non-2xx or failed': trivial.non2xx + trivial.errors,
        'shed (503)': '',
        'records dropped': '',
      },
      {
        store: engine,
        route: 'POST /v1/decisions (logged in, 2 placements)',
        load: `${CONNECTIONS} connections`,
        'req/s': Math.round(decided.served),
        'p50 ms': decided.p50,
        'p99 ms': decided.p99,
        'ratio to trivial': (decided.served / trivial.rps).toFixed(3),
        'non-2xx or failed': decided.non2xx + decided.errors,
        'shed (503)': decided.shed,
        'records dropped': decidedDropped,
      },
      {
        store: engine,
        route: 'POST /v1/decisions (logged in, 2 placements)',
        load: `fixed ${fmt(FIXED_RATE)} req/s`,
        'req/s': Math.round(fixed.served),
        'p50 ms': fixed.p50,
        'p99 ms': fixed.p99,
        'ratio to trivial': '',
        'non-2xx or failed': fixed.non2xx + fixed.errors,
        'shed (503)': fixed.shed,
        'records dropped': fixedDropped,
      },
      {
        store: engine,
        route: 'POST /v1/decisions (logged in, 2 placements)',
        load: `${fmt(FIXED_RATE)} req/s evenly spaced`,
        'req/s': Math.round(even.rps),
        'p50 ms': Number(even.p50.toFixed(1)),
        'p99 ms': Number(even.p99.toFixed(1)),
        'ratio to trivial': '',
        'non-2xx or failed': even.failed,
        'shed (503)': even.shed,
        'records dropped': evenDropped,
      },
    ];
    return rows;
  } finally {
    await stopServer(served);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The pure decide function on catalogs of 10, 100 and 1,000 offers.

/** A valid catalog of `size` offers: the demo catalog's offers, repeated under new ids. */
function catalogOf(size: number): Catalog {
  const seed = readSeedCatalog();
  const offers: Offer[] = Array.from({ length: size }, (_, i) => {
    const offer = seed.offers[i % seed.offers.length] as Offer;
    return { ...offer, id: i < seed.offers.length ? offer.id : `${offer.id}-${i}`, triggeredOnly: false };
  });
  return { ...seed, version: `bench-${size}`, offers };
}

function decideBench(): Row[] {
  const profiles = demoProfiles(200);
  const now = new Date();
  return [10, 100, 1_000].map((size) => {
    const catalog = compileCatalog(catalogOf(size));
    const run = (calls: number) => {
      let offers = 0;
      for (let i = 0; i < calls; i++) {
        const outcomes = decide({
          catalog,
          profile: profiles[i % profiles.length] as CustomerProfile,
          context: { channel: 'netbank', page: '/dashboard', locale: 'en' },
          placements: ['dashboard-hero', 'product-sidebar'],
          now,
          seed: i,
        });
        offers += outcomes.length;
      }
      return offers;
    };
    const budgetMs = QUICK ? 500 : 1_500;
    run(50);
    let calls = 0;
    const started = performance.now();
    while (performance.now() - started < budgetMs) {
      run(20);
      calls += 20;
    }
    const elapsed = performance.now() - started;
    return {
      offers: size,
      calls,
      'µs per call': round((elapsed * 1_000) / calls, 1),
      'calls/s': Math.round((calls * 1_000) / elapsed),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Ingest into PostgreSQL through the store.

async function ingestBench(): Promise<Row[]> {
  const schema = `tp_bench_ingest_${Date.now().toString(36)}`;
  const store = await openStore({ databaseUrl: DATABASE_URL, schema });
  const catalog = compileCatalog(readSeedCatalog());
  await store.saveCatalog(catalog.source);
  const update = (profile: CustomerProfile, stored: readonly Touchpoint[]) =>
    applyTouchpoints(profile, stored, catalog.productOfPage, catalog.journeyOf);
  // The demo bank's history, with fresh ids: realistic pages, products and timestamps.
  const bank = generateDemoBank({ now: new Date(), customers: QUICK ? 2_000 : 6_000 });
  const rows = bank.touchpoints.map(({ customerId, ...touchpoint }) => ({
    subject: customerSubject(customerId),
    touchpoint: { ...(touchpoint as Touchpoint), id: crypto.randomUUID() },
  }));
  const results: Row[] = [];
  try {
    // Batches of many customers' touchpoints (a partner's batch, a replay), two transactions at a time.
    {
      const batch = 1_000;
      const chunks: Array<typeof rows> = [];
      for (let i = 0; i < rows.length; i += batch) chunks.push(rows.slice(i, i + batch));
      const started = performance.now();
      let stored = 0;
      await inParallel(chunks, 2, async (chunk) => {
        const { accepted } = await store.ingestForSubjects(chunk, update);
        stored += accepted.length;
      });
      const seconds = (performance.now() - started) / 1_000;
      results.push({
        path: `store.ingestForSubjects, batches of ${fmt(batch)}, 2 at a time`,
        touchpoints: stored,
        seconds: round(seconds, 2),
        'touchpoints/s': Math.round(stored / seconds),
      });
    }
    // One device's batch per call, as POST /v1/touchpoints sends it (20 touchpoints), eight calls at a time.
    {
      const bySubject = new Map<Subject, Touchpoint[]>();
      for (const { subject, touchpoint } of rows) {
        const list = bySubject.get(subject) ?? [];
        list.push({ ...touchpoint, id: crypto.randomUUID() });
        bySubject.set(subject, list);
      }
      const calls: Array<{ subject: Subject; touchpoints: Touchpoint[] }> = [];
      for (const [subject, list] of bySubject) {
        for (let i = 0; i < list.length; i += 20) calls.push({ subject, touchpoints: list.slice(i, i + 20) });
      }
      const limited = calls.slice(0, QUICK ? 1_000 : 3_000);
      const learning = { now: new Date(), halfLifeDays: catalog.source.learning.halfLifeDays };
      const started = performance.now();
      let stored = 0;
      await inParallel(limited, 8, async ({ subject, touchpoints }) => {
        const { accepted } = await store.ingest(subject, crypto.randomUUID(), touchpoints, update, learning);
        stored += accepted.length;
      });
      const seconds = (performance.now() - started) / 1_000;
      results.push({
        path: 'store.ingest, one customer × up to 20 per call, 8 at a time',
        touchpoints: stored,
        seconds: round(seconds, 2),
        'touchpoints/s': Math.round(stored / seconds),
      });
    }
  } finally {
    await store.close();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
  return results;
}

async function inParallel<T>(items: readonly T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Clustering: the whole training (k chosen by silhouette over 2…10, small clusters merged) on synthetic customers.

/** `n` customers drawn around eight hidden behaviours, with the model's feature count. */
function syntheticCustomers(n: number, d: number): number[][] {
  const random = seededRandom(7);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: 8 }, () => Array.from({ length: d }, () => random() * 4));
  return Array.from({ length: n }, () => {
    const centre = centres[Math.floor(random() * centres.length)] as number[];
    return centre.map((value) => Math.max(0, value + gaussian()));
  });
}

function clusterBench(): Row[] {
  const sizes = QUICK ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  const d = FEATURE_NAMES.length;
  return sizes.map((n) => {
    let vectors: number[][] | null = syntheticCustomers(n, d);
    const started = performance.now();
    const trained = trainClusters(vectors, { random: seededRandom(1), now: new Date() });
    const seconds = (performance.now() - started) / 1_000;
    vectors = null;
    return {
      customers: n,
      features: d,
      'k tried': trained.tried
        .map((t) => t.k)
        .join('…')
        .replace(/….*…/, '…'),
      'k chosen': trained.model.k,
      seconds: round(seconds, 2),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const unreachable = wants('http') || wants('ingest') ? await postgresReachable() : null;
  const skipped = (what: string) => `${what} skipped: PostgreSQL at ${DATABASE_URL} is unreachable (${unreachable})`;

  if (wants('http')) {
    const rows = await httpBench('pglite');
    const lines: string[] = [];
    if (unreachable) lines.push(skipped('PostgreSQL rows'));
    else rows.push(...(await httpBench('postgres', DATABASE_URL)));
    const section: Section = {
      title: 'Decisions over HTTP (loopback, autocannon)',
      note: `The real Node server (\`startNodeServer\`) in its own process, seeded with the demo bank (${fmt(QUICK ? 1_000 : 2_000)} customers, clusters trained); autocannon in the benchmark process, ${HTTP_SECONDS} s per row after a 2 s warm-up. Every decision is a logged-in customer's (a signed customer token, 500 different customers, each on one device), consent granted, two placements; each is recorded with its trace. A customer asks again and again, as on the page views of a visit: after their first decision their profile is kept in memory (\`src/snapshots/profile-cache.ts\`) and the decision reads nothing from the store; the server prints how many profiles it read from memory and from the store when it stops. "ratio to trivial" is decisions per second over \`GET /livez\` (a constant JSON body, no store) on the same server in the same run; goal ≥ 0.5. Goal at a fixed ${fmt(FIXED_RATE)} requests per second: p99 ≤ 10 ms. Two rows measure it. "fixed … req/s" is autocannon's \`overallRate\` over 50 connections: autocannon sends each second's quota back to back as fast as the server answers and then waits for the next second, so each second begins with a burst at full concurrency, and it "corrects" latency with an expected interval of 1 ms per connection (adding made-up samples for every millisecond a response took). "evenly spaced" is a constant arrival rate as wrk2 sends it (\`scripts/bench/open-loop.ts\`): request i is due at i / ${fmt(FIXED_RATE)} s and goes out then, on another keep-alive connection when all open ones are busy, and its latency counts from when it was due, so falling behind shows as latency; this is the row the goal is read on. "non-2xx or failed" counts error answers, connection errors and requests unanswered after autocannon's 10 s timeout (a server that cannot keep up with the fixed rate queues requests until they time out). Decision records are written behind the answers; before each row the server writes every record still waiting, so no row pays for the one before. A decision is served only once its record is kept: at most 10,000 records wait for the store (\`src/jobs/decision-recorder.ts\`), and beyond that the server sheds decision requests with 503 and \`Retry-After\` (the SDK shows its cached or default content), so a store that falls behind the decisions costs shed requests, neither records nor memory. "req/s" of a decision row counts the decisions served (2xx answers) a second, and the ratio is taken on it; "shed (503)" counts the requests refused so; "records dropped" is measured, not told: the records the server kept in the row less the rows the decisions table gained once they were written.`,
      rows,
      lines,
    };
    sections.push(section);
    printTable(section);
  }

  if (wants('decide')) {
    const section: Section = {
      title: 'The pure decide function',
      note: 'One call decides two placements for a demo customer (200 different profiles in turn) on the net-bank dashboard, with Thompson sampling seeded. Catalogs of 10, 100 and 1,000 offers repeat the demo catalog’s offers under new ids.',
      rows: decideBench(),
      lines: [],
    };
    sections.push(section);
    printTable(section);
  }

  if (wants('whatif')) {
    const section: Section = {
      title: 'What-if replay',
      note: 'A draft offer version and the live catalog decided side by side for each customer (both channels’ dashboards, every placement, posterior means as in a preview), then compared and checked for fairness by age band: the pure part of `GET /v1/admin/offers/{id}/versions/{n}/what-if`, without the store’s reads (the route reads the sample in one query and each customer’s bank scores). Demo profiles reused in turn.',
      rows: whatIfBench(QUICK ? [2_000, 20_000] : [2_000, 100_000]),
      lines: [],
    };
    sections.push(section);
    printTable(section);
  }

  if (wants('ingest')) {
    const section: Section = {
      title: 'Ingest into PostgreSQL',
      note: 'The store’s ingest path on a fresh schema: each call stores the touchpoints (one multi-row INSERT … SELECT FROM unnest), updates the customers’ profiles from them and counts offer touchpoints, in one transaction. The demo bank’s history with fresh ids. Goal ≥ 20,000 touchpoints/s with batching.',
      rows: unreachable ? [] : await ingestBench(),
      lines: unreachable ? [skipped('Ingest')] : [],
    };
    sections.push(section);
    printTable(section);
  }

  if (wants('clusters')) {
    const section: Section = {
      title: 'Clustering',
      note: `\`trainClusters\` end to end: standardise, k-means (3 starts per k; above 20,000 customers mini-batch k-means seeded on a sample), merging clusters under 100 customers, the silhouette on a 2,000-customer sample for each k from 2 to 10 (above 200,000 customers k is chosen on a 50,000-customer sample, then trained on all; mini-batch steps at most 1,000). Synthetic customers around eight hidden behaviours, ${FEATURE_NAMES.length} features (the model's). Goal: 1M customers in ≤ 60 s.`,
      rows: clusterBench(),
      lines: [],
    };
    sections.push(section);
    printTable(section);
  }

  if (ONLY) return;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const generated = [
    '<!-- bench:start (written by `pnpm bench`; edit outside these markers) -->',
    '## Server figures',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`pnpm bench\`${QUICK ? ' (BENCH_QUICK=1)' : ''}, Node ${process.version}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GB. Load average ${STARTED_LOAD} when the run began. The load generators (autocannon, the open-loop sender) and PostgreSQL share the machine's cores with the server: take the figures as orders of magnitude; the ratios, measured in one run, are the steadier numbers.`,
    '',
    ...sections.flatMap((section) => [
      `### ${section.title}`,
      '',
      section.note,
      '',
      markdownTable(section.rows),
      ...(section.lines.length > 0 ? ['', ...section.lines.map((line) => `_${line}_`)] : []),
      '',
    ]),
    '<!-- bench:end -->',
  ].join('\n');
  let doc: string;
  try {
    doc = readFileSync(DOC, 'utf8');
  } catch {
    doc = '# Benchmarks\n\n<!-- bench:start --><!-- bench:end -->\n';
  }
  const start = doc.indexOf('<!-- bench:start');
  const end = doc.indexOf('<!-- bench:end -->');
  doc =
    start >= 0 && end > start
      ? `${doc.slice(0, start)}${generated}${doc.slice(end + '<!-- bench:end -->'.length)}`
      : `${doc.trimEnd()}\n\n${generated}\n`;
  writeFileSync(DOC, doc);
  console.log(`\n[bench] wrote ${DOC}`);
}

await main();
