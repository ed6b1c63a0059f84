import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEMO_CUSTOMER_TOKEN_SECRET } from '../../src/config.js';
import {
  customerToken,
  engines,
  MOBILE_KEY,
  NETBANK_ORIGIN,
  NOW,
  touchpointOf,
  useHarness,
} from '../support/harness.js';

describe.each(engines)('ingesting touchpoints on $name', (engine) => {
  const h = useHarness(engine);

  const anonymousId = '5b0c8c2e-3d0f-4a51-9a51-0d3f1b2c4d5e';

  it('stores a batch and acknowledges a repeated batch without storing it twice', async () => {
    const batch = {
      anonymousId,
      touchpoints: [
        touchpointOf('page_view', { page: '/loans/car' }),
        touchpointOf('calculator_used', { product: 'car_loan', properties: { amount: 250000, years: 5 } }),
      ],
    };
    const first = await h.post('/v1/touchpoints', batch);
    expect(first.status).toBe(200);
    const firstBody = await first.json();
    expect(firstBody.accepted).toHaveLength(2);
    expect(firstBody.duplicates).toEqual([]);
    expect(firstBody.rejected).toEqual([]);

    const again = await h.post('/v1/touchpoints', batch);
    expect(again.status).toBe(200);
    const againBody = await again.json();
    expect(againBody.accepted).toEqual([]);
    expect(againBody.duplicates.sort()).toEqual(batch.touchpoints.map((t) => t.id).sort());
    expect(await h.store.countTouchpoints()).toBe(2);
  });

  it('refuses invalid items one by one and keeps the valid ones', async () => {
    const good = touchpointOf('product_view', { product: 'mortgage' });
    const response = await h.post('/v1/touchpoints', {
      anonymousId,
      touchpoints: [
        { ...touchpointOf('page_view'), type: 'teleported' },
        good,
        { ...touchpointOf('page_view'), occurredAt: 'yesterday' },
        { ...touchpointOf('page_view'), customerId: 'c-00001' },
        { ...touchpointOf('page_view'), channel: 'mobilebank' },
        'not an object',
      ],
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.accepted).toEqual([good.id]);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([0, 2, 3, 4, 5]);
    const paths = body.rejected.flatMap((r: { errors: Array<{ path: string }> }) => r.errors.map((e) => e.path));
    expect(paths).toEqual(
      expect.arrayContaining([
        '/touchpoints/0/type',
        '/touchpoints/2/occurredAt',
        '/touchpoints/3/customerId',
        '/touchpoints/4/channel',
      ]),
    );
    expect(await h.store.countTouchpoints()).toBe(1);
  });

  it('answers 422 naming each field when no item is valid, and stores nothing', async () => {
    const response = await h.post('/v1/touchpoints', {
      anonymousId,
      touchpoints: [
        { ...touchpointOf('page_view'), id: 'not-a-uuid' },
        { ...touchpointOf('page_view'), page: 'javascript:alert(1)' },
      ],
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = await response.json();
    expect(problem).toMatchObject({
      status: 422,
      title: expect.any(String),
      type: expect.stringContaining('invalid-touchpoints'),
    });
    expect(problem.errors.map((e: { path: string }) => e.path)).toEqual(['/touchpoints/0/id', '/touchpoints/1/page']);
    expect(await h.store.countTouchpoints()).toBe(0);
  });

  it('counts a touchpoint repeated inside one batch once', async () => {
    const touchpoint = touchpointOf('page_view', { page: '/pension' });
    const response = await h.post('/v1/touchpoints', { anonymousId, touchpoints: [touchpoint, touchpoint] });
    const body = await response.json();
    expect(body.accepted).toEqual([touchpoint.id]);
    expect(body.duplicates).toEqual([touchpoint.id]);
    expect(await h.store.countTouchpoints()).toBe(1);
  });

  it.each([
    ['a body that is not an object', [], '/'],
    ['a missing anonymous id', { touchpoints: [touchpointOf('page_view')] }, '/anonymousId'],
    ['an empty batch', { anonymousId, touchpoints: [] }, '/touchpoints'],
    [
      'more than 500 touchpoints',
      { anonymousId, touchpoints: Array.from({ length: 501 }, () => touchpointOf('page_view')) },
      '/touchpoints',
    ],
    [
      'a body naming a customer',
      { anonymousId, customerId: 'c-00002', touchpoints: [touchpointOf('page_view')] },
      '/customerId',
    ],
    ['wrong types', { anonymousId: 42, touchpoints: 'many' }, '/anonymousId'],
  ])('refuses %s with 422 and stores nothing', async (_, body, path) => {
    const response = await h.post('/v1/touchpoints', body);
    expect(response.status).toBe(422);
    const problem = await response.json();
    expect(problem.errors.map((e: { path: string }) => e.path)).toContain(path === '/' ? '' : path);
    expect(await h.store.countTouchpoints()).toBe(0);
  });

  it('refuses malformed JSON with 400, a body over 512 KB with 413 and a non-JSON type with 415', async () => {
    const malformed = await h.post('/v1/touchpoints', undefined, { rawBody: '{"anonymousId": ' });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).type).toContain('malformed-json');

    const huge = JSON.stringify({
      anonymousId,
      touchpoints: [touchpointOf('page_view', { properties: { note: 'x'.repeat(200) } })],
      pad: 'y'.repeat(600 * 1024),
    });
    const oversize = await h.post('/v1/touchpoints', undefined, { rawBody: huge });
    expect(oversize.status).toBe(413);

    const form = await h.post('/v1/touchpoints', undefined, {
      rawBody: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(await h.store.countTouchpoints()).toBe(0);
  });

  describe('site keys and origins', () => {
    const batch = () => ({ anonymousId, touchpoints: [touchpointOf('page_view')] });

    it('refuses a request without a site key or with an unknown one', async () => {
      expect((await h.post('/v1/touchpoints', batch(), { key: null })).status).toBe(401);
      expect((await h.post('/v1/touchpoints', batch(), { key: 'pk_not_configured' })).status).toBe(401);
      expect(await h.store.countTouchpoints()).toBe(0);
    });

    it('refuses an origin the key does not allow, and allows the key’s own origin with CORS headers', async () => {
      const foreign = await h.post('/v1/touchpoints', batch(), { origin: 'https://evil.example' });
      expect(foreign.status).toBe(403);
      const mobileKeyFromNetbank = await h.post('/v1/touchpoints', batch(), {
        key: MOBILE_KEY,
        origin: NETBANK_ORIGIN,
      });
      expect(mobileKeyFromNetbank.status).toBe(403);
      expect(mobileKeyFromNetbank.headers.get('access-control-allow-origin')).toBe(NETBANK_ORIGIN);
      const own = await h.post('/v1/touchpoints', batch(), { origin: NETBANK_ORIGIN });
      expect(own.status).toBe(200);
      expect(own.headers.get('access-control-allow-origin')).toBe(NETBANK_ORIGIN);
      expect(await h.store.countTouchpoints()).toBe(1);
    });

    it('answers a browser preflight for any origin, and refuses a foreign origin on the request itself, readably', async () => {
      const preflight = (origin: string) =>
        h.touchpoint.app.request('http://touchpoint.test/v1/touchpoints', {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type, x-touchpoint-key',
          },
        });
      const allowed = await preflight(NETBANK_ORIGIN);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-headers')).toContain('x-touchpoint-key');
      // A preflight carries no site key, so it cannot be judged: it passes, and the request itself is refused, with
      // CORS headers on the refusal only, so the page's SDK can read why.
      expect((await preflight('https://evil.example')).status).toBe(204);
      const refused = await h.post('/v1/touchpoints', batch(), { origin: 'https://evil.example' });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(refused.headers.get('access-control-allow-origin')).toBe('https://evil.example');
      expect((await refused.json()).detail).toMatch(/https:\/\/evil\.example/);
      expect((await h.rowCounts()).touchpoints).toBe(0);
    });

    it('accepts the key as a query parameter for sendBeacon, with a text/plain body', async () => {
      const response = await h.post('/v1/touchpoints?key=pk_demo_netbank', batch(), {
        key: null,
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
      });
      expect(response.status).toBe(200);
    });
  });

  describe('customer tokens', () => {
    const batch = () => ({ anonymousId, touchpoints: [touchpointOf('product_view', { product: 'pension' })] });

    it('files a logged-in customer’s touchpoints under the token’s subject', async () => {
      const response = await h.post('/v1/touchpoints', batch(), { token: await customerToken('c-00042') });
      expect(response.status).toBe(200);
      expect(await h.store.countTouchpoints('c:c-00042')).toBe(1);
      expect((await h.store.profile('c:c-00042')).journeys.pension?.stage).toBe('explore');
    });

    it.each([
      ['expired', () => customerToken('c-00042', { expiresAt: Math.floor(NOW.getTime() / 1000) - 3600 }), 'expired'],
      [
        'forged (wrong secret)',
        () => customerToken('c-00042', { secret: 'an-attacker-chose-this-secret' }),
        'signature',
      ],
      ['for another audience', () => customerToken('c-00042', { audience: 'someone-else' }), 'aud'],
      ['from another issuer', () => customerToken('c-00042', { issuer: 'evil' }), 'iss'],
      ['unsigned (alg none)', async () => `${b64({ alg: 'none' })}.${b64({ sub: 'c-00042', exp: 9999999999 })}.`, ''],
      ['not a JWT', async () => 'hello', ''],
    ])('refuses a token that is %s with 401 and stores nothing', async (_, make, hint) => {
      const response = await h.post('/v1/touchpoints', batch(), { token: await make() });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('invalid_token');
      const problem = await response.json();
      expect(problem.type).toContain('invalid-customer-token');
      expect(problem.detail.toLowerCase()).toContain(hint);
      expect(await h.store.countTouchpoints()).toBe(0);
    });

    it('refuses a token it accepted before once the clock passes its expiry, and one not yet valid', async () => {
      const seconds = Math.floor(NOW.getTime() / 1000);
      const token = await customerToken('c-00042', { expiresAt: seconds + 600 });
      expect((await h.post('/v1/touchpoints', batch(), { token })).status).toBe(200);
      expect((await h.post('/v1/touchpoints', batch(), { token })).status).toBe(200);
      try {
        // Past the expiry by more than the clock tolerance (30 s): the same token text, now refused.
        h.setNow(new Date((seconds + 600 + 61) * 1000));
        const late = await h.post('/v1/touchpoints', batch(), { token });
        expect(late.status).toBe(401);
        expect((await late.json()).detail).toContain('expired');
      } finally {
        h.setNow(NOW);
      }
      const early = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('c-00042')
        .setIssuer('demo-bank')
        .setAudience('touchpoint')
        .setNotBefore(seconds + 600)
        .setExpirationTime(seconds + 3600)
        .sign(new TextEncoder().encode(DEMO_CUSTOMER_TOKEN_SECRET));
      expect((await h.post('/v1/touchpoints', batch(), { token: early })).status).toBe(401);
      h.setNow(new Date((seconds + 600) * 1000));
      try {
        expect((await h.post('/v1/touchpoints', batch(), { token: early })).status).toBe(200);
        // Accepted once at the later clock; back before its nbf it is refused again.
        h.setNow(NOW);
        expect((await h.post('/v1/touchpoints', batch(), { token: early })).status).toBe(401);
      } finally {
        h.setNow(NOW);
      }
    });
  });
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
