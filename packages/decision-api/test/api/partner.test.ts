import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { DEMO_PARTNER_SECRET } from '../../src/config.js';
import {
  customerToken,
  decisionRequest,
  engines,
  NETBANK_KEY,
  NETBANK_ORIGIN,
  NOW,
  type RequestOptions,
  touchpointOf,
  useHarness,
} from '../support/harness.js';

const PATH = '/v1/partner/touchpoints';
const anHourAgo = new Date(NOW.getTime() - 3_600_000).toISOString();

/** A visit the car marketplace saw, with a fresh id. */
function visit(customerId: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: crypto.randomUUID(),
    customerId,
    type: 'external_visit',
    site: 'car-marketplace',
    occurredAt: anHourAgo,
    product: 'car_loan',
    ...fields,
  };
}

interface Signing {
  readonly partner?: string;
  readonly secret?: string;
  /** When the partner signed, by its own clock. */
  readonly at?: Date;
  /** The body sent, if not the one signed. */
  readonly sentBody?: string;
}

/** A request as a partner's server sends it: the raw body signed with its secret, no site key, no Origin. */
function signedRaw(rawBody: string, signing: Signing = {}): RequestOptions {
  const { partner = 'car-marketplace', secret = DEMO_PARTNER_SECRET, at = NOW } = signing;
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  return {
    key: null,
    rawBody: signing.sentBody ?? rawBody,
    headers: {
      'x-touchpoint-partner': partner,
      'x-touchpoint-timestamp': timestamp,
      'x-touchpoint-signature': `v1=${signature}`,
    },
  };
}

const signed = (body: unknown, signing?: Signing) => signedRaw(JSON.stringify(body), signing);

interface BatchResult {
  accepted: string[];
  duplicates: string[];
  rejected: Array<{ index: number; id?: string; errors: Array<{ path: string; message: string }> }>;
}

describe.each(engines)('partners reporting visits to external sites on $name', (engine) => {
  const h = useHarness(engine);

  const report = async (body: unknown, signing?: Signing) => h.post(PATH, undefined, signed(body, signing));
  const heroFor = async (customerId: string) => {
    const response = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), {
      token: await customerToken(customerId),
    });
    expect(response.status).toBe(200);
    const { decisions } = (await response.json()) as {
      decisions: Array<{ offer: { offerId: string; product: string | null } | null }>;
    };
    return decisions[0]?.offer ?? null;
  };

  it('a customer who browsed cars on the car marketplace sees a car-loan offer on the net bank dashboard', async () => {
    const customer = 'c-partner-1';
    expect((await heroFor(customer))?.product).not.toBe('car_loan');

    const sighting = visit(customer);
    const response = await report({ touchpoints: [sighting] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: [sighting.id], duplicates: [], rejected: [] });

    const profile = await h.store.profile(`c:${customer}`);
    expect(profile.journeys.car_loan).toEqual({ stage: 'aware', lastAt: anHourAgo });
    expect(await h.store.countTouchpoints(`c:${customer}`)).toBe(1);

    const hero = await heroFor(customer);
    expect(hero).toMatchObject({ offerId: 'car-loan-price', product: 'car_loan' });
  });

  it('a visit elsewhere never moves a journey back: a customer who priced a car loan stays at compare', async () => {
    const customer = 'c-partner-2';
    const device = crypto.randomUUID();
    const tracked = await h.post(
      '/v1/touchpoints',
      { anonymousId: device, touchpoints: [touchpointOf('calculator_used', { product: 'car_loan' })] },
      { token: await customerToken(customer) },
    );
    expect(tracked.status).toBe(200);

    expect((await report({ touchpoints: [visit(customer, { occurredAt: NOW.toISOString() })] })).status).toBe(200);
    const journey = (await h.store.profile(`c:${customer}`)).journeys.car_loan;
    expect(journey).toEqual({ stage: 'compare', lastAt: NOW.toISOString() });
  });

  it('one batch may name many customers; each one’s journey moves, and nothing is linked to a device', async () => {
    const response = await report({
      touchpoints: [
        visit('c-partner-3'),
        visit('c-partner-4', { site: 'property-portal', product: 'mortgage' }),
        visit('c-partner-3', { product: 'home_insurance' }),
      ],
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as BatchResult).accepted).toHaveLength(3);
    const third = await h.store.profile('c:c-partner-3');
    expect(third.journeys).toEqual({
      car_loan: { stage: 'aware', lastAt: anHourAgo },
      home_insurance: { stage: 'aware', lastAt: anHourAgo },
    });
    expect((await h.store.profile('c:c-partner-4')).journeys.mortgage?.stage).toBe('aware');
    expect(await h.rowCounts()).toEqual({ touchpoints: 3, profiles: 2, decisions: 0, identityLinks: 0 });
  });

  it('keeps external visits out of the behaviour the clusters learn from, which is use of the bank itself', async () => {
    expect((await report({ touchpoints: [visit('c-partner-5')] })).status).toBe(200);
    const read = [];
    for await (const entry of h.store.touchpointsBySubject({ subjects: 'all' })) read.push(entry);
    expect(read).toEqual([]);
  });

  it('acknowledges repeated ids as duplicates and stores each visit once', async () => {
    const sighting = visit('c-partner-6');
    const first = (await (await report({ touchpoints: [sighting, sighting] })).json()) as BatchResult;
    expect(first).toEqual({ accepted: [sighting.id], duplicates: [sighting.id], rejected: [] });

    // Sent again later, signed afresh as a retry is.
    const again = await report({ touchpoints: [sighting] }, { at: new Date(NOW.getTime() + 1000) });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ accepted: [], duplicates: [sighting.id], rejected: [] });
    expect(await h.store.countTouchpoints()).toBe(1);
    expect((await h.store.profile('c:c-partner-6')).touchpointCount).toBe(1);
  });

  it('refuses invalid items one by one, with reasons, and keeps the valid ones', async () => {
    const good = visit('c-partner-7');
    const response = await report({
      touchpoints: [
        visit('c 7 with spaces'),
        good,
        visit('c-partner-7', { type: 'page_view' }),
        visit('c-partner-7', { product: 'yacht_loan' }),
        visit('c-partner-7', { site: 'Car Marketplace!' }),
        visit('c-partner-7', { occurredAt: 'yesterday' }),
        visit('c-partner-7', { email: 'someone@example.com' }),
        visit('c-partner-7', { id: 'not-a-uuid' }),
        visit('c-partner-7', { channel: 'netbank' }),
        'not an object',
      ],
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as BatchResult;
    expect(body.accepted).toEqual([good.id]);
    expect(body.rejected.map((item) => item.index)).toEqual([0, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(body.rejected.flatMap((item) => item.errors.map((error) => error.path))).toEqual([
      '/touchpoints/0/customerId',
      '/touchpoints/2/type',
      '/touchpoints/3/product',
      '/touchpoints/4/site',
      '/touchpoints/5/occurredAt',
      '/touchpoints/6/email',
      '/touchpoints/7/id',
      '/touchpoints/8/channel',
      '/touchpoints/9',
    ]);
    expect(body.rejected[2]).toMatchObject({ errors: [{ message: 'not a catalog product' }] });
    expect(await h.rowCounts()).toMatchObject({ touchpoints: 1, profiles: 1 });
  });

  it('refuses a signed batch that is not valid as a whole, and stores nothing', async () => {
    const none = await report({ touchpoints: [visit('c-partner-8', { product: 'yacht_loan' })] });
    expect(none.status).toBe(422);
    expect((await none.json()).errors).toEqual([{ path: '/touchpoints/0/product', message: 'not a catalog product' }]);

    const empty = await report({ touchpoints: [] });
    expect(empty.status).toBe(422);
    const tooMany = await report({ touchpoints: Array.from({ length: 501 }, () => visit('c-partner-8')) });
    expect(tooMany.status).toBe(422);
    const withDevice = await report({ anonymousId: crypto.randomUUID(), touchpoints: [visit('c-partner-8')] });
    expect((await withDevice.json()).errors).toEqual([{ path: '/anonymousId', message: 'unknown field' }]);

    const malformed = await h.post(PATH, undefined, signedRaw('{"touchpoints": '));
    expect(malformed.status).toBe(400);
    const form = signedRaw('touchpoints=1');
    const notJson = await h.post(PATH, undefined, {
      ...form,
      headers: { ...form.headers, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(notJson.status).toBe(415);
    expect(await h.rowCounts()).toEqual({ touchpoints: 0, profiles: 0, decisions: 0, identityLinks: 0 });
  });

  describe('only a partner’s server, with a fresh signature, may report', () => {
    const batch = () => ({ touchpoints: [visit('c-partner-9')] });

    const refusals: Array<[string, () => RequestOptions, number, string]> = [
      [
        'an unsigned request',
        () => {
          const { headers, ...rest } = signed(batch());
          const { 'x-touchpoint-signature': _, ...unsigned } = headers ?? {};
          return { ...rest, headers: unsigned };
        },
        401,
        'signature-missing',
      ],
      [
        'a signature in another scheme',
        () => {
          const options = signed(batch());
          const hex = options.headers?.['x-touchpoint-signature']?.slice(3);
          return { ...options, headers: { ...options.headers, 'x-touchpoint-signature': `sha256=${hex}` } };
        },
        401,
        'signature-missing',
      ],
      [
        'a request signed with the wrong secret',
        () => signed(batch(), { secret: 'x'.repeat(48) }),
        401,
        'signature-invalid',
      ],
      [
        'a body changed after signing',
        () => {
          const body = batch();
          const tampered = JSON.stringify({ touchpoints: [{ ...body.touchpoints[0], product: 'mortgage' }] });
          return signed(body, { sentBody: tampered });
        },
        401,
        'signature-invalid',
      ],
      [
        'a timestamp more than five minutes old',
        () => signed(batch(), { at: new Date(NOW.getTime() - 301_000) }),
        401,
        'timestamp-out-of-tolerance',
      ],
      [
        'a timestamp more than five minutes ahead',
        () => signed(batch(), { at: new Date(NOW.getTime() + 301_000) }),
        401,
        'timestamp-out-of-tolerance',
      ],
      [
        'a timestamp that is not Unix seconds',
        () => {
          const options = signed(batch());
          return { ...options, headers: { ...options.headers, 'x-touchpoint-timestamp': NOW.toISOString() } };
        },
        401,
        'timestamp-missing',
      ],
      ['an unknown partner', () => signed(batch(), { partner: 'property-portal' }), 401, 'partner-unknown'],
      [
        'a request with a site key but no signature',
        () => ({ key: NETBANK_KEY, rawBody: JSON.stringify(batch()) }),
        401,
        'partner-unknown',
      ],
      [
        'a signed request from a browser (with an Origin header)',
        () => ({ ...signed(batch()), origin: NETBANK_ORIGIN }),
        403,
        'partner-origin-refused',
      ],
    ];

    it.each(refusals)('refuses %s with problem+json and stores nothing', async (_, options, status, slug) => {
      const response = await h.post(PATH, undefined, options());
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const problem = await response.json();
      expect(problem).toMatchObject({ status, type: expect.stringContaining(slug), title: expect.any(String) });
      if (status === 401) expect(response.headers.get('www-authenticate')).toContain('Touchpoint-Signature');
      expect(await h.rowCounts()).toEqual({ touchpoints: 0, profiles: 0, decisions: 0, identityLinks: 0 });
    });

    it('refuses a customer token in place of a signature', async () => {
      const response = await h.post(PATH, batch(), { key: null, token: await customerToken('c-partner-9') });
      expect(response.status).toBe(401);
      expect((await response.json()).type).toContain('partner-unknown');
      expect(await h.rowCounts()).toMatchObject({ touchpoints: 0, profiles: 0 });
    });

    it('answers a browser’s preflight with 403, without CORS headers', async () => {
      const response = await h.touchpoint.app.request(`http://touchpoint.test${PATH}`, {
        method: 'OPTIONS',
        headers: { origin: NETBANK_ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('accepts a timestamp up to five minutes off either way, since clocks drift', async () => {
      const early = await report(batch(), { at: new Date(NOW.getTime() - 300_000) });
      const late = await report(batch(), { at: new Date(NOW.getTime() + 300_000) });
      expect([early.status, late.status]).toEqual([200, 200]);
    });

    it('refuses an identical signed request sent again, and stores nothing more', async () => {
      const options = signed({ touchpoints: [visit('c-partner-9'), visit('c-partner-10')] });
      const first = await h.post(PATH, undefined, options);
      expect(first.status).toBe(200);
      expect(await h.rowCounts()).toMatchObject({ touchpoints: 2, profiles: 2 });

      h.setNow(new Date(NOW.getTime() + 120_000));
      const replay = await h.post(PATH, undefined, options);
      expect(replay.status).toBe(401);
      expect(replay.headers.get('content-type')).toContain('application/problem+json');
      expect((await replay.json()).type).toContain('signature-replayed');
      expect(await h.rowCounts()).toMatchObject({ touchpoints: 2, profiles: 2 });

      // Once the timestamp is out of tolerance, the replay is refused as stale.
      h.setNow(new Date(NOW.getTime() + 301_000));
      expect((await (await h.post(PATH, undefined, options)).json()).type).toContain('timestamp-out-of-tolerance');
    });

    it('lets a request the API failed to store be sent again unchanged', async () => {
      const options = signed(batch());
      const outage = vi.spyOn(h.store, 'ingestForSubjects').mockRejectedValueOnce(new Error('connection lost'));
      const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        expect((await h.post(PATH, undefined, options)).status).toBe(503);
      } finally {
        outage.mockRestore();
        quiet.mockRestore();
      }
      expect((await h.post(PATH, undefined, options)).status).toBe(200);
      expect(await h.rowCounts()).toMatchObject({ touchpoints: 1, profiles: 1 });
    });

    it('never lets a site key or a customer token stand in for a partner on the other routes either', async () => {
      const onSdkRoute = await h.post('/v1/touchpoints', undefined, signed({ anonymousId: crypto.randomUUID() }));
      expect(onSdkRoute.status).toBe(401);
      expect((await onSdkRoute.json()).type).toContain('site-key-missing');
    });
  });

  it('is described in the OpenAPI document with its signature scheme', async () => {
    const doc = await (await h.get('/openapi.json', { key: null })).json();
    const operation = doc.paths[PATH].post;
    expect(operation.security).toEqual([{ partnerSignature: [] }]);
    expect(operation.requestBody.content['application/json'].schema.$ref).toContain('PartnerTouchpointBatch');
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401', '403', '422']));
    expect(doc.components.securitySchemes.partnerSignature).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'x-touchpoint-signature',
      description: expect.stringContaining('HMAC-SHA256'),
    });
    expect(doc.components.schemas.TouchpointType.enum).not.toContain('external_visit');
    expect(doc.components.schemas.Channel.enum).toEqual(['netbank', 'mobilebank']);
  });
});
