import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  ApiConfig,
  type ApiConfigInput,
  configFromEnv,
  DEMO_CONFIG,
  DEMO_CUSTOMER_TOKEN_SECRET,
} from '../../src/config.js';
import { DecisionResponse } from '../../src/contract/index.js';
import { mintCustomerToken } from '../../src/http/customer-token.js';
import {
  customerToken,
  decisionRequest,
  engines,
  NETBANK_ORIGIN,
  NOW,
  TEST_CONFIG,
  touchpointOf,
  useHarness,
} from '../support/harness.js';

const STRANGER = 'http://127.0.0.1:9510';

describe('a developer adds their own page to the demo', () => {
  it('TOUCHPOINT_DEMO_ORIGINS adds origins to both demo keys, as browsers send them (no trailing slash)', () => {
    const config = configFromEnv({ TOUCHPOINT_DEMO_ORIGINS: 'http://localhost:3000/, http://127.0.0.1:9510' });
    expect(config.siteKeys.map((key) => [key.key, key.origins, key.development])).toEqual([
      [
        'pk_demo_netbank',
        ['http://localhost:5173', 'http://127.0.0.1:5173', 'http://localhost:3000', 'http://127.0.0.1:9510'],
        true,
      ],
      [
        'pk_demo_mobilebank',
        ['http://localhost:5174', 'http://127.0.0.1:5174', 'http://localhost:3000', 'http://127.0.0.1:9510'],
        true,
      ],
    ]);
  });

  it('TOUCHPOINT_SITE_KEYS replaces the demo keys; a key is for production unless marked for development', () => {
    const config = configFromEnv({
      TOUCHPOINT_SITE_KEYS: JSON.stringify([{ key: 'pk_live_netbank', channel: 'netbank', origins: [STRANGER] }]),
    });
    expect(config.siteKeys).toEqual([
      { key: 'pk_live_netbank', channel: 'netbank', origins: [STRANGER], development: false },
    ]);
  });

  it('both at once is refused, saying where the origins go', () => {
    expect(() =>
      configFromEnv({
        TOUCHPOINT_SITE_KEYS: JSON.stringify([{ key: 'pk_live_netbank', channel: 'netbank', origins: [STRANGER] }]),
        TOUCHPOINT_DEMO_ORIGINS: STRANGER,
      }),
    ).toThrow(/list the origins in TOUCHPOINT_SITE_KEYS/);
  });
});

describe('touchpoint customer-token', () => {
  it('mints a token the API accepts: HS256, the subject, the configured issuer and audience, an hour', async () => {
    const options = ApiConfig.parse(DEMO_CONFIG).customerToken;
    const token = await mintCustomerToken(options, 'c-00014', { now: NOW });
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(DEMO_CUSTOMER_TOKEN_SECRET), {
      currentDate: NOW,
      issuer: 'demo-bank',
      audience: 'touchpoint',
    });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.sub).toBe('c-00014');
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    await expect(mintCustomerToken(options, 'not an id!')).rejects.toThrow(/not a pseudonymous customer id/);
  });
});

describe.each(engines)('errors an integrator can read, on $name', (engine) => {
  const h = useHarness(engine);

  it('a page no key allows passes the preflight, and its request is refused with CORS headers and no data', async () => {
    const preflight = await h.touchpoint.app.request('http://touchpoint.test/v1/decisions', {
      method: 'OPTIONS',
      headers: {
        origin: STRANGER,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-touchpoint-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(STRANGER);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-touchpoint-key');

    const refused = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), { origin: STRANGER });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBe(STRANGER);
    const problem = await refused.json();
    expect(problem).not.toHaveProperty('decisions');
    expect(problem.detail).toBe(
      `Origin ${STRANGER} is not allowed for site key pk_demo_netbank; add it to the key's origins in TOUCHPOINT_SITE_KEYS, or to TOUCHPOINT_DEMO_ORIGINS for the demo keys.`,
    );
    const batch = await h.post(
      '/v1/touchpoints',
      { anonymousId: crypto.randomUUID(), touchpoints: [] },
      {
        origin: STRANGER,
      },
    );
    expect(batch.status).toBe(403);
    expect((await h.rowCounts()).decisions).toBe(0);
  });

  it('an unknown site key is named, with the development keys there are', async () => {
    const response = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), {
      key: 'pk_live_netbank',
      origin: NETBANK_ORIGIN,
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(NETBANK_ORIGIN);
    expect((await response.json()).detail).toBe(
      'The site key "pk_live_netbank" is not configured (TOUCHPOINT_SITE_KEYS). Development keys here: pk_demo_netbank, pk_demo_mobilebank.',
    );
  });

  it('a token with the wrong issuer or audience says which value the API expects, and where it is set', async () => {
    const wrongIssuer = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), {
      origin: NETBANK_ORIGIN,
      token: await customerToken('c-00014', { issuer: 'my-bank' }),
    });
    expect(wrongIssuer.status).toBe(401);
    expect(wrongIssuer.headers.get('access-control-allow-origin')).toBe(NETBANK_ORIGIN);
    expect(await wrongIssuer.json()).toMatchObject({
      type: 'https://touchpoint.dev/problems/invalid-customer-token',
      detail: 'The customer token claim "iss" is invalid. It must be "demo-bank" (TOUCHPOINT_CUSTOMER_TOKEN_ISSUER).',
    });
    const wrongAudience = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), {
      token: await customerToken('c-00014', { audience: 'netbank' }),
    });
    expect((await wrongAudience.json()).detail).toMatch(/"aud" is invalid. It must be "touchpoint"/);
    const wrongSecret = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), {
      token: await customerToken('c-00014', { secret: 'another-secret-of-the-bank' }),
    });
    expect((await wrongSecret.json()).detail).toMatch(/not signed with the key the API verifies with/);
  });
});

const PRODUCTION_CONFIG: ApiConfigInput = {
  ...TEST_CONFIG,
  siteKeys: [{ key: 'pk_live_netbank', channel: 'netbank', origins: [NETBANK_ORIGIN] }],
};

/** A customer who priced a car loan, saw its offer and dismissed it: the hero goes back to other content. */
async function dismissedCarLoan(h: ReturnType<typeof useHarness>, key: string) {
  const token = await customerToken('c-why-not');
  const device = crypto.randomUUID();
  const decide = async () => {
    const response = await h.post('/v1/decisions', decisionRequest(['dashboard-hero'], '/dashboard', device), {
      key,
      token,
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(DecisionResponse.parse(body)).toEqual(body);
    return (body as DecisionResponse).decisions[0];
  };
  const track = async (touchpoints: Array<Record<string, unknown>>) => {
    const response = await h.post('/v1/touchpoints', { anonymousId: device, touchpoints }, { key, token });
    expect(response.status).toBe(200);
  };
  await track([
    touchpointOf('calculator_used', { product: 'car_loan', page: '/loans/car', properties: { amount: 1, years: 5 } }),
  ]);
  const shown = await decide();
  const offerId = shown?.offer?.offerId;
  expect(shown?.offer?.product).toBe('car_loan');
  await track([
    touchpointOf('offer_dismiss', { offer: offerId, placement: 'dashboard-hero', decisionId: shown?.decisionId }),
  ]);
  return { shown, later: await decide(), offerId };
}

describe.each(engines)('"why not?" for developers, on $name', (engine) => {
  const h = useHarness(engine);

  it('a development key’s decision names its top candidates and the rule that excluded each', async () => {
    const { shown, later, offerId } = await dismissedCarLoan(h, 'pk_demo_netbank');
    expect(shown?.debug?.candidates[0]).toMatchObject({ offerId, excludedBy: null });
    expect(shown?.debug?.candidates[0]?.priority).toBeGreaterThan(0);
    // The dismissed car-loan offer comes right after the winner, held back by the cool-down.
    expect(later?.offer?.offerId).not.toBe(offerId);
    expect(later?.debug?.candidates[0]).toMatchObject({ offerId: later?.offer?.offerId, excludedBy: null });
    expect(later?.debug?.candidates[1]).toEqual({ offerId, excludedBy: 'dismissed' });
    expect(later?.debug?.candidates.length).toBe(5);
  });
});

describe.each(engines)('"why not?" is never told on a production key, on $name', (engine) => {
  const h = useHarness(engine, { config: PRODUCTION_CONFIG });

  it('the same story on a production key: the decisions carry no candidates', async () => {
    const { shown, later } = await dismissedCarLoan(h, 'pk_live_netbank');
    expect(shown).not.toHaveProperty('debug');
    expect(later).not.toHaveProperty('debug');
    expect(later?.reason).toEqual(expect.any(String));
  });
});
