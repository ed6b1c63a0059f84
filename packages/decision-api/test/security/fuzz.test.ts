import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DecisionRequest, PartnerTouchpoint, Touchpoint } from '../../src/contract/index.js';
import {
  decisionRequest,
  demoCatalog,
  engines,
  NOW,
  signedRawByPartner,
  staffToken,
  TEST_CONFIG,
  touchpointOf,
  useHarness,
} from '../support/harness.js';

/** How many bodies per route; FUZZ_RUNS raises it for a longer search. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values of every JSON type, including the awkward ones: huge and tiny numbers, unicode, deep nesting. */
const edgeValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    -0,
    -1,
    1e308,
    -1e308,
    2 ** 53 + 1,
    1e-320,
    '',
    ' ',
    '\u0000',
    '\u202e',
    '💳',
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constant('x'.repeat(5_000)),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.integer({ min: 1, max: 200 }).map((depth) => {
    let value: Json = 'deep';
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { nested: value };
    return value;
  }),
);

const typeOf = (value: Json) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
/** A value of another JSON type than `value`. */
const otherType = (value: Json) => edgeValue.filter((candidate) => typeOf(candidate) !== typeOf(value));
const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype', 'isAdmin', 'subject', 'customerId', 'role'];

/** Every path to a value inside `value`, objects and arrays alike. */
function paths(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, child]) => paths(child, [...prefix, key]))];
}

function update(value: Json, path: Array<string | number>, change: (target: Json) => Json | undefined): Json {
  if (path.length === 0) return change(value) ?? null;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  if (Array.isArray(value)) {
    const copy = [...value];
    const next = update(copy[head as number] as Json, rest, change);
    copy[head as number] = next;
    return copy;
  }
  const copy = JSON.parse(JSON.stringify(value)) as { [key: string]: Json };
  if (rest.length === 0) {
    const next = change(copy[head] as Json);
    if (next === undefined) delete copy[head];
    else copy[head] = next;
    return copy;
  }
  copy[head] = update(copy[head] as Json, rest, change);
  return copy;
}

/** One change to a valid body: a value of the wrong type, a field dropped, or an extra (polluting) field added. */
function mutationOf(valid: Json): fc.Arbitrary<string> {
  const all = paths(valid);
  return fc.constantFrom(...all).chain((path) => {
    const target = path.reduce<Json>((node, key) => (node as Record<string, Json>)[key as string] as Json, valid);
    const mutations: Array<fc.Arbitrary<string>> = [
      otherType(target).map((replacement) => JSON.stringify(update(valid, path, () => replacement))),
      fc.tuple(fc.constantFrom(...POLLUTING_KEYS), edgeValue).map(([key, extra]) => {
        if (target === null || typeof target !== 'object' || Array.isArray(target)) {
          return JSON.stringify(update(valid, path, () => ({ [key]: extra }) as Json));
        }
        // Written as text so "__proto__" is a key of the body, as an attacker would send it.
        const body = JSON.stringify(update(valid, path, (node) => ({ ...(node as object), POLLUTE_HERE: 1 }) as Json));
        return body.replace('"POLLUTE_HERE":1', `${JSON.stringify(key)}:${JSON.stringify(extra)}`);
      }),
    ];
    if (path.length > 0) mutations.push(fc.constant(JSON.stringify(update(valid, path, () => undefined))));
    return fc.oneof(...mutations);
  });
}

/** Bodies that are not JSON at all, or JSON of the wrong shape altogether. */
const garbage: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  edgeValue.map((value) => JSON.stringify(value)),
  fc.constantFrom('', '{', '[', 'null', '{"a":}', '\u0000', '{"__proto__":{"isAdmin":true}}'),
);

const Envelope = z.object({ anonymousId: z.uuid(), touchpoints: z.array(z.unknown()).min(1).max(500) }).strict();
const PartnerEnvelope = z.object({ touchpoints: z.array(z.unknown()).min(1).max(500) }).strict();
const parse = (raw: string): unknown => {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
};

/** Oracles: whether a body would store anything; only bodies that would not are sent as "invalid". */
const storesNothing = {
  touchpoints(raw: string) {
    const envelope = Envelope.safeParse(parse(raw));
    if (!envelope.success) return true;
    return envelope.data.touchpoints.every((item) => {
      const touchpoint = Touchpoint.safeParse(item);
      return !touchpoint.success || touchpoint.data.channel !== 'netbank';
    });
  },
  decisions(raw: string) {
    const request = DecisionRequest.safeParse(parse(raw));
    return !request.success || request.data.context.consent !== 'granted' || request.data.context.channel !== 'netbank';
  },
  partner(raw: string) {
    const body = PartnerEnvelope.safeParse(parse(raw));
    if (!body.success) return true;
    return body.data.touchpoints.every((item) => {
      const visit = PartnerTouchpoint.safeParse(item);
      return !visit.success || !demoCatalog.products.some((product) => product.id === visit.data.product);
    });
  },
};

describe.each(engines)(
  'thousands of invalid bodies, on $name: never a server error, never anything stored',
  (engine) => {
    const h = useHarness(engine, {
      config: { ...TEST_CONFIG, rateLimits: { perSiteKey: null, perAddress: null, perCustomer: null } },
    });

    const expectUntouched = async (run: () => Promise<void>) => {
      const before = await h.tableCounts();
      await run();
      expect(await h.tableCounts()).toEqual(before);
      expect(Object.keys(Object.prototype)).toEqual([]);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    };

    const refusedAs4xx = async (response: Response, raw: string) => {
      await response.arrayBuffer();
      if (response.status < 400 || response.status >= 500) {
        throw new Error(`${response.status} for ${raw.slice(0, 300)}`);
      }
    };

    it('POST /v1/touchpoints', { timeout: 300_000 }, async () => {
      const valid = {
        anonymousId: crypto.randomUUID(),
        touchpoints: [touchpointOf('page_view', { page: '/pension' })],
      } as Json;
      const itemsBroken = fc
        .array(mutationOf(touchpointOf('calculator_used', { product: 'car_loan', page: '/loans/car' }) as Json), {
          minLength: 1,
          maxLength: 5,
        })
        .map((items) => `{"anonymousId":"${crypto.randomUUID()}","touchpoints":[${items.join(',')}]}`);
      const bodies = fc.oneof(mutationOf(valid), itemsBroken, garbage).filter(storesNothing.touchpoints);
      await expectUntouched(() =>
        fc.assert(
          fc.asyncProperty(bodies, async (raw) =>
            refusedAs4xx(await h.post('/v1/touchpoints', undefined, { rawBody: raw }), raw),
          ),
          { numRuns: RUNS },
        ),
      );
    });

    it('a "__proto__" key in a touchpoint’s free-form properties pollutes nothing', async () => {
      const touchpoint = touchpointOf('calculator_used', { product: 'car_loan', page: '/loans/car' });
      const raw = JSON.stringify({ anonymousId: crypto.randomUUID(), touchpoints: [touchpoint] }).replace(
        '"calculator_used"',
        '"calculator_used","properties":{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}}}',
      );
      const response = await h.post('/v1/touchpoints', undefined, { rawBody: raw });
      expect(response.status).toBeLessThan(500);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(Object.keys(Object.prototype)).toEqual([]);
    });

    it('POST /v1/decisions', { timeout: 300_000 }, async () => {
      const valid = decisionRequest(['dashboard-hero', 'product-sidebar']) as Json;
      const bodies = fc.oneof(mutationOf(valid), garbage).filter(storesNothing.decisions);
      await expectUntouched(() =>
        fc.assert(
          fc.asyncProperty(bodies, async (raw) => {
            const response = await h.post('/v1/decisions', undefined, { rawBody: raw });
            // A request without consent is valid and answered with generic content; it stores nothing either.
            if (response.status === 200) {
              expect(DecisionRequest.safeParse(parse(raw)).success).toBe(true);
              return;
            }
            await refusedAs4xx(response, raw);
          }),
          { numRuns: RUNS },
        ),
      );
    });

    it('POST /v1/partner/touchpoints, each body correctly signed', { timeout: 300_000 }, async () => {
      const visit = {
        id: crypto.randomUUID(),
        customerId: 'c-fuzz',
        type: 'external_visit',
        site: 'car-marketplace',
        occurredAt: new Date(NOW.getTime() - 3_600_000).toISOString(),
        product: 'car_loan',
      };
      const bodies = fc.oneof(mutationOf({ touchpoints: [visit] } as Json), garbage).filter(storesNothing.partner);
      let nonce = 0;
      await expectUntouched(() =>
        fc.assert(
          fc.asyncProperty(bodies, async (raw) => {
            // A fresh timestamp each time, so no request is refused only as a replay.
            const at = new Date(NOW.getTime() - (nonce++ % 200) * 1000);
            const response = await h.post('/v1/partner/touchpoints', undefined, signedRawByPartner(raw, at));
            await refusedAs4xx(response, raw);
          }),
          { numRuns: RUNS },
        ),
      );
    });

    it('staff routes with forged, mangled and random staff tokens', { timeout: 300_000 }, async () => {
      const real = await staffToken(['admin']);
      const [header, payload] = real.split('.') as [string, string];
      const b64 = (value: Json) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const tokens = fc.oneof(
        fc.string({ unit: 'binary-ascii', maxLength: 300 }).filter((token) => /^[\x21-\x7e]*$/.test(token)),
        fc.tuple(edgeValue, edgeValue).map(([h1, p1]) => `${b64(h1)}.${b64(p1)}.`),
        edgeValue.map((claims) => `${header}.${b64(claims)}.${real.split('.')[2]}`),
        fc.string({ maxLength: 5 }).map((suffix) => `${header}.${payload}.${suffix}`),
        fc.constantFrom(`${b64({ alg: 'none' })}.${payload}.`, real.replace(/.$/, 'A')),
      );
      await expectUntouched(() =>
        fc.assert(
          fc.asyncProperty(tokens, async (token) => {
            const response = await h.get('/v1/admin/me', { key: null, headers: { authorization: `Bearer ${token}` } });
            await response.arrayBuffer();
            expect(response.status).toBe(401);
          }),
          { numRuns: RUNS },
        ),
      );
    });
  },
);
