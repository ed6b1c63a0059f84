import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFor, engines, type Harness, startHarness } from '../support/harness.js';

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
});
