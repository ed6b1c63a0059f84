import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFor, engines, type Harness, staffToken, startHarness } from '../support/harness.js';

describe('the API describes itself', () => {
  const database = databaseFor(engines[0]!);
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(await database.open());
  });
  afterAll(async () => {
    await h.dispose();
    await database.close();
  });

  it('serves an OpenAPI 3.1 document generated from the contract', async () => {
    const doc = await (await h.get('/openapi.json', { key: null })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/touchpoints', '/v1/decisions', '/v1/placements', '/healthz']),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'Touchpoint',
        'TouchpointBatch',
        'TouchpointBatchResult',
        'DecisionRequest',
        'DecisionResponse',
        'Problem',
      ]),
    );
    expect(doc.components.schemas.TouchpointType.enum).toContain('calculator_used');
    expect(doc.paths['/v1/touchpoints'].post.responses['422'].content['application/problem+json']).toBeDefined();
  });

  it('serves readable docs that need no scripts', async () => {
    const response = await h.get('/docs', { key: null });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('POST /v1/decisions');
    expect(html).not.toContain('<script');
  });

  it('reports health with the store engine and catalog version', async () => {
    const health = await (await h.get('/healthz', { key: null })).json();
    expect(health).toMatchObject({ status: 'ok', store: 'pglite', catalogVersion: expect.any(String) });
  });

  it('answers liveness without naming the store', async () => {
    const response = await h.get('/livez', { key: null });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers an unknown route with problem+json', async () => {
    const response = await h.get('/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers a known path asked with another method 405 with Allow, as problem+json', async () => {
    const health = await h.delete('/healthz', { key: null });
    expect(health.status).toBe(405);
    expect(health.headers.get('allow')).toBe('GET, HEAD');
    expect(health.headers.get('content-type')).toContain('application/problem+json');
    expect(await health.json()).toMatchObject({ status: 405, title: 'Method not allowed' });

    // Authentication comes first; then the route's methods are told.
    const token = await staffToken(['viewer']);
    const experiments = await h.touchpoint.app.request('http://touchpoint.test/v1/admin/experiments', {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(experiments.status).toBe(405);
    expect(experiments.headers.get('allow')).toBe('GET, HEAD, POST');
    const touchpoints = await h.get('/v1/touchpoints');
    expect(touchpoints.status).toBe(405);
    expect(touchpoints.headers.get('allow')).toBe('POST');
  });

  it('counts a body as it streams, whatever its Content-Length says', async () => {
    const megabyte = new Uint8Array(1024 * 1024).fill(0x20);
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 300) controller.close();
        else controller.enqueue(megabyte);
      },
    });
    const response = await h.touchpoint.app.request(
      new Request('http://touchpoint.test/v1/touchpoints', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '10', 'x-touchpoint-key': 'pk_demo_netbank' },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ status: 413, title: 'Request body too large' });
    // The read stopped at the limit (512 KB): the first megabyte crossed it, and little more was asked for.
    expect(pulled).toBeLessThan(5);
  });
});
