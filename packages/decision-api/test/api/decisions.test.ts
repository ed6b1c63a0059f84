import { describe, expect, it } from 'vitest';
import { DecisionResponse } from '../../src/contract/index.js';
import { customerToken, decisionRequest, engines, NOW, touchpointOf, useHarness } from '../support/harness.js';

interface Decision {
  placement: string;
  decisionId: string;
  offer: { offerId: string; product: string | null; headline: string; locale: string; cta: { url: string } } | null;
  size: { width: number; height: number } | null;
  ttlSeconds: number;
  reason: string;
}

describe.each(engines)('deciding on $name', (engine) => {
  const h = useHarness(engine);

  const decideFor = async (
    anonymousId: string,
    placements: string[],
    options: { token?: string; page?: string } = {},
  ) => {
    const response = await h.post(
      '/v1/decisions',
      decisionRequest(placements, options.page, anonymousId),
      options.token ? { token: options.token } : {},
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    // The route builds its answer to the contract's type without parsing it; every answer must still be one the
    // schema accepts unchanged (nothing missing, nothing extra, every format right).
    expect(DecisionResponse.parse(body)).toEqual(body);
    return (body as { decisions: Decision[] }).decisions;
  };
  const track = async (anonymousId: string, touchpoints: Array<Record<string, unknown>>, token?: string) => {
    const response = await h.post('/v1/touchpoints', { anonymousId, touchpoints }, token ? { token } : {});
    expect(response.status).toBe(200);
  };

  it('gives a new visitor a house offer on the dashboard hero, sized for the placement, with a reason', async () => {
    const [hero] = await decideFor(crypto.randomUUID(), ['dashboard-hero']);
    expect(hero?.offer).not.toBeNull();
    expect(hero?.offer?.product).toBeNull();
    expect(hero?.size).toEqual({ width: 960, height: 240 });
    expect(hero?.ttlSeconds).toBeGreaterThan(0);
    expect(hero?.reason).toMatch(/not based on your activity/);
    expect(hero?.decisionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('shows a customer who priced a car loan a car-loan offer on the dashboard; after a dismissal, not again', async () => {
    const token = await customerToken('c-test-1');
    const device = crypto.randomUUID();
    const [before] = await decideFor(device, ['dashboard-hero'], { token });
    expect(before?.offer?.product).not.toBe('car_loan');

    await track(
      device,
      [
        touchpointOf('product_view', { product: 'car_loan', page: '/loans/car' }),
        touchpointOf('calculator_used', {
          product: 'car_loan',
          page: '/loans/car',
          properties: { amount: 180000, years: 6 },
        }),
      ],
      token,
    );
    const [after] = await decideFor(device, ['dashboard-hero'], { token });
    expect(after?.offer?.product).toBe('car_loan');
    expect(after?.reason).toMatch(/car loan/i);

    const dismissed = after?.offer?.offerId;
    await track(
      device,
      [touchpointOf('offer_dismiss', { offer: dismissed, placement: 'dashboard-hero', decisionId: after?.decisionId })],
      token,
    );
    const [later] = await decideFor(device, ['dashboard-hero'], { token });
    expect(later?.offer?.offerId).not.toBe(dismissed);
  });

  it('links the anonymous history to the customer on the first request with a token', async () => {
    const device = crypto.randomUUID();
    await track(device, [touchpointOf('calculator_used', { product: 'car_loan', page: '/loans/car' })]);
    expect(await h.store.countTouchpoints(`a:${device}`)).toBe(1);

    const [hero] = await decideFor(device, ['dashboard-hero'], { token: await customerToken('c-test-2') });
    expect(hero?.offer?.product).toBe('car_loan');
    expect(await h.store.countTouchpoints(`a:${device}`)).toBe(0);
    expect(await h.store.countTouchpoints('c:c-test-2')).toBe(1);
    expect((await h.store.profile('c:c-test-2')).journeys.car_loan?.stage).toBe('compare');
  });

  it('never shows one offer twice on the same page, and answers an unknown placement with no offer', async () => {
    const device = crypto.randomUUID();
    await track(device, [touchpointOf('calculator_used', { product: 'car_loan' })]);
    const decisions = await decideFor(device, ['dashboard-hero', 'product-sidebar', 'no-such-place'], {
      page: '/loans/car',
    });
    expect(decisions.map((d) => d.placement)).toEqual(['dashboard-hero', 'product-sidebar', 'no-such-place']);
    const shown = decisions.flatMap((d) => (d.offer ? [d.offer.offerId] : []));
    expect(new Set(shown).size).toBe(shown.length);
    expect(decisions[2]?.offer).toBeNull();
    expect(decisions[2]?.size).toBeNull();
  });

  it('answers in the locale asked for', async () => {
    const response = await h.post('/v1/decisions', {
      ...decisionRequest(['dashboard-hero']),
      context: { channel: 'netbank', page: '/dashboard', locale: 'da', consent: 'granted' },
    });
    const { decisions } = (await response.json()) as { decisions: Decision[] };
    expect(decisions[0]?.offer?.locale).toBe('da');
    expect(decisions[0]?.reason).toMatch(/ikke på din aktivitet/);
  });

  it('keeps the full trace of every decision for staff, naming the rule that excluded each candidate', async () => {
    const [hero] = await decideFor(crypto.randomUUID(), ['dashboard-hero']);
    await h.touchpoint.flush();
    const stored = await h.store.decision(hero?.decisionId ?? '');
    expect(stored?.offerId).toBe(hero?.offer?.offerId);
    const trace = stored?.trace as {
      candidates: Array<{ offerId: string; excludedBy?: { rule: string }; score?: { priority: number } }>;
      winner: string;
    };
    expect(trace.winner).toBe(hero?.offer?.offerId);
    expect(trace.candidates.length).toBeGreaterThan(1);
    for (const candidate of trace.candidates)
      expect(candidate.excludedBy?.rule ?? candidate.score?.priority).toBeDefined();
    expect(trace.candidates.some((c) => c.excludedBy?.rule === 'journey-stage')).toBe(true);
  });

  it.each([
    [
      'an unknown field naming a customer',
      { ...decisionRequest(['dashboard-hero']), customerId: 'c-00001' },
      '/customerId',
    ],
    ['no placements', decisionRequest([]), '/placements'],
    ['a placement twice', decisionRequest(['dashboard-hero', 'dashboard-hero']), '/placements'],
    [
      'a channel other than the key’s',
      { ...decisionRequest(['mobile-home-card']), context: { channel: 'mobilebank', page: '/', locale: 'en' } },
      '/context/channel',
    ],
    [
      'an unsupported locale',
      { ...decisionRequest(['dashboard-hero']), context: { channel: 'netbank', page: '/', locale: 'fr' } },
      '/context/locale',
    ],
    [
      'a page that is a URL',
      {
        ...decisionRequest(['dashboard-hero']),
        context: { channel: 'netbank', page: 'https://x.example/', locale: 'en' },
      },
      '/context/page',
    ],
    ['a bad anonymous id', { ...decisionRequest(['dashboard-hero']), anonymousId: 'me' }, '/anonymousId'],
  ])('refuses %s with 422 naming the field', async (_, body, path) => {
    const response = await h.post('/v1/decisions', body);
    expect(response.status).toBe(422);
    const problem = await response.json();
    expect(problem.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('refuses an expired token and a forged one with 401', async () => {
    const expired = await customerToken('c-00001', { expiresAt: Math.floor(NOW.getTime() / 1000) - 120 });
    expect((await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), { token: expired })).status).toBe(401);
    const forged = await customerToken('c-00001', { secret: 'not-the-bank-secret-at-all' });
    expect((await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), { token: forged })).status).toBe(401);
  });

  it.each(['denied', 'pending'] as const)(
    'gives generic content when consent is %s: nothing about the customer is read, linked or kept',
    async (consent) => {
      const token = await customerToken('c-private');
      const device = crypto.randomUUID();
      await track(device, [touchpointOf('calculator_used', { product: 'car_loan' })], token);
      const personalized = await decideFor(device, ['dashboard-hero'], { token });
      expect(personalized[0]?.offer?.product).toBe('car_loan');
      const before = await h.rowCounts();

      const other = crypto.randomUUID();
      const response = await h.post(
        '/v1/decisions',
        {
          anonymousId: other,
          context: { channel: 'netbank', page: '/dashboard', locale: 'en', consent },
          placements: ['dashboard-hero'],
        },
        { token },
      );
      const [hero] = ((await response.json()) as { decisions: Decision[] }).decisions;
      expect(hero?.offer?.product).toBeNull();
      expect(hero?.reason).toMatch(/not based on your activity/);
      expect(await h.rowCounts()).toEqual(before);
    },
  );

  it('treats a request that states no consent as not consented (privacy by default)', async () => {
    const device = crypto.randomUUID();
    await track(device, [touchpointOf('calculator_used', { product: 'car_loan' })]);
    const { context, ...request } = decisionRequest(['dashboard-hero'], '/dashboard', device);
    const response = await h.post('/v1/decisions', {
      ...request,
      context: { channel: context.channel, page: context.page, locale: context.locale },
    });
    const [hero] = ((await response.json()) as { decisions: Decision[] }).decisions;
    expect(hero?.offer?.product).toBeNull();
  });

  it('lists the channel’s placements with their sizes', async () => {
    const response = await h.get('/v1/placements');
    const { placements } = await response.json();
    expect(placements.map((p: { id: string }) => p.id).sort()).toEqual(['dashboard-hero', 'product-sidebar']);
    const mobile = await (await h.get('/v1/placements', { key: 'pk_demo_mobilebank' })).json();
    expect(mobile.placements).toEqual([
      expect.objectContaining({ id: 'mobile-home-card', size: { width: 343, height: 180 } }),
    ]);
  });
});
