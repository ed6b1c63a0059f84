/**
 * Soak: bounded mixed load (ingest and decisions) on loopback against a Node server in this process, reporting
 * requests, errors, p50/p99 latency and memory at the start, middle and end. Not part of `pnpm test`.
 *
 *   pnpm soak [--seconds 60] [--concurrency 16] [--database-url postgres://…]
 *
 * Rate limits are off (one loopback address would hit them); the load generator shares the process, so the memory
 * figures include it.
 */
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { DEMO_CONFIG, DEMO_CUSTOMER_TOKEN_SECRET } from '../src/config.js';
import { readSeedCatalog, startNodeServer } from '../src/runtime/node.js';
import { openStore } from '../src/store/open.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '16' },
    'database-url': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;

const store = await openStore(databaseUrl ? { databaseUrl, schema: `tp_soak_${Date.now().toString(36)}` } : {});
await store.saveCatalog(readSeedCatalog());
const server = await startNodeServer({
  port: 0,
  store,
  log: () => {},
  config: { ...DEMO_CONFIG, rateLimits: { perAddress: null, perSiteKey: null, perCustomer: null } },
});

const secret = new TextEncoder().encode(DEMO_CUSTOMER_TOKEN_SECRET);
const customers = await Promise.all(
  Array.from({ length: 200 }, async (_, i) => ({
    device: crypto.randomUUID(),
    token: await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(`c-soak-${String(i).padStart(4, '0')}`)
      .setIssuer('demo-bank')
      .setAudience('touchpoint')
      .setExpirationTime('2h')
      .sign(secret),
  })),
);
const PAGES: Array<[string, string | undefined]> = [
  ['/dashboard', undefined],
  ['/loans/car', 'car_loan'],
  ['/pension', 'pension'],
  ['/mortgage', 'mortgage'],
];
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;

type Kind = 'ingest' | 'decision';
const latencies: Record<Kind, number[]> = { ingest: [], decision: [] };
const statuses = new Map<string, number>();
let errors = 0;
let accepted = 0;
let degraded = 0;

async function call(kind: Kind, path: string, body: unknown, token: string | undefined): Promise<void> {
  const started = performance.now();
  try {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-touchpoint-key': 'pk_demo_netbank',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    latencies[kind].push(performance.now() - started);
    statuses.set(`${kind} ${response.status}`, (statuses.get(`${kind} ${response.status}`) ?? 0) + 1);
    if (response.headers.has('x-touchpoint-degraded')) degraded += 1;
    if (!response.ok) errors += 1;
    else if (kind === 'ingest') accepted += (JSON.parse(text) as { accepted: string[] }).accepted.length;
  } catch {
    errors += 1;
  }
}

function oneRequest(): Promise<void> {
  const customer = pick(customers);
  const token = Math.random() < 0.5 ? customer.token : undefined;
  const [page, product] = pick(PAGES);
  if (Math.random() < 0.5) {
    const touchpoints = Array.from({ length: 5 + Math.floor(Math.random() * 15) }, () => ({
      id: crypto.randomUUID(),
      type: product && Math.random() < 0.3 ? 'calculator_used' : 'page_view',
      occurredAt: new Date().toISOString(),
      channel: 'netbank',
      page,
      ...(product ? { product } : {}),
    }));
    return call('ingest', '/v1/touchpoints', { anonymousId: customer.device, touchpoints }, token);
  }
  const context = { channel: 'netbank', page, locale: pick(['da', 'en']), consent: 'granted' };
  return call(
    'decision',
    '/v1/decisions',
    { anonymousId: customer.device, context, placements: ['dashboard-hero', 'product-sidebar'] },
    token,
  );
}

const memory = () => {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: Math.round(rss / 2 ** 20), heapMb: Math.round(heapUsed / 2 ** 20) };
};
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);

// A short warm-up, so the first sample is of a running server rather than of start-up.
const warmUntil = Date.now() + 2_000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < warmUntil) await oneRequest();
  }),
);
latencies.ingest = [];
latencies.decision = [];
statuses.clear();
errors = 0;
degraded = 0;

const samples: Array<{ at: string; rssMb: number; heapMb: number }> = [{ at: 'start', ...memory() }];
const started = Date.now();
const deadline = started + seconds * 1000;
const middle = setTimeout(() => samples.push({ at: 'middle', ...memory() }), (seconds * 1000) / 2);
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline) await oneRequest();
  }),
);
clearTimeout(middle);
samples.push({ at: 'end', ...memory() });
const elapsed = (Date.now() - started) / 1000;

await server.touchpoint.flush();
const stored = await store.countTouchpoints();
const report = {
  seconds: Math.round(elapsed),
  concurrency,
  store: store.engine,
  requests: latencies.ingest.length + latencies.decision.length,
  perSecond: Math.round((latencies.ingest.length + latencies.decision.length) / elapsed),
  errors,
  /** Decisions answered with generic content because the store missed its deadline. */
  degradedDecisions: degraded,
  statuses: Object.fromEntries([...statuses].sort()),
  latencyMs: Object.fromEntries(
    (['ingest', 'decision'] as const).map((kind) => {
      const sorted = [...latencies[kind]].sort((a, b) => a - b);
      return [
        kind,
        {
          count: sorted.length,
          p50: Math.round(percentile(sorted, 50) * 10) / 10,
          p99: Math.round(percentile(sorted, 99) * 10) / 10,
        },
      ];
    }),
  ),
  touchpointsStored: stored,
  touchpointsAccepted: accepted,
  memory: samples,
};
console.log(JSON.stringify(report, null, 2));
await server.close();
