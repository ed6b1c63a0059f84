import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { engines, NOW, signedRawByPartner, TEST_CONFIG, useHarness } from '../support/harness.js';
import { arbitraryOf, type Json, type JsonSchema } from '../support/schema-arbitrary.js';
import { credentialsOf, type Identity, ROUTE_MATRIX, type RouteAccess } from './route-matrix.js';

/** Cases per route and store: a bounded run. FUZZ_CASES raises it for a longer search, FUZZ_SEED replays one. */
const CASES = Number(process.env.FUZZ_CASES ?? 30);
const SEED = process.env.FUZZ_SEED === undefined ? 20261122 : Number(process.env.FUZZ_SEED);

interface Operation {
  readonly requestBody?: { content: Record<string, { schema: JsonSchema }> };
}
interface OpenApiDocument {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { schemas: Record<string, JsonSchema> };
}

/** Strings the store cannot hold, oversized ones, and values of every JSON type at their edges. */
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>('\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\udbffy', '\ud83d', '\u202e', '💳'),
  fc.constant('x'.repeat(100_000)),
  fc.constantFrom<Json>(0, -0, -1, 1e308, -1e308, 2 ** 53 + 1, -(2 ** 53) - 1, 1e-320, 2 ** 31, -(2 ** 31) - 1),
  fc.constantFrom<Json>(null, true, false, '', [], {}, [null], { '': null }),
  fc.integer({ min: 50, max: 2_000 }).map((depth) => {
    let value: Json = 'deep';
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { nested: value };
    return value;
  }),
);

type Path = Array<string | number>;

/** Every place in a body: the body itself, and each value in it. */
function placesIn(value: Json, path: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [path];
  const entries: Array<[string | number, Json]> = Array.isArray(value)
    ? value.map((child, index) => [index, child])
    : Object.entries(value);
  return [path, ...entries.flatMap(([key, child]) => placesIn(child, [...path, key]))];
}

function setAt(value: Json, path: Path, change: (node: Json) => Json | undefined): Json {
  if (path.length === 0) return change(value) ?? null;
  const [head, ...rest] = path as [string | number, ...Path];
  if (Array.isArray(value)) {
    return value.map((child, index) => (index === head ? setAt(child, rest, change) : child));
  }
  const record = { ...(value as { [key: string]: Json }) };
  if (rest.length === 0) {
    const next = change(record[head] as Json);
    if (next === undefined) delete record[head];
    else record[head] = next;
    return record;
  }
  record[head] = setAt(record[head] as Json, rest, change);
  return record;
}

/** One change to a body: a value replaced (by a hostile one or one of another type), a field dropped or added. */
function mutated(body: Json, replacement: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  return fc.constantFrom(...placesIn(body)).chain((path) =>
    fc.oneof(
      replacement.map((value) => setAt(body, path, () => value)),
      fc.constant(path.length > 0 ? setAt(body, path, () => undefined) : body),
      fc
        .tuple(fc.constantFrom('extra', '\u0000', '\ud800', '__proto__', 'isAdmin'), replacement)
        .map(([key, value]) =>
          setAt(body, path, (node) =>
            node !== null && typeof node === 'object' && !Array.isArray(node) ? { ...node, [key]: value } : node,
          ),
        ),
    ),
  );
}

/** A raw body deeper than any parser should be asked to follow. */
const deepRaw = fc.integer({ min: 5_000, max: 20_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);

const callerOf = (route: RouteAccess): Identity =>
  route.allowed === 'everyone' ? 'nobody' : (route.allowed[0] as Identity);

describe.each(engines)('every route that takes a body, fuzzed from the contract, on $name', (engine) => {
  const h = useHarness(engine, {
    config: { ...TEST_CONFIG, rateLimits: { perSiteKey: null, perAddress: null, perCustomer: null } },
  });
  let document: OpenApiDocument | undefined;
  const documentOf = async (): Promise<OpenApiDocument> => {
    document ??= (await (await h.get('/openapi.json', { key: null })).json()) as OpenApiDocument;
    return document;
  };
  let countRows: () => Promise<string> = async () => '';

  /**
   * The rows of every table, in one statement (a fuzz run counts around every request). The replay guard's signatures
   * and the rate limits' buckets are left out: they are the request's own bookkeeping, claimed before the body is read
   * (a signed request is seen whatever its body says) and expiring, not anything kept from the body.
   */
  const prepareCounting = async () => {
    const tables = await h.db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
         AND c.relname NOT IN ('schema_migrations', 'partner_signatures', 'rate_limit_buckets') ORDER BY c.relname`,
    );
    const sql = `SELECT ${tables.map(({ name }) => `(SELECT count(*) FROM "${name}") AS "${name}"`).join(', ')}`;
    countRows = async () => {
      await h.touchpoint.flush();
      return JSON.stringify(await h.db.query(sql));
    };
  };

  const bodyRoutes = ROUTE_MATRIX.filter((route) => route.request().body !== undefined);

  it('the fuzzed routes are every operation of the OpenAPI document that takes a body', async () => {
    const withBody = Object.entries((await documentOf()).paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.requestBody)
        .map(([method]) => `${method} ${path}`),
    );
    expect(bodyRoutes.map((route) => `${route.method} ${route.path}`).sort()).toEqual(withBody.sort());
  });

  // Found by this fuzzing: the plan's sample (an integer) and days overflowed, and the answer was a 500.
  it('a minimum effect or an arm weight too small to plan is refused naming the field', async () => {
    const power = ROUTE_MATRIX.find((route) => route.path === '/v1/admin/experiments/power') as RouteAccess;
    const { hypothesis } = power.request().body as { hypothesis: Record<string, Json> };
    const ask = async (body: Json) => {
      const raw = JSON.stringify(body);
      const headers = { ...(await credentialsOf('viewer', raw)), 'content-type': 'application/json' };
      return h.touchpoint.app.request('http://touchpoint.test/v1/admin/experiments/power', {
        method: 'POST',
        headers,
        body: raw,
      });
    };
    const tinyEffect = await ask({
      hypothesis: { ...hypothesis, minimumEffect: 4.58e-12 },
      arms: [{ allocation: 1 }, { allocation: 1 }],
    });
    expect(tinyEffect.status).toBe(422);
    expect(await tinyEffect.json()).toMatchObject({ errors: [{ path: '/hypothesis/minimumEffect' }] });
    const tinyArm = await ask({ hypothesis, arms: [{ allocation: 27 }, { allocation: 1.9e-12 }] });
    expect(tinyArm.status).toBe(422);
    expect(await tinyArm.json()).toMatchObject({ errors: [{ path: '/arms/1/allocation' }] });
  });

  it.each(bodyRoutes.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
    '%s: never a 5xx, every refusal problem+json, nothing refused stored',
    { timeout: 180_000 },
    async (_, route) => {
      await prepareCounting();
      const document = await documentOf();
      const operation = document.paths[route.path]?.[route.method] as Operation;
      const schema = operation.requestBody?.content['application/json']?.schema as JsonSchema;
      const fromContract = arbitraryOf(schema, document.components.schemas);
      const valid = route.request().body as Json;
      const bodies: fc.Arbitrary<{ kind: string; raw: string }> = fc.oneof(
        fromContract.map((body) => ({ kind: 'from the contract', raw: JSON.stringify(body) })),
        fromContract
          .chain((body) => mutated(body, hostileValue))
          .map((body) => ({ kind: 'contract, mutated', raw: JSON.stringify(body) })),
        mutated(valid, hostileValue).map((body) => ({ kind: 'valid, made hostile', raw: JSON.stringify(body) })),
        deepRaw.map((raw) => ({ kind: 'deep nesting', raw })),
      );
      const identity = callerOf(route);
      let nonce = 0;
      const seen: Record<string, number> = {};
      await fc.assert(
        fc.asyncProperty(bodies, async ({ kind, raw }) => {
          const { path } = route.request();
          const headers =
            identity === 'partner'
              ? // A fresh timestamp each time, so no request is refused only as a replay.
                signedRawByPartner(raw, new Date(NOW.getTime() - (nonce++ % 250) * 1000)).headers
              : await credentialsOf(identity, raw);
          headers['content-type'] = 'application/json';
          const before = await countRows();
          const response = await h.touchpoint.app.request(`http://touchpoint.test${path}`, {
            method: route.method.toUpperCase(),
            headers,
            body: raw,
          });
          const text = await response.text();
          seen[`${kind} → ${response.status}`] = (seen[`${kind} → ${response.status}`] ?? 0) + 1;
          const what = `${response.status} for ${kind}: ${raw.slice(0, 200)}`;
          expect(response.status, what).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.headers.get('content-type'), what).toContain('application/problem+json');
            expect(JSON.parse(text), what).toMatchObject({
              type: expect.stringMatching(/^https:\/\//),
              title: expect.any(String),
              status: response.status,
            });
            expect(await countRows(), `${what}: refused, yet rows changed`).toBe(before);
          }
        }),
        { numRuns: CASES, seed: SEED, endOnFailure: true },
      );
      console.log(`[fuzz] ${engine.name} ${route.method.toUpperCase()} ${route.path}: ${JSON.stringify(seen)}`);
    },
  );
});
