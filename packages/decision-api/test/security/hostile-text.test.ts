import { describe, expect, it, vi } from 'vitest';
import { seedDemoBank } from '../../src/demo/seed.js';
import { demoCatalog, engines, NOW, TEST_CONFIG, touchpointOf, useHarness } from '../support/harness.js';
import { credentialsOf, type Identity, ROUTE_MATRIX, type RouteAccess } from './route-matrix.js';

/** Text PostgreSQL cannot hold: `text` refuses NUL, `jsonb` refuses NUL and unpaired surrogate escapes. */
const UNSTORABLE: ReadonlyArray<readonly [string, string]> = [
  ['a NUL', 'a\u0000b'],
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate', 'x\udfffy'],
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const pointerOf = (path: Path) =>
  path.map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

/** Every string value and every object inside `value`, with its path. */
function places(value: Json, path: Path = []): Array<{ path: Path; kind: 'string' | 'object' }> {
  if (typeof value === 'string') return [{ path, kind: 'string' }];
  if (value === null || typeof value !== 'object') return [];
  const children = Array.isArray(value)
    ? value.flatMap((child, index) => places(child, [...path, index]))
    : Object.entries(value).flatMap(([key, child]) => places(child, [...path, key]));
  return Array.isArray(value) ? children : [{ path, kind: 'object' }, ...children];
}

function setAt(value: Json, path: Path, change: (node: Json) => Json): Json {
  if (path.length === 0) return change(value);
  const [head, ...rest] = path as [string | number, ...Path];
  if (Array.isArray(value)) return value.map((child, index) => (index === head ? setAt(child, rest, change) : child));
  const record = value as { [key: string]: Json };
  return { ...record, [head]: setAt(record[head] as Json, rest, change) };
}

/** The identity a valid request of the route is sent as. */
const callerOf = (route: RouteAccess): Identity =>
  route.allowed === 'everyone' ? 'nobody' : (route.allowed[0] as Identity);

/** The cluster a model trained for the test names, once there is one. */
let clusterPath: string | undefined;

/** Valid bodies with a free-form field or two, so text in nested properties is tried too. */
function validBodyOf(route: RouteAccess): { path: string; body: Json } | null {
  const { path, body } = route.request();
  if (body === undefined) return null;
  if (route.path === '/v1/admin/clusters/{version}/{clusterId}/name' && clusterPath)
    return { path: clusterPath, body: body as Json };
  if (route.path === '/v1/touchpoints') {
    const touchpoint = touchpointOf('calculator_used', {
      product: 'car_loan',
      page: '/loans/car',
      properties: { amount: 250000, note: 'blue' },
    });
    return {
      path,
      body: { ...(body as { [key: string]: Json }), touchpoints: [touchpoint as { [key: string]: Json }] },
    };
  }
  return { path, body: body as Json };
}

/** Batch routes keep the valid items when some are refused: their items' pointer prefix. */
const BATCHES: Record<string, string> = {
  '/v1/touchpoints': '/touchpoints',
  '/v1/partner/touchpoints': '/touchpoints',
  '/v1/admin/scores': '/scores',
};

describe.each(engines)('text the store cannot hold, on $name: refused naming the field, never a 5xx', (engine) => {
  const h = useHarness(engine, {
    config: { ...TEST_CONFIG, rateLimits: { perSiteKey: null, perAddress: null, perCustomer: null } },
  });

  const send = async (
    method: string,
    path: string,
    rawBody: string | Uint8Array<ArrayBuffer> | undefined,
    identity: Identity,
  ) => {
    const text =
      rawBody === undefined ? '' : typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('latin1');
    const headers = await credentialsOf(identity, text);
    if (rawBody !== undefined) headers['content-type'] = 'application/json';
    if (identity === 'partner' && rawBody instanceof Uint8Array) {
      // The partner signs the bytes it sends.
      const { createHmac } = await import('node:crypto');
      const { DEMO_PARTNER_SECRET } = await import('../../src/config.js');
      const timestamp = headers['x-touchpoint-timestamp'] as string;
      const mac = createHmac('sha256', DEMO_PARTNER_SECRET)
        .update(Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(rawBody)]))
        .digest('hex');
      headers['x-touchpoint-signature'] = `v1=${mac}`;
    }
    return h.touchpoint.app.request(`http://touchpoint.test${path}`, {
      method,
      headers,
      ...(rawBody !== undefined ? { body: rawBody } : {}),
    });
  };

  const problemOf = async (response: Response) => {
    const type = response.headers.get('content-type') ?? '';
    const text = await response.text();
    const problem = type.startsWith('application/problem+json')
      ? (JSON.parse(text) as { type?: string; title?: string; status?: number; errors?: Array<{ path: string }> })
      : null;
    return { status: response.status, type, text, problem };
  };

  /** Naming a cluster needs a model to name it in: a small bank's customers, trained. */
  const prepare = async (route: RouteAccess) => {
    if (route.path !== '/v1/admin/clusters/{version}/{clusterId}/name') return;
    await seedDemoBank(h.store, { catalog: demoCatalog, now: NOW, customers: 150 });
    const trained = await send('POST', '/v1/admin/clusters/train', '{}', 'marketer');
    expect(trained.status).toBe(201);
    const { model } = (await trained.json()) as { model: { version: number; clusters: Array<{ id: string }> } };
    clusterPath = `/v1/admin/clusters/${model.version}/${model.clusters[0]?.id}/name`;
  };

  const bodyRoutes = ROUTE_MATRIX.filter((route) => validBodyOf(route) !== null);

  it.each(bodyRoutes.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
    '%s: NUL and lone surrogates in any string or key are refused, naming the field',
    { timeout: 120_000 },
    async (_, route) => {
      const wrong: string[] = [];
      await prepare(route);
      const valid = validBodyOf(route) as { path: string; body: Json };
      const batch = BATCHES[route.path];
      // Each place gets one of the kinds in turn (every kind meets every route): the run stays a few seconds a route.
      for (const [index, place] of places(valid.body).entries()) {
        for (const [label, text] of [UNSTORABLE[index % UNSTORABLE.length] as readonly [string, string]]) {
          const { path, body: fresh } = validBodyOf(route) as { path: string; body: Json };
          const hostile =
            place.kind === 'string'
              ? setAt(fresh, place.path, () => text)
              : setAt(fresh, place.path, (node) => ({ ...(node as { [key: string]: Json }), [text]: 'x' }));
          const where = place.kind === 'string' ? pointerOf(place.path) : `${pointerOf(place.path)}/${text}`;
          // A field name that cannot be stored is named by its object's pointer, so the pointer never repeats it.
          const named = pointerOf(place.path);
          const before = await h.tableCounts();
          const response = await send(route.method.toUpperCase(), path, JSON.stringify(hostile), callerOf(route));
          const answer = await problemOf(response);
          const tag = `${label} at ${JSON.stringify(where)}: ${answer.status}`;
          if (answer.status >= 500) {
            wrong.push(`${tag} (server error)`);
            continue;
          }
          if (answer.status < 400) {
            // Only a batch may answer 200: with the item refused under `rejected`.
            const result = JSON.parse(answer.text) as {
              rejected?: Array<{ errors: Array<{ path: string }> }>;
            };
            const inItem = batch !== undefined && named.startsWith(`${batch}/`);
            if (!inItem) wrong.push(`${tag} (accepted)`);
            else if (!result.rejected?.some((item) => item.errors.some((error) => error.path === named))) {
              wrong.push(`${tag} (not listed under rejected with ${named})`);
            }
          } else if (!answer.problem) wrong.push(`${tag} (not problem+json: ${answer.type})`);
          else if (answer.status === 422 && !answer.problem.errors?.some((error) => error.path === named)) {
            wrong.push(`${tag} (the field is not named: ${JSON.stringify(answer.problem.errors)})`);
          }
          if (answer.status >= 400 && JSON.stringify(await h.tableCounts()) !== JSON.stringify(before)) {
            wrong.push(`${tag} (refused, yet something was stored)`);
          }
        }
      }
      expect(wrong).toEqual([]);
    },
  );

  it.each(Object.keys(BATCHES))(
    '%s: the bad item is listed under rejected, the valid ones are stored',
    async (path) => {
      const route = ROUTE_MATRIX.find((candidate) => candidate.path === path) as RouteAccess;
      const first = validBodyOf(route) as { path: string; body: { [key: string]: Json } };
      const second = validBodyOf(route) as { path: string; body: { [key: string]: Json } };
      const items = BATCHES[path]?.slice(1) as string;
      const good = (first.body[items] as Json[])[0] as { [key: string]: Json };
      const bad = { ...((second.body[items] as Json[])[0] as { [key: string]: Json }) };
      const textField = Object.keys(bad).find((key) => key !== 'id' && typeof bad[key] === 'string') as string;
      if (path === '/v1/admin/scores') bad.customerId = 'c-other\u0000';
      else bad[textField] = `${bad[textField]}\ud800`;
      const field = path === '/v1/admin/scores' ? 'customerId' : textField;
      const before = await h.tableCounts();
      const response = await send(
        route.method.toUpperCase(),
        first.path,
        JSON.stringify({ ...first.body, [items]: [good, bad] }),
        callerOf(route),
      );
      expect(response.status).toBe(200);
      const result = (await response.json()) as { rejected: Array<{ index: number; errors: Array<{ path: string }> }> };
      expect(result.rejected).toEqual([
        expect.objectContaining({ index: 1, errors: [expect.objectContaining({ path: `/${items}/1/${field}` })] }),
      ]);
      const after = await h.tableCounts();
      const table = path === '/v1/admin/scores' ? 'propensity_scores' : 'touchpoints';
      expect((after[table] ?? 0) - (before[table] ?? 0)).toBe(1);
    },
  );

  it.each(bodyRoutes.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
    '%s: a body that is not UTF-8 is refused with 400 problem+json, storing nothing',
    async (_, route) => {
      const { path, body } = validBodyOf(route) as { path: string; body: Json };
      const text = JSON.stringify(body);
      // A quote's place taken by a byte that starts no UTF-8 sequence, inside the first string.
      const at = text.indexOf('"', text.indexOf(':')) + 1;
      const bytes = Buffer.concat([
        Buffer.from(text.slice(0, at)),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(text.slice(at)),
      ]);
      const before = await h.tableCounts();
      const response = await send(route.method.toUpperCase(), path, new Uint8Array(bytes), callerOf(route));
      const answer = await problemOf(response);
      expect(answer).toMatchObject({ status: 400, type: 'application/problem+json' });
      expect(answer.problem).toMatchObject({ type: expect.stringContaining('invalid-utf8'), status: 400 });
      expect(await h.tableCounts()).toEqual(before);
    },
  );

  it('ids and parameters in paths and queries that hold NUL or are not UTF-8 are refused with 4xx problem+json', async () => {
    const document = (await (await h.get('/openapi.json', { key: null })).json()) as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
    };
    const wrong: string[] = [];
    const hostile = ['%00', 'a%00b', '%ED%A0%80', '%FF', '%C3'];
    for (const route of ROUTE_MATRIX) {
      const operation = document.paths[route.path]?.[route.method];
      const { path, body } = route.request();
      const [pathname, query = ''] = path.split('?') as [string, string?];
      const templateParts = route.path.split('/');
      const concreteParts = pathname.split('/');
      const variants: string[] = [];
      templateParts.forEach((part, index) => {
        if (!part.startsWith('{')) return;
        for (const value of hostile) {
          const parts = [...concreteParts];
          parts[index] = value;
          variants.push(`${parts.join('/')}${query ? `?${query}` : ''}`);
        }
      });
      for (const parameter of operation?.parameters ?? []) {
        if (parameter.in !== 'query') continue;
        for (const value of hostile) {
          const params = new URLSearchParams(query);
          params.delete(parameter.name);
          const rest = params.toString();
          variants.push(`${pathname}?${rest ? `${rest}&` : ''}${parameter.name}=${value}`);
        }
      }
      for (const variant of variants) {
        const before = await h.tableCounts();
        const response = await send(
          route.method.toUpperCase(),
          variant,
          body === undefined ? undefined : JSON.stringify(body),
          callerOf(route),
        );
        const answer = await problemOf(response);
        const tag = `${route.method.toUpperCase()} ${variant}: ${answer.status}`;
        if (answer.status >= 500) wrong.push(`${tag} (server error)`);
        else if (answer.status < 400) wrong.push(`${tag} (accepted)`);
        else if (!answer.problem) wrong.push(`${tag} (not problem+json)`);
        if (JSON.stringify(await h.tableCounts()) !== JSON.stringify(before)) wrong.push(`${tag} (stored something)`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe.each(engines)('an unexpected store error on $name is logged without the content it quotes', (engine) => {
  const h = useHarness(engine, {
    // The store chokes on a value as PostgreSQL does, with the real engine's own error: its message and detail
    // quote the value, as they quoted customers' touchpoints before such text was refused at the door.
    wrapStore: (store) => ({
      ...store,
      ingest: async () => {
        await h.db.query('SELECT $1::jsonb AS value', ['{"note": "secret-note-4711 \\u0000"}']);
        throw new Error('the engine accepted NUL');
      },
    }),
  });

  it('answers 500 problem+json, and the log names the error’s kind and code, never the value', async () => {
    const logged: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
      logged.push(
        parts.map((part) => (part instanceof Error ? `${part.message} ${part.stack}` : String(part))).join(' '),
      );
    });
    try {
      const response = await h.post('/v1/touchpoints', {
        anonymousId: crypto.randomUUID(),
        touchpoints: [touchpointOf('page_view', { page: '/pension' })],
      });
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 500, title: 'Internal error' });
    } finally {
      spy.mockRestore();
    }
    expect(logged.join('\n')).toMatch(/unexpected error in POST \/v1\/touchpoints: \w+ \(code 22P05\)/);
    expect(logged.join('\n')).not.toContain('secret-note-4711');
  });
});
