import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeToken } from '../../src/domain/token-bucket.js';
import { clientAddress } from '../../src/http/rate-limit.js';
import { type RunningServer, startNodeServer } from '../../src/runtime/node.js';
import { openStore } from '../../src/store/open.js';
import { tokenBuckets } from '../../src/store/shared-limits.js';
import {
  customerToken,
  decisionRequest,
  demoCatalog,
  engines,
  MOBILE_KEY,
  NOW,
  TEST_CONFIG,
  touchpointOf,
  useHarness,
} from '../support/harness.js';

describe('token buckets', () => {
  const limit = { ratePerSecond: 2, burst: 3 };

  it('allow a burst, then one request per refill, and say how long to wait', () => {
    let bucket: Parameters<typeof takeToken>[0];
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const step = takeToken(bucket, limit, 1_000);
      bucket = step.bucket;
      waits.push(step.waitMs);
    }
    expect(waits).toEqual([0, 0, 0, 500]);
    expect(takeToken(bucket, limit, 1_500).waitMs).toBe(0);
  });

  it('never hold more than the burst, however long a key was quiet', () => {
    const buckets = tokenBuckets();
    buckets.take('k', limit, 0);
    const waits = [0, 1, 2, 3].map(() => buckets.take('k', limit, 3_600_000));
    expect(waits).toEqual([0, 0, 0, 500]);
  });

  it('keep memory bounded by dropping the least recently used keys', () => {
    const buckets = tokenBuckets({ maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) buckets.take(`address:${i}`, limit, i);
    expect(buckets.size).toBe(100);
  });
});

describe('the client address', () => {
  it('is the connection’s peer unless proxies are trusted', () => {
    expect(clientAddress('10.0.0.5', '203.0.113.9', 0)).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', undefined, 1)).toBe('10.0.0.5');
  });

  it('behind trusted proxies is the entry the outermost trusted proxy appended, never one the client wrote', () => {
    expect(clientAddress('10.0.0.5', '203.0.113.9', 1)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.5', '6.6.6.6, 203.0.113.9', 1)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.5', '6.6.6.6, 203.0.113.9, 10.0.0.4', 2)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.5', '203.0.113.9', 3)).toBe('203.0.113.9');
  });
});

describe.each(engines)('rate limits per customer and per site key, on $name', (engine) => {
  const h = useHarness(engine, {
    config: {
      ...TEST_CONFIG,
      rateLimits: { perCustomer: { ratePerSecond: 1, burst: 3 }, perSiteKey: { ratePerSecond: 1, burst: 8 } },
    },
  });

  it('a customer over their limit gets 429 with Retry-After; another customer is not held back; time refills it', async () => {
    const alice = await customerToken('c-alice');
    const bob = await customerToken('c-bob');
    const decide = (token: string) => h.post('/v1/decisions', decisionRequest(['dashboard-hero']), { token });
    for (let i = 0; i < 3; i++) expect((await decide(alice)).status).toBe(200);
    const limited = await decide(alice);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(await limited.json()).toMatchObject({ status: 429, detail: expect.stringMatching(/customer/) });
    // A refused ingest stores nothing.
    const before = await h.rowCounts();
    const refusedIngest = await h.post(
      '/v1/touchpoints',
      { anonymousId: crypto.randomUUID(), touchpoints: [touchpointOf('page_view', { page: '/pension' })] },
      { token: alice },
    );
    expect(refusedIngest.status).toBe(429);
    expect((await h.rowCounts()).touchpoints).toBe(before.touchpoints);

    expect((await decide(bob)).status).toBe(200);
    h.setNow(new Date(NOW.getTime() + 1_000));
    expect((await decide(alice)).status).toBe(200);
  });

  it('a site key over its limit gets 429; the other channel’s key is not held back', async () => {
    let status = 200;
    let served = 0;
    while (status === 200 && served < 20) {
      status = (await h.get('/v1/placements')).status;
      if (status === 200) served += 1;
    }
    expect(served).toBe(8);
    expect(status).toBe(429);
    expect((await h.get('/v1/placements', { key: MOBILE_KEY })).status).toBe(200);
  });
});

describe('rate limits per client address, over real connections', () => {
  const servers: RunningServer[] = [];
  const start = async (trustedProxies: number) => {
    const store = await openStore({});
    await store.saveCatalog(demoCatalog);
    const server = await startNodeServer({
      port: 0,
      store,
      log: () => {},
      config: {
        ...TEST_CONFIG,
        rateLimits: { perAddress: { ratePerSecond: 0.001, burst: 3 }, trustedProxies },
      },
    });
    servers.push(server);
    return (forwardedFor?: string) =>
      fetch(`${server.url}/v1/placements`, {
        headers: {
          'x-touchpoint-key': 'pk_demo_netbank',
          ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
        },
      }).then(async (response) => {
        await response.arrayBuffer();
        return response.status;
      });
  };
  let direct: Awaited<ReturnType<typeof start>>;
  let proxied: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    direct = await start(0);
    proxied = await start(1);
  });
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  it('limits the connection’s address; a client writing X-Forwarded-For itself changes nothing', async () => {
    const statuses = [];
    for (const forwarded of ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4', undefined])
      statuses.push(await direct(forwarded));
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('behind a trusted proxy, limits the address the proxy saw, each on its own', async () => {
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await proxied('198.51.100.7'));
    expect(first).toEqual([200, 200, 200, 429]);
    // Prepending an address of one's own does not escape the limit.
    expect(await proxied('6.6.6.6, 198.51.100.7')).toBe(429);
    expect(await proxied('198.51.100.8')).toBe(200);
  });
});
