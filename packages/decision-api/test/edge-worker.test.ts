import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseCustomerId, decisionCases, partnerTouchpointsOf, touchpointsOf } from '../../../test/cases/index.js';
import { buildWorker, WORKER_COMPATIBILITY } from '../scripts/build-worker.js';
import { DEMO_PARTNER_SECRET } from '../src/config.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import {
  customerToken,
  decisionRequest,
  demoCatalog,
  MOBILE_KEY,
  NETBANK_KEY,
  touchpointOf,
} from './support/harness.js';

const databaseUrl = process.env.TEST_DATABASE_URL;

/**
 * The edge deployment: src/runtime/worker.ts bundled as it is deployed and run inside workerd (through miniflare),
 * with its store on PostgreSQL over TCP from inside the runtime. The same contract as on Node, asserted over HTTP.
 */
describe.skipIf(!databaseUrl)('the decision API inside workerd', () => {
  const schema = `tp_test_edge_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  let store: Store;
  let worker: Miniflare;
  let base: URL;
  let folder: string;

  beforeAll(async () => {
    // Migrations are a release step, not the worker's: the schema is made up to date first.
    store = await openStore({ databaseUrl: databaseUrl as string, schema });
    await store.saveCatalog(demoCatalog);
    folder = await mkdtemp(join(tmpdir(), 'touchpoint-worker-'));
    const scriptPath = await buildWorker(join(folder, 'worker.js'));
    worker = new Miniflare({
      modules: true,
      scriptPath,
      modulesRoot: folder,
      compatibilityDate: WORKER_COMPATIBILITY.date,
      compatibilityFlags: [...WORKER_COMPATIBILITY.flags],
      // Seeded as the API tests' harness is, so the learner's draws (and the decision cases) replay exactly.
      bindings: { DATABASE_URL: databaseUrl as string, DATABASE_SCHEMA: schema, TOUCHPOINT_RANDOM_SEED: '20261122' },
    });
    base = await worker.ready;
  }, 180_000);

  afterAll(async () => {
    await worker?.dispose();
    await store?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }, 60_000);

  const send = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(new URL(path, base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-touchpoint-key': NETBANK_KEY, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const tokenFor = (customerId: string) =>
    customerToken(customerId, { expiresAt: Math.floor(Date.now() / 1000) + 600 });
  const stored = (ids: string[]) => store.countTouchpointsWithIds(ids);

  it('decides for an anonymous visitor, and the decision is stored with its trace', async () => {
    const response = await send('/v1/decisions', decisionRequest(['dashboard-hero']));
    expect(response.status).toBe(200);
    const { decisions } = (await response.json()) as {
      decisions: Array<{ placement: string; decisionId: string; offer: { offerId: string } | null }>;
    };
    expect(decisions.map((decision) => decision.placement)).toEqual(['dashboard-hero']);
    const id = decisions[0]?.decisionId as string;
    // Written after the answer, within the request (waitUntil).
    await expect.poll(() => store.decision(id), { timeout: 20_000 }).not.toBeNull();
  });

  it('decides for a customer with a token, filing their touchpoints under the token’s subject', async () => {
    const token = await tokenFor('c-edge-1');
    const anonymousId = crypto.randomUUID();
    const now = new Date();
    const touchpoints = [
      {
        id: crypto.randomUUID(),
        type: 'product_view',
        occurredAt: now.toISOString(),
        channel: 'netbank',
        product: 'car_loan',
      },
    ];
    const ingest = await send('/v1/touchpoints', { anonymousId, touchpoints }, { authorization: `Bearer ${token}` });
    expect(ingest.status).toBe(200);
    expect(await store.countTouchpoints('c:c-edge-1')).toBe(1);
    const response = await send('/v1/decisions', decisionRequest(['dashboard-hero'], '/dashboard', anonymousId), {
      authorization: `Bearer ${token}`,
    });
    expect(response.status).toBe(200);
    const forged = await send('/v1/decisions', decisionRequest(['dashboard-hero']), {
      authorization: `Bearer ${token.slice(0, -4)}AAAA`,
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('keeps the valid touchpoints of a batch and refuses the invalid item naming its field', async () => {
    const good = touchpointOf('page_view', { occurredAt: new Date().toISOString() });
    const bad = touchpointOf('teleported', { occurredAt: new Date().toISOString() });
    const response = await send('/v1/touchpoints', { anonymousId: crypto.randomUUID(), touchpoints: [good, bad] });
    expect(response.status).toBe(200);
    const result = (await response.json()) as {
      accepted: string[];
      rejected: Array<{ index: number; errors: Array<{ path: string }> }>;
    };
    expect(result.accepted).toEqual([good.id]);
    expect(result.rejected).toEqual([
      { index: 1, id: bad.id, errors: [expect.objectContaining({ path: '/touchpoints/1/type' })] },
    ]);
    expect(await stored([good.id as string, bad.id as string])).toBe(1);
    // Sent again: acknowledged, stored once.
    const again = await send('/v1/touchpoints', { anonymousId: crypto.randomUUID(), touchpoints: [good] });
    expect(await again.json()).toMatchObject({ accepted: [], duplicates: [good.id] });
  });

  it('answers bad input with 4xx problem+json naming the field, and stores nothing', async () => {
    const before = await store.countTouchpoints();
    const unknownField = await send('/v1/decisions', { ...decisionRequest(['dashboard-hero']), surprise: 1 });
    expect(unknownField.status).toBe(422);
    expect(unknownField.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(await unknownField.json())).toContain('surprise');

    const noPlacements = await send('/v1/decisions', { ...decisionRequest([]), placements: 'hero' });
    expect(noPlacements.status).toBe(422);
    expect(((await noPlacements.json()) as { errors: Array<{ path: string }> }).errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/placements' })]),
    );
    const malformed = await send('/v1/touchpoints', '{"anonymousId":');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const noKey = await send('/v1/decisions', decisionRequest(['dashboard-hero']), {
      'x-touchpoint-key': 'pk_unknown_key',
    });
    expect(noKey.status).toBe(401);
    const tooLarge = await send('/v1/touchpoints', 'x'.repeat(3 * 1024 * 1024 + 1));
    expect(tooLarge.status).toBe(413);
    expect(await store.countTouchpoints()).toBe(before);
  });

  // Before the catalog test below: its polling makes a varying number of decisions, and the cases expect the seeded
  // draws to come in the same order on every run.
  it.each(decisionCases.cases)('decision case: $story', async (testCase) => {
    const now = new Date();
    const key = testCase.channel === 'netbank' ? NETBANK_KEY : MOBILE_KEY;
    const anonymousId = crypto.randomUUID();
    const customerId = caseCustomerId('c-edge');
    const partnerTouchpoints = partnerTouchpointsOf(testCase, now, customerId);
    const token = partnerTouchpoints.length > 0 ? await tokenFor(customerId) : undefined;
    const auth: Record<string, string> = {
      'x-touchpoint-key': key,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    };
    if (partnerTouchpoints.length > 0) {
      const raw = JSON.stringify({ touchpoints: partnerTouchpoints });
      const timestamp = String(Math.floor(now.getTime() / 1000));
      const signature = createHmac('sha256', DEMO_PARTNER_SECRET).update(`${timestamp}.${raw}`).digest('hex');
      const reported = await fetch(new URL('/v1/partner/touchpoints', base), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-touchpoint-partner': 'car-marketplace',
          'x-touchpoint-timestamp': timestamp,
          'x-touchpoint-signature': `v1=${signature}`,
        },
        body: raw,
      });
      expect(((await reported.json()) as { accepted: string[] }).accepted).toHaveLength(partnerTouchpoints.length);
    }
    const touchpoints = touchpointsOf(testCase, now);
    if (touchpoints.length > 0) {
      const ingest = await send('/v1/touchpoints', { anonymousId, touchpoints }, auth);
      expect(((await ingest.json()) as { accepted: string[] }).accepted).toHaveLength(touchpoints.length);
    }
    const response = await send(
      '/v1/decisions',
      {
        anonymousId,
        context: { channel: testCase.channel, page: testCase.page, locale: 'en', consent: 'granted' },
        placements: testCase.placements,
      },
      auth,
    );
    expect(response.status).toBe(200);
    const { decisions } = (await response.json()) as {
      decisions: Array<{ placement: string; offer: { offerId: string } | null }>;
    };
    expect(Object.fromEntries(decisions.map((d) => [d.placement, d.offer?.offerId ?? null]))).toEqual(testCase.expect);
  });

  it('serves a catalog version saved elsewhere within seconds (reread after answering, no listening connection)', async () => {
    const heroName = async () => {
      const response = await fetch(new URL('/v1/placements', base), { headers: { 'x-touchpoint-key': NETBANK_KEY } });
      const { placements } = (await response.json()) as { placements: Array<{ id: string; name: string }> };
      return placements.find((placement) => placement.id === 'dashboard-hero')?.name;
    };
    expect(await heroName()).toBe('Dashboard hero');
    await store.saveCatalog({
      ...demoCatalog,
      version: '2026-11-edge-2',
      placements: demoCatalog.placements.map((placement) =>
        placement.id === 'dashboard-hero' ? { ...placement, name: 'Edge hero' } : placement,
      ),
    });
    await expect.poll(heroName, { timeout: 30_000, interval: 500 }).toBe('Edge hero');
    // Back to the demo catalog for the decision cases.
    await store.saveCatalog({ ...demoCatalog, version: '2026-11-edge-3' });
    await expect.poll(heroName, { timeout: 30_000, interval: 500 }).toBe('Dashboard hero');
  });
});
