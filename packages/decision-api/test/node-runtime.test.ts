import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CONFIG } from '../src/config.js';
import { type RunningServer, startNodeServer } from '../src/runtime/node.js';
import { openStore } from '../src/store/open.js';
import { customerSubject } from '../src/store/store.js';
import { customerToken, demoCatalog, NETBANK_KEY } from './support/harness.js';
import { loopbackCrm } from './support/loopback-crm.js';

const CRM_SECRET = 'crm-webhook-secret-of-the-demo-bank-0123';

describe('the Node server with a CRM configured', () => {
  const crm = loopbackCrm();
  let server: RunningServer | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await server?.close();
    await crm.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  // The embedded store is opened on disk three times here, which takes a while on a busy machine.
  it('sends a newly qualified lead to the CRM in the background, and stops sending when it closes', {
    timeout: 180_000,
  }, async () => {
    crm.answerWith(200);
    await crm.start();
    dataDir = await mkdtemp(join(tmpdir(), 'touchpoint-node-'));
    const store = await openStore({ dataDir });
    await store.saveCatalog(demoCatalog);
    await store.putProfiles([
      {
        subject: customerSubject('c-node-1'),
        profile: {
          journeys: {},
          productsHeld: [],
          dismissed: {},
          converted: {},
          impressions: {},
          touchpointCount: 0,
          lastSeenAt: null,
          attributes: { branch: 'Vejle', contactConsent: true },
        },
      },
    ]);
    await store.close();

    server = await startNodeServer({
      port: 0,
      dataDir,
      config: { ...DEMO_CONFIG, crm: { url: crm.url(), secret: CRM_SECRET } },
      leadDeliveryIntervalMs: 20,
      log: () => {},
    });
    const now = new Date();
    const priced = (n: number) => ({
      id: crypto.randomUUID(),
      type: n === 0 ? 'product_view' : 'calculator_used',
      occurredAt: new Date(now.getTime() - 1_000 + n).toISOString(),
      channel: 'netbank',
      product: 'car_loan',
    });
    const response = await fetch(`${server.url}/v1/touchpoints`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-touchpoint-key': NETBANK_KEY,
        authorization: `Bearer ${await customerToken('c-node-1', { expiresAt: Math.floor(now.getTime() / 1000) + 600 })}`,
      },
      body: JSON.stringify({ anonymousId: crypto.randomUUID(), touchpoints: [0, 1, 2, 3, 4].map(priced) }),
    });
    expect(response.status).toBe(200);

    await vi.waitFor(() => expect(crm.received).toHaveLength(1), { timeout: 20_000, interval: 50 });
    const [delivery] = crm.received;
    const timestamp = String(delivery?.headers['x-touchpoint-timestamp']);
    const signature = createHmac('sha256', CRM_SECRET).update(`${timestamp}.${delivery?.body}`).digest('hex');
    expect(delivery?.headers['x-touchpoint-signature']).toBe(`v1=${signature}`);
    expect(JSON.parse(delivery?.body ?? '')).toMatchObject({ customerId: 'c-node-1', product: 'car_loan' });

    await server.close();
    server = undefined;
    const reopened = await openStore({ dataDir });
    try {
      expect((await reopened.leadOutbox()).map((event) => event.deliveredAt !== null)).toEqual([true]);
    } finally {
      await reopened.close();
    }
  });
});
