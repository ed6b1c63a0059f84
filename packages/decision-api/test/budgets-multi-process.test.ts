import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BudgetInput, Catalog } from '../src/contract/index.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { demoCatalog, NETBANK_KEY } from './support/harness.js';

const databaseUrl = process.env.TEST_DATABASE_URL;
const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
/** Short leases, so a killed process's block comes back within the test. */
const LEASE_MS = 1_000;
const BLOCK_SHARE = 0.005;
/** The largest overshoot the ledger allows: two blocks per killed process (see src/budget-ledger.ts). */
const OVERSHOOT_PER_KILL = 2 * Math.max(1, Math.round(500 * BLOCK_SHARE));

interface Instance {
  readonly url: string;
  readonly child: ChildProcess;
}

/** Instances the test is killing: a request in flight to one may get no answer. */
const doomed = new Set<Instance>();

function serve(schema: string): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--port', '0'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema,
      TOUCHPOINT_BUDGETS: JSON.stringify({ leaseMs: LEASE_MS, syncMs: 100, blockShare: BLOCK_SHARE }),
      // Thousands of decisions from one test address.
      TOUCHPOINT_RATE_LIMITS: JSON.stringify({ perAddress: null, perSiteKey: null, perCustomer: null }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no server started:\n${output}`)), 90_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /decision API on (http:\/\/[^\s]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1], child });
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}`));
    });
  });
}

async function stop({ child }: Instance, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

const campaign = (id: string, placement: string): BudgetInput => ({
  id,
  name: id,
  scope: { kind: 'placement', placement },
  measure: 'served_decisions',
  period: 'campaign',
  pacing: 'asap',
  maximum: 500,
  from: new Date(Date.now() - 86_400_000).toISOString(),
  to: new Date(Date.now() + 86_400_000).toISOString(),
});

/** One anonymous visitor's decision for one placement; true when an offer was served. */
async function served(instance: Instance, placement: string, page: string): Promise<boolean> {
  const answer = fetch(`${instance.url}/v1/decisions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-touchpoint-key': NETBANK_KEY },
    body: JSON.stringify({
      anonymousId: crypto.randomUUID(),
      context: { channel: 'netbank', page, locale: 'en', consent: 'granted' },
      placements: [placement],
    }),
  });
  const response = await answer.catch((error: unknown) => {
    // A request in flight to the process the test kills gets no answer: nothing was served to anyone.
    if (doomed.has(instance)) return null;
    throw error;
  });
  if (!response) return false;
  expect(response.status).toBe(200);
  const { decisions } = (await response.json()) as { decisions: Array<{ offer: unknown }> };
  return decisions[0]?.offer !== null;
}

/** `count` decisions, `concurrency` at a time, spread over the instances; how many served an offer. */
async function run(
  instances: () => readonly Instance[],
  count: number,
  placement: string,
  page: string,
  onServed?: (total: number) => void,
): Promise<number> {
  let asked = 0;
  let total = 0;
  await Promise.all(
    Array.from({ length: 40 }, async (_, worker) => {
      while (asked < count) {
        const list = instances();
        const instance = list[(asked + worker) % list.length] as Instance;
        asked++;
        if (await served(instance, placement, page)) {
          total++;
          onServed?.(total);
        }
      }
    }),
  );
  return total;
}

describe.skipIf(!databaseUrl)('a budget shared by several processes on one PostgreSQL', () => {
  const schema = `tp_test_bmp_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  let store: Store;
  let instances: Instance[] = [];

  beforeAll(async () => {
    store = await openStore({ databaseUrl: databaseUrl as string, schema });
    await store.saveCatalog(
      Catalog.parse({
        ...demoCatalog,
        version: 'budgets-multi-process',
        budgets: [campaign('hero-500', 'dashboard-hero'), campaign('sidebar-500', 'product-sidebar')],
      }),
    );
    instances = [await serve(schema), await serve(schema)];
  }, 240_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => stop(instance)));
    await store?.close();
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }, 60_000);

  it('10,000 concurrent decisions for many customers against a budget of 500 serve at most 500 and at least 490', async () => {
    const total = await run(() => instances, 10_000, 'dashboard-hero', '/dashboard');
    expect(total).toBeLessThanOrEqual(500);
    expect(total).toBeGreaterThanOrEqual(490);
  }, 300_000);

  it('with one process killed mid-run, its leased block comes back after the lease timeout', async () => {
    const [a, b] = instances as [Instance, Instance];
    let alive: Instance[] = [a, b];
    let killing: Promise<void> | undefined;
    const first = await run(
      () => alive,
      4_000,
      'product-sidebar',
      '/loans/car',
      (total) => {
        if (total >= 200 && !killing) {
          alive = [b];
          doomed.add(a);
          killing = stop(a, 'SIGKILL');
        }
      },
    );
    await killing;
    expect(a.child.signalCode).toBe('SIGKILL');
    // Demand goes on at the survivor until the budget is spent: the killed process's unspent block is back once its
    // lease has timed out, so this ends.
    let total = first;
    for (let round = 0; round < 60 && total < 500 - OVERSHOOT_PER_KILL; round++) {
      total += await run(() => [b], 200, 'product-sidebar', '/loans/car');
    }
    expect(total).toBeLessThanOrEqual(500 + OVERSHOOT_PER_KILL);
    expect(total).toBeGreaterThanOrEqual(490);
    const [counter] = await store.budgetCounters.counters([{ budgetId: 'sidebar-500', period: 'campaign' }]);
    expect(counter?.used).toBeLessThanOrEqual(500);
  }, 300_000);
});
