import { describe, expect, it } from 'vitest';
import { customerToken, decisionRequest, engines, NOW, touchpointOf, useHarness } from '../support/harness.js';

const anonymousId = '0e4b7b0a-8f3e-4d3c-9a8e-2f1d5c6b7a81';

/** Every body-taking route with a valid body of its own, so each bad variant changes one thing. */
const routes = [
  {
    path: '/v1/touchpoints',
    valid: () => ({ anonymousId, touchpoints: [touchpointOf('page_view', { page: '/pension' })] }),
    limit: 512 * 1024,
  },
  {
    path: '/v1/decisions',
    valid: () => decisionRequest(['dashboard-hero'], '/dashboard', anonymousId),
    limit: 16 * 1024,
  },
] as const;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Tokens that must all be refused, each for a different reason. */
const badTokens: Array<[string, () => Promise<string>]> = [
  ['expired', () => customerToken('c-victim', { expiresAt: Math.floor(NOW.getTime() / 1000) - 600 })],
  ['signed with another secret', () => customerToken('c-victim', { secret: 'guessed-secret-guessed-secret' })],
  ['for another audience', () => customerToken('c-victim', { audience: 'another-service' })],
  [
    'with alg none',
    async () =>
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'c-victim', exp: 4102444800, iss: 'demo-bank', aud: 'touchpoint' })}.`,
  ],
  [
    'with a tampered subject',
    async () => {
      const [header, , signature] = (await customerToken('c-attacker')).split('.');
      return `${header}.${b64({ sub: 'c-victim', exp: 4102444800, iss: 'demo-bank', aud: 'touchpoint' })}.${signature}`;
    },
  ],
  ['that is not a JWT', async () => 'opaque-session-id'],
];

describe.each(engines)('bad input on every route, on $name: a clear 4xx, nothing stored', (engine) => {
  const h = useHarness(engine);

  const expectNothingStored = async () =>
    expect(await h.rowCounts()).toEqual({ touchpoints: 0, profiles: 0, decisions: 0, identityLinks: 0 });
  const expectProblem = async (response: Response, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = await response.json();
    expect(problem).toMatchObject({ type: expect.stringMatching(/^https:\/\//), title: expect.any(String), status });
    return problem as { errors?: Array<{ path: string; message: string }> };
  };

  describe.each(routes)('$path', (route) => {
    it('refuses malformed JSON with 400', async () => {
      await expectProblem(await h.post(route.path, undefined, { rawBody: '{"anonymousId":' }), 400);
      await expectNothingStored();
    });

    it('refuses a body over its size limit with 413', async () => {
      await expectProblem(await h.post(route.path, { ...route.valid(), pad: 'x'.repeat(route.limit) }), 413);
      await expectNothingStored();
    });

    it('refuses wrong types with 422 naming the field', async () => {
      const problem = await expectProblem(await h.post(route.path, { ...route.valid(), anonymousId: 12345 }), 422);
      expect(problem.errors?.map((e) => e.path)).toContain('/anonymousId');
      await expectNothingStored();
    });

    it('refuses unknown fields (no mass assignment) with 422 naming them', async () => {
      const problem = await expectProblem(
        await h.post(route.path, { ...route.valid(), subject: 'c:c-victim', isStaff: true }),
        422,
      );
      expect(problem.errors?.map((e) => e.path).sort()).toEqual(['/isStaff', '/subject']);
      await expectNothingStored();
    });

    it('refuses a body that names another customer, even with a valid token of one’s own', async () => {
      const token = await customerToken('c-attacker');
      const problem = await expectProblem(
        await h.post(route.path, { ...route.valid(), customerId: 'c-victim' }, { token }),
        422,
      );
      expect(problem.errors?.map((e) => e.path)).toEqual(['/customerId']);
      await expectNothingStored();
    });

    it('refuses a request without a site key with 401', async () => {
      await expectProblem(await h.post(route.path, route.valid(), { key: null }), 401);
      await expectNothingStored();
    });

    it.each(badTokens)('refuses a customer token %s with 401', async (_, makeToken) => {
      await expectProblem(await h.post(route.path, route.valid(), { token: await makeToken() }), 401);
      await expectNothingStored();
    });
  });

  it.each(badTokens)('GET /v1/placements refuses a customer token %s with 401', async (_, makeToken) => {
    await expectProblem(await h.get('/v1/placements', { token: await makeToken() }), 401);
  });

  it('a valid request after all of that is served, and stores what it should', async () => {
    const [touchpoints, decisions] = routes;
    expect((await h.post(touchpoints.path, touchpoints.valid())).status).toBe(200);
    expect((await h.post(decisions.path, decisions.valid())).status).toBe(200);
    expect(await h.rowCounts()).toEqual({ touchpoints: 1, profiles: 1, decisions: 1, identityLinks: 0 });
  });
});
