import { describe, expect, it } from 'vitest';
import { engines, useHarness } from '../support/harness.js';
import { credentialsOf, IDENTITIES, isAllowed, ROUTE_MATRIX } from './route-matrix.js';

describe.each(engines)('who may call what, on $name', (engine) => {
  const h = useHarness(engine);

  // Every route × every identity, with every table counted around each call: minutes on a busy machine.
  it('every route, replayed as every identity: the allowed ones are served, the others refused with nothing written', {
    timeout: 240_000,
  }, async () => {
    const wrong: string[] = [];
    for (const route of ROUTE_MATRIX) {
      for (const identity of IDENTITIES) {
        const { path, body } = route.request();
        const rawBody = body === undefined ? undefined : JSON.stringify(body);
        const headers = await credentialsOf(identity, rawBody ?? '');
        if (rawBody !== undefined) headers['content-type'] = 'application/json';
        const before = await h.tableCounts();
        const response = await h.touchpoint.app.request(`http://touchpoint.test${path}`, {
          method: route.method.toUpperCase(),
          headers,
          ...(rawBody !== undefined ? { body: rawBody } : {}),
        });
        await response.arrayBuffer();
        const label = `${route.method.toUpperCase()} ${route.path} as ${identity}: ${response.status}`;
        if (response.status >= 500) wrong.push(`${label} (server error)`);
        else if (isAllowed(route, identity)) {
          if (response.status === 401 || response.status === 403) wrong.push(`${label} (should be allowed)`);
        } else {
          if (response.status !== 401 && response.status !== 403) wrong.push(`${label} (should be refused)`);
          const after = await h.tableCounts();
          if (JSON.stringify(after) !== JSON.stringify(before)) {
            wrong.push(`${label} wrote ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  // Walks every route × identity: its time grows with the matrix, so it gets room of its own.
  it('every route that takes a body refuses one over its size limit (413) and unknown fields (422), storing nothing', {
    timeout: 240_000,
  }, async () => {
    const wrong: string[] = [];
    for (const route of ROUTE_MATRIX) {
      const { path, body } = route.request();
      if (body === undefined || route.allowed === 'everyone') continue;
      const identity = route.allowed[0] as (typeof IDENTITIES)[number];
      const variants: Array<[string, unknown, number]> = [
        ['oversize', { ...(body as object), pad: 'x'.repeat(3 * 1024 * 1024) }, 413],
        ['unknown fields', { ...(body as object), isAdmin: true, subject: 'c:c-victim' }, 422],
      ];
      for (const [label, variant, expected] of variants) {
        const rawBody = JSON.stringify(variant);
        const headers = { ...(await credentialsOf(identity, rawBody)), 'content-type': 'application/json' };
        const before = await h.tableCounts();
        const response = await h.touchpoint.app.request(`http://touchpoint.test${path}`, {
          method: route.method.toUpperCase(),
          headers,
          body: rawBody,
        });
        const problem = (await response.json()) as { errors?: Array<{ path: string }> };
        if (response.status !== expected) wrong.push(`${route.path} ${label}: ${response.status}`);
        if (expected === 422 && !problem.errors?.some((error) => error.path === '/isAdmin')) {
          wrong.push(`${route.path} ${label}: the unknown field is not named`);
        }
        if (JSON.stringify(await h.tableCounts()) !== JSON.stringify(before))
          wrong.push(`${route.path} ${label}: wrote`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the matrix names every operation of the OpenAPI document, and every route the API serves', async () => {
    const key = (method: string, path: string) => `${method.toLowerCase()} ${path}`;
    const inMatrix = new Set(ROUTE_MATRIX.map((route) => key(route.method, route.path)));
    expect(inMatrix.size).toBe(ROUTE_MATRIX.length);

    const document = (await (await h.get('/openapi.json', { key: null })).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => key(method, path)),
    );
    expect(documented.length).toBeGreaterThan(0);
    expect(documented.filter((operation) => !inMatrix.has(operation))).toEqual([]);

    // Routes registered without an OpenAPI entry count too; middleware (method ALL) does not.
    const served = h.touchpoint.app.routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => key(route.method, route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')));
    expect(served.filter((operation) => !inMatrix.has(operation))).toEqual([]);
    expect([...inMatrix].filter((operation) => !served.includes(operation))).toEqual([]);
  });
});
