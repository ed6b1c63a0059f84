import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiConfig, DEMO_CONFIG } from '../../src/config.js';
import { purgeExpiredTouchpoints, startRetentionJob } from '../../src/jobs/retention.js';
import { startNodeServer } from '../../src/runtime/node.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { customerToken, demoCatalog, engines, NOW, touchpointOf, useHarness } from '../support/harness.js';

const DAY_MS = 86_400_000;
const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();

describe.each(engines)('retention on $name', (engine) => {
  const h = useHarness(engine);
  const anonymousId = '5b0c8c2e-3d0f-4a51-9a51-0d3f1b2c4d5e';

  /** Old and recent touchpoints of a customer, offer touchpoints among them, through the API. */
  const history = async () => {
    const old = [
      touchpointOf('page_view', { page: '/loans/car', occurredAt: daysBefore(NOW, 500) }),
      touchpointOf('offer_impression', {
        offer: 'car-loan-green',
        placement: 'dashboard-hero',
        occurredAt: daysBefore(NOW, 400),
      }),
      touchpointOf('offer_click', {
        offer: 'car-loan-green',
        placement: 'dashboard-hero',
        occurredAt: daysBefore(NOW, 396),
      }),
    ];
    const recent = [
      touchpointOf('product_view', { product: 'car_loan', occurredAt: daysBefore(NOW, 394) }),
      touchpointOf('offer_impression', { offer: 'car-loan-green', placement: 'dashboard-hero' }),
    ];
    const response = await h.post(
      '/v1/touchpoints',
      { anonymousId, touchpoints: [...old, ...recent] },
      { token: await customerToken('c-retained') },
    );
    expect(response.status).toBe(200);
    return { old: old.map((t) => t.id as string), recent: recent.map((t) => t.id as string) };
  };

  it('counts offer touchpoints per day on ingest, and a repeated batch does not count twice', async () => {
    const impression = touchpointOf('offer_impression', { offer: 'car-loan-green', placement: 'dashboard-hero' });
    const click = touchpointOf('offer_click', { offer: 'car-loan-green', placement: 'dashboard-hero' });
    const unplaced = touchpointOf('conversion', { offer: 'car-loan-green' });
    const batch = { anonymousId, touchpoints: [impression, click, unplaced, touchpointOf('page_view')] };
    expect((await h.post('/v1/touchpoints', batch)).status).toBe(200);
    expect((await h.post('/v1/touchpoints', batch)).status).toBe(200);
    const day = NOW.toISOString().slice(0, 10);
    expect(await h.store.offerDailyCounts()).toEqual([
      {
        day,
        offerId: 'car-loan-green',
        placement: '',
        channel: 'netbank',
        type: 'conversion',
        cluster: '',
        stage: '',
        count: 1,
      },
      {
        day,
        offerId: 'car-loan-green',
        placement: 'dashboard-hero',
        channel: 'netbank',
        type: 'offer_click',
        cluster: '',
        stage: '',
        count: 1,
      },
      {
        day,
        offerId: 'car-loan-green',
        placement: 'dashboard-hero',
        channel: 'netbank',
        type: 'offer_impression',
        cluster: '',
        stage: '',
        count: 1,
      },
    ]);
  });

  it('purges only touchpoints older than the retention, in batches, and the daily counts stay', async () => {
    const { old, recent } = await history();
    const counts = await h.store.offerDailyCounts();
    expect(counts.reduce((sum, row) => sum + row.count, 0)).toBe(3);

    const result = await purgeExpiredTouchpoints(h.store, { now: NOW, touchpointDays: 395, batchSize: 2 });
    expect(result).toEqual({ cutoff: new Date(daysBefore(NOW, 395)), deleted: old.length });
    expect(await h.store.countTouchpointsWithIds(old)).toBe(0);
    expect(await h.store.countTouchpointsWithIds(recent)).toBe(recent.length);
    expect(await h.store.offerDailyCounts()).toEqual(counts);

    const again = await purgeExpiredTouchpoints(h.store, { now: NOW, touchpointDays: 395 });
    expect(again.deleted).toBe(0);
  });

  it('runs the purge at once when the job starts, and stopping waits for it', async () => {
    const { old, recent } = await history();
    const logged: string[] = [];
    const job = startRetentionJob({
      store: h.store,
      touchpointDays: 395,
      now: () => NOW,
      everyMs: 3_600_000,
      log: (message) => logged.push(message),
    });
    await job.stop();
    expect(await h.store.countTouchpointsWithIds(old)).toBe(0);
    expect(await h.store.countTouchpointsWithIds(recent)).toBe(recent.length);
    expect(logged).toEqual([`[touchpoint] retention: purged 3 touchpoints from before ${daysBefore(NOW, 395)}`]);
  });

  it('refuses a retention shorter than a day', async () => {
    await expect(purgeExpiredTouchpoints(h.store, { now: NOW, touchpointDays: 0 })).rejects.toThrow(/touchpointDays/);
    expect(() => ApiConfig.parse({ ...DEMO_CONFIG, retention: { touchpointDays: 0 } })).toThrow();
    expect(ApiConfig.parse(DEMO_CONFIG).retention.touchpointDays).toBe(395);
  });
});

describe('the purge from the command line and in the running server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'touchpoint-retention-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

  const store = () => openStore({ dataDir });
  const insertAged = async (target: Store, ages: number[]) => {
    const now = new Date();
    const rows = ages.map((days) => ({
      subject: 'c:c-aged' as const,
      anonymousId: null,
      touchpoint: {
        id: crypto.randomUUID(),
        type: 'offer_impression' as const,
        occurredAt: daysBefore(now, days),
        channel: 'netbank' as const,
        offer: 'car-loan-green',
        placement: 'dashboard-hero',
      },
    }));
    await target.insertTouchpoints(rows);
  };

  it('`touchpoint purge` deletes what is past the retention; the server purges on start', async () => {
    const first = await store();
    await first.saveCatalog(demoCatalog);
    await insertAged(first, [500, 40, 1]);
    await first.close();

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', cli, 'purge', '--data-dir', dataDir, '--days', '30'],
      { env: { ...process.env, DATABASE_URL: '' } },
    );
    expect(stdout).toMatch(/purged 2 touchpoints/);

    const second = await store();
    expect(await second.countTouchpoints()).toBe(1);
    await insertAged(second, [400, 2]);
    await second.close();

    const logged: string[] = [];
    const server = await startNodeServer({
      dataDir,
      port: 0,
      config: { ...DEMO_CONFIG, retention: { touchpointDays: 395 } },
      log: (message) => logged.push(message),
    });
    await server.close();
    expect(logged.some((line) => /retention: purged 1 touchpoints/.test(line))).toBe(true);

    const third = await store();
    expect(await third.countTouchpoints()).toBe(2);
    const impressions = (await third.offerDailyCounts()).reduce((sum, row) => sum + row.count, 0);
    expect(impressions).toBe(5);
    await third.close();
  }, 180_000);
});
