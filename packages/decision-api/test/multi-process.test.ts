import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiConfig, DEMO_CONFIG, DEMO_PARTNER_SECRET } from '../src/config.js';
import type { Catalog } from '../src/contract/index.js';
import { seedDemoBank } from '../src/demo/seed.js';
import { signBody } from '../src/http/partner-signature.js';
import { mintStaffToken } from '../src/http/staff-token.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { customerToken, decisionRequest, demoCatalog, NETBANK_KEY } from './support/harness.js';

const databaseUrl = process.env.TEST_DATABASE_URL;
const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

interface Instance {
  readonly url: string;
  readonly child: ChildProcess;
}

/** Every customer may make ten requests, however many instances serve them (and the refill is too slow to matter). */
const CUSTOMER_BURST = 10;
const RATE_LIMITS = {
  perAddress: null,
  perSiteKey: null,
  perCustomer: { ratePerSecond: 0.001, burst: CUSTOMER_BURST },
};

/** `touchpoint serve` in a process of its own, on a port the system picks, against the test schema. */
function serve(schema: string): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--port', '0'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema,
      TOUCHPOINT_RATE_LIMITS: JSON.stringify(RATE_LIMITS),
      // Generous deadlines: these tests assert what is shared, not speed, on a machine that may be busy (past the
      // decision deadline a process would limit on its own, as it does while the store is away).
      TOUCHPOINT_STORE_TIMEOUTS: JSON.stringify({ decisionMs: 10_000, ingestMs: 10_000 }),
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

async function stop({ child }: Instance): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const placementName = async (instance: Instance, id: string) => {
  const response = await fetch(`${instance.url}/v1/placements`, { headers: { 'x-touchpoint-key': NETBANK_KEY } });
  expect(response.status).toBe(200);
  const { placements } = (await response.json()) as { placements: Array<{ id: string; name: string }> };
  return placements.find((placement) => placement.id === id)?.name;
};

const withPlacementName = (version: string, name: string): Catalog => ({
  ...demoCatalog,
  version,
  placements: demoCatalog.placements.map((placement) =>
    placement.id === 'dashboard-hero' ? { ...placement, name } : placement,
  ),
});

describe.skipIf(!databaseUrl)('several processes sharing one PostgreSQL', () => {
  const schema = `tp_test_mp_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  let store: Store;
  const instances: Instance[] = [];

  beforeAll(async () => {
    store = await openStore({ databaseUrl: databaseUrl as string, schema });
    await seedDemoBank(store, { catalog: demoCatalog, now: new Date(), customers: 300 });
    instances.push(await serve(schema), await serve(schema));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(instances.map(stop));
    await store?.close();
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }, 60_000);

  it('a catalog version saved by anyone reaches every process within seconds', async () => {
    const [a, b] = instances as [Instance, Instance];
    expect(await placementName(a, 'dashboard-hero')).toBe('Dashboard hero');
    expect(await placementName(b, 'dashboard-hero')).toBe('Dashboard hero');

    // Saved through the store layer, as every path that publishes a catalog does.
    await store.saveCatalog(withPlacementName('2026-11-demo-2', 'Dashboard hero, renamed'));
    for (const instance of [a, b]) {
      await vi.waitFor(
        async () => expect(await placementName(instance, 'dashboard-hero')).toBe('Dashboard hero, renamed'),
        {
          timeout: 20_000,
          interval: 100,
        },
      );
    }
  });

  it('a cluster model trained through one process is the one the other uses', async () => {
    const [a, b] = instances as [Instance, Instance];
    const token = await mintStaffToken(
      ApiConfig.parse(DEMO_CONFIG).staffToken,
      { id: 'm.marketer', roles: ['marketer'] },
      { now: new Date() },
    );
    const active = async (instance: Instance) => {
      const response = await fetch(`${instance.url}/v1/admin/clusters`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return response.status === 200 ? ((await response.json()) as { version: number }).version : null;
    };
    const before = await active(b);
    const trained = await fetch(`${a.url}/v1/admin/clusters/train`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ k: 3, minClusterSize: 20 }),
    });
    expect(trained.status).toBe(201);
    const { model } = (await trained.json()) as { model: { version: number } };
    expect(model.version).not.toBe(before);
    expect(await active(a)).toBe(model.version);
    await vi.waitFor(async () => expect(await active(b)).toBe(model.version), { timeout: 20_000, interval: 100 });
  });

  it('a process whose listening connection is cut reconnects and catches up', async () => {
    const [a, b] = instances as [Instance, Instance];
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      const cut = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [`touchpoint listen ${schema}`.slice(0, 63)],
      );
      // One listening connection per process, whatever the number of holders it reloads.
      expect(cut.rowCount).toBe(2);
    } finally {
      await admin.end();
    }
    // Saved while the feed may still be down: the reconnection rereads what it follows.
    await store.saveCatalog(withPlacementName('2026-11-demo-3', 'Dashboard hero, after the cut'));
    for (const instance of [a, b]) {
      await vi.waitFor(
        async () => expect(await placementName(instance, 'dashboard-hero')).toBe('Dashboard hero, after the cut'),
        { timeout: 60_000, interval: 200 },
      );
    }
  }, 90_000);

  /** A partner's signed request, as its server sends it: once signed, it is sent as it is to any instance. */
  async function signedPartnerRequest(customerId: string) {
    const body = JSON.stringify({
      touchpoints: [
        {
          id: crypto.randomUUID(),
          type: 'external_visit',
          occurredAt: new Date().toISOString(),
          customerId,
          site: 'car-marketplace',
          product: 'car_loan',
        },
      ],
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = await signBody(DEMO_PARTNER_SECRET, timestamp, body);
    return (instance: Instance) =>
      fetch(`${instance.url}/v1/partner/touchpoints`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-touchpoint-partner': 'car-marketplace',
          'x-touchpoint-timestamp': timestamp,
          'x-touchpoint-signature': signature,
        },
        body,
      });
  }

  it('a partner request accepted by one process is refused by the other as a replay', async () => {
    const [a, b] = instances as [Instance, Instance];
    const send = await signedPartnerRequest('replayed-customer');
    const accepted = await send(a);
    expect(accepted.status).toBe(200);
    const replayed = await send(b);
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get('content-type')).toContain('application/problem+json');
    expect(((await replayed.json()) as { type: string }).type).toContain('signature-replayed');
    expect((await send(a)).status).toBe(401);
  });

  it('the same signature sent to both processes at once is accepted by exactly one', async () => {
    const [a, b] = instances as [Instance, Instance];
    const send = await signedPartnerRequest('raced-customer');
    const statuses = await Promise.all(
      [a, b, a, b].map(async (instance) => {
        const response = await send(instance);
        await response.arrayBuffer();
        return response.status;
      }),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
  });

  it('a customer’s rate limit holds across both processes: together they allow no more than the limit', async () => {
    const [a, b] = instances as [Instance, Instance];
    const token = await customerToken('limited-customer', { expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    const decide = async (instance: Instance, as = token) => {
      const response = await fetch(`${instance.url}/v1/decisions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-touchpoint-key': NETBANK_KEY,
          authorization: `Bearer ${as}`,
        },
        body: JSON.stringify(decisionRequest(['dashboard-hero'])),
      });
      await response.arrayBuffer();
      return { instance, status: response.status };
    };
    // Three times the limit, spread over both processes and sent at once.
    const answers = await Promise.all(Array.from({ length: 3 * CUSTOMER_BURST }, (_, i) => decide(i % 2 ? a : b)));
    const allowed = answers.filter((answer) => answer.status === 200);
    expect(allowed.length).toBeLessThanOrEqual(CUSTOMER_BURST);
    // Without sharing, each process would have allowed ten; nothing else refused them.
    expect(allowed.length).toBe(CUSTOMER_BURST);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(2 * CUSTOMER_BURST);
    // Another customer is not held back by it.
    const other = await customerToken('other-customer', { expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    expect((await decide(b, other)).status).toBe(200);
  });
});
