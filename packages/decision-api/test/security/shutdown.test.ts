import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNodeServer } from '../../src/runtime/node.js';
import { openStore } from '../../src/store/open.js';
import { customerToken, decisionRequest, demoCatalog, TEST_CONFIG, touchpointOf } from '../support/harness.js';

describe('stopping the Node server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'touchpoint-shutdown-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stops accepting, finishes the request in flight, writes the buffered decisions, then closes the store', {
    timeout: 120_000,
  }, async () => {
    const seeded = await openStore({ dataDir });
    await seeded.saveCatalog(demoCatalog);
    await seeded.close();
    const server = await startNodeServer({ port: 0, dataDir, config: TEST_CONFIG, log: () => {} });
    const { port } = new URL(server.url);

    // A decision whose record waits in the buffer when the server is asked to stop.
    const token = await customerToken('c-shutdown', { expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    const decided = await fetch(`${server.url}/v1/decisions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-touchpoint-key': 'pk_demo_netbank',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(decisionRequest(['dashboard-hero'])),
    });
    expect(decided.status).toBe(200);
    const { decisions } = (await decided.json()) as { decisions: Array<{ decisionId: string }> };

    // A batch half sent when the server is asked to stop.
    const touchpoint = touchpointOf('page_view', { page: '/pension' });
    const body = JSON.stringify({ anonymousId: crypto.randomUUID(), touchpoints: [touchpoint] });
    const inFlight = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/touchpoints',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-touchpoint-key': 'pk_demo_netbank',
        // The server answers "100 Continue" once it has read the request line and headers: the signal that the
        // request is in flight.
        expect: '100-continue',
      },
    });
    const continued = new Promise<void>((resolve) => inFlight.once('continue', resolve));
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      inFlight.on('response', (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      inFlight.on('error', reject);
    });
    inFlight.flushHeaders();
    await continued;
    inFlight.write(body.slice(0, 40));

    const closing = server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    inFlight.end(body.slice(40));
    const response = await answered;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).accepted).toEqual([touchpoint.id]);
    await closing;

    const reopened = await openStore({ dataDir });
    expect(await reopened.countTouchpointsWithIds([touchpoint.id as string])).toBe(1);
    expect((await reopened.decision(decisions[0]?.decisionId as string))?.subject).toBe('c:c-shutdown');
    await reopened.close();
  });
});
