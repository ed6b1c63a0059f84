import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTouchpointApp } from '../../src/app.js';
import { DEMO_CUSTOMER_TOKEN_SECRET } from '../../src/config.js';
import { customerToken, engines, NOW, TEST_CONFIG, touchpointOf, useHarness } from '../support/harness.js';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
interface SigningKey {
  readonly kid: string;
  readonly alg: 'ES256' | 'RS256';
  readonly privateKey: PrivateKey;
  readonly jwk: JWK;
  readonly pem: string;
}

async function signingKey(kid: string, alg: 'ES256' | 'RS256'): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return {
    kid,
    alg,
    privateKey,
    jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
    pem: await exportSPKI(publicKey),
  };
}

/** The bank's key set endpoint, on loopback; the test rotates the keys it publishes. */
class KeySetServer {
  published: JWK[] = [];
  fetches = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((_request, response) => {
      this.fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: this.published }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const nowSeconds = Math.floor(NOW.getTime() / 1000);

function tokenOf(
  key: { kid: string; alg: string; privateKey: PrivateKey | Uint8Array },
  customerId: string,
  claims: { iss?: string; aud?: string; exp?: number } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setSubject(customerId)
    .setIssuer(claims.iss ?? 'demo-bank')
    .setAudience(claims.aud ?? 'touchpoint')
    .setIssuedAt(nowSeconds - 60)
    .setExpirationTime(claims.exp ?? nowSeconds + 3600)
    .sign(key.privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const keySet = new KeySetServer();
let es1: SigningKey;
let es2: SigningKey;
let rs1: SigningKey;
beforeAll(async () => {
  [es1, es2, rs1] = await Promise.all([
    signingKey('es-2026-1', 'ES256'),
    signingKey('es-2026-2', 'ES256'),
    signingKey('rs-2026-1', 'RS256'),
  ]);
  await keySet.start();
});
afterAll(() => keySet.stop());

describe.each(engines)('customer tokens signed with the bank’s published keys, on $name', (engine) => {
  const h = useHarness(engine, {
    config: {
      ...TEST_CONFIG,
      customerToken: {
        secret: DEMO_CUSTOMER_TOKEN_SECRET,
        get jwksUrl() {
          return keySet.url;
        },
        issuer: 'demo-bank',
        audience: 'touchpoint',
        jwksCooldownSeconds: 0,
      },
    },
  });
  const anonymousId = '6f1c0c2e-5a38-4d0e-9d8a-0b7a1f2e3d4c';
  const ingestAs = (token: string) =>
    h.post(
      '/v1/touchpoints',
      { anonymousId, touchpoints: [touchpointOf('page_view', { page: '/car-loan' })] },
      { token },
    );

  beforeAll(() => {
    keySet.published = [es1.jwk, rs1.jwk];
  });

  it('a customer whose bank signs with ES256 or RS256 is recognised, and HS256 with the shared secret still is', async () => {
    for (const [token, customer] of [
      [await tokenOf(es1, 'c-es256'), 'c-es256'],
      [await tokenOf(rs1, 'c-rs256'), 'c-rs256'],
      [await customerToken('c-hs256'), 'c-hs256'],
    ] as const) {
      const response = await ingestAs(token);
      expect(response.status).toBe(200);
      expect(await h.store.countTouchpoints(`c:${customer}`)).toBe(1);
    }
  });

  it('after the bank rotates its signing key, tokens of the new key are accepted and the retired key’s are refused', async () => {
    expect((await ingestAs(await tokenOf(es1, 'c-before'))).status).toBe(200);
    keySet.published = [es2.jwk, rs1.jwk];
    const fetchesBefore = keySet.fetches;
    expect((await ingestAs(await tokenOf(es2, 'c-after'))).status).toBe(200);
    expect(keySet.fetches).toBeGreaterThan(fetchesBefore);
    const retired = await ingestAs(await tokenOf(es1, 'c-retired'));
    expect(retired.status).toBe(401);
    expect((await retired.json()).detail).toMatch(/key/);
    expect(await h.store.countTouchpoints('c:c-after')).toBe(1);
    expect(await h.store.countTouchpoints('c:c-retired')).toBe(0);
    keySet.published = [es1.jwk, rs1.jwk];
  });

  const refused: Array<[string, () => Promise<string>, RegExp]> = [
    ['from another issuer', () => tokenOf(es1, 'c-victim', { iss: 'another-bank' }), /"iss"/],
    ['for another audience', () => tokenOf(rs1, 'c-victim', { aud: 'another-service' }), /"aud"/],
    ['expired beyond the clock tolerance', () => tokenOf(es1, 'c-victim', { exp: nowSeconds - 120 }), /expired/],
    [
      'with alg none',
      async () =>
        `${b64({ alg: 'none', kid: es1.kid })}.${b64({ sub: 'c-victim', iss: 'demo-bank', aud: 'touchpoint', exp: nowSeconds + 3600 })}.`,
      /./,
    ],
    [
      'signed HS256 with the bank’s public key as the secret',
      () => tokenOf({ kid: rs1.kid, alg: 'HS256', privateKey: new TextEncoder().encode(rs1.pem) }, 'c-victim'),
      /signature/,
    ],
    [
      'signed by an attacker’s own key under the bank’s key id',
      async () => tokenOf({ ...(await signingKey(es1.kid, 'ES256')) }, 'c-victim'),
      /signature/,
    ],
    [
      'claiming ES256 but signed RS256',
      async () => {
        const [, payload, signature] = (await tokenOf(rs1, 'c-victim')).split('.');
        return `${b64({ alg: 'ES256', kid: rs1.kid })}.${payload}.${signature}`;
      },
      /./,
    ],
  ];

  it.each(refused)('refuses a token %s with 401 problem+json and stores nothing', async (_, makeToken, detail) => {
    const response = await ingestAs(await makeToken());
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.headers.get('www-authenticate')).toContain('invalid_token');
    expect((await response.json()).detail).toMatch(detail);
    expect(await h.rowCounts()).toEqual({ touchpoints: 0, profiles: 0, decisions: 0, identityLinks: 0 });
  });

  it('with only a key set configured, HS256 is not accepted at all, not even with the public key as secret', async () => {
    const { app } = await createTouchpointApp({
      store: h.store,
      config: {
        ...TEST_CONFIG,
        customerToken: { jwksUrl: keySet.url, issuer: 'demo-bank', audience: 'touchpoint' },
      },
      now: () => NOW,
    });
    const hs256 = await tokenOf({ kid: rs1.kid, alg: 'HS256', privateKey: new TextEncoder().encode(rs1.pem) }, 'c-x');
    const post = (token: string) =>
      app.request('http://touchpoint.test/v1/touchpoints', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-touchpoint-key': 'pk_demo_netbank',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ anonymousId, touchpoints: [touchpointOf('page_view', { page: '/pension' })] }),
      });
    const refusedResponse = await post(hs256);
    expect(refusedResponse.status).toBe(401);
    expect((await refusedResponse.json()).detail).toMatch(/algorithm/);
    expect((await post(await customerToken('c-x'))).status).toBe(401);
    expect((await post(await tokenOf(es1, 'c-x'))).status).toBe(200);
  });

  it('when the bank’s key set cannot be reached, a signed token gets 503 with Retry-After (retry, do not log out)', async () => {
    const dead = new KeySetServer();
    await dead.start();
    const deadUrl = dead.url;
    await dead.stop();
    const { app } = await createTouchpointApp({
      store: h.store,
      config: { ...TEST_CONFIG, customerToken: { jwksUrl: deadUrl, issuer: 'demo-bank', audience: 'touchpoint' } },
      now: () => NOW,
    });
    const response = await app.request('http://touchpoint.test/v1/placements', {
      headers: { 'x-touchpoint-key': 'pk_demo_netbank', authorization: `Bearer ${await tokenOf(es1, 'c-x')}` },
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('customer-token configuration', () => {
  it('needs a secret or a key set, and HS256 only with a secret', async () => {
    const { ApiConfig } = await import('../../src/config.js');
    const base = { ...TEST_CONFIG };
    expect(() => ApiConfig.parse({ ...base, customerToken: { issuer: 'b', audience: 't' } })).toThrow(/secret|jwksUrl/);
    expect(() =>
      ApiConfig.parse({
        ...base,
        customerToken: { jwksUrl: 'https://bank.example/jwks', issuer: 'b', audience: 't', algorithms: ['HS256'] },
      }),
    ).toThrow(/HS256 needs a secret/);
    const { configFromEnv } = await import('../../src/config.js');
    const fromEnv = configFromEnv({ TOUCHPOINT_CUSTOMER_TOKEN_JWKS_URL: 'https://bank.example/.well-known/jwks.json' });
    expect(fromEnv.customerToken.jwksUrl).toBe('https://bank.example/.well-known/jwks.json');
    expect(fromEnv.customerToken.secret).toBeUndefined();
  });
});
