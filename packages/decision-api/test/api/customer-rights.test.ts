import { describe, expect, it } from 'vitest';
import {
  customerToken,
  decisionRequest,
  engines,
  NOW,
  staffToken,
  touchpointOf,
  useHarness,
} from '../support/harness.js';

interface Decision {
  decisionId: string;
  offer: { offerId: string; product: string | null } | null;
  reason: string;
  why?: string;
}

interface Export {
  customerId: string;
  exportedAt: string;
  profile: { journeys: Record<string, { stage: string }> } | null;
  devices: Array<{ anonymousId: string; linkedAt: string; profile: unknown }>;
  erasures: Array<{ erasedAt: string; byStaff: boolean }>;
  records: Record<string, Array<Record<string, unknown>>>;
  touchpoints: Array<{ id: string; anonymousId: string | null }>;
  decisions: Array<{ id: string; reason: string; trace: unknown }>;
}

describe.each(engines)('customers’ rights on $name', (engine) => {
  const h = useHarness(engine);

  const decide = async (device: string, token?: string, locale: 'en' | 'da' = 'en') => {
    const request = decisionRequest(['dashboard-hero'], '/dashboard', device);
    const response = await h.post(
      '/v1/decisions',
      { ...request, context: { ...request.context, locale } },
      {
        ...(token ? { token } : {}),
      },
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { decisions: Decision[] }).decisions[0] as Decision;
  };
  const track = async (device: string, touchpoints: Array<Record<string, unknown>>, token?: string) => {
    const response = await h.post('/v1/touchpoints', { anonymousId: device, touchpoints }, token ? { token } : {});
    expect(response.status).toBe(200);
    expect((await response.json()).rejected).toEqual([]);
  };

  /**
   * A customer who browsed anonymously, logged in (linking the device), priced a car loan, saw a car-loan offer,
   * then browsed again logged out on the same device.
   */
  const customer = async (customerId: string) => {
    const token = await customerToken(customerId);
    const device = crypto.randomUUID();
    const before = [touchpointOf('page_view', { page: '/loans/car' })];
    await track(device, before);
    const priced = [
      touchpointOf('product_view', { product: 'car_loan', page: '/loans/car' }),
      touchpointOf('calculator_used', { product: 'car_loan', page: '/loans/car', properties: { amount: 180000 } }),
    ];
    await track(device, priced, token);
    const decision = await decide(device, token);
    const seen = [
      touchpointOf('offer_impression', {
        offer: decision.offer?.offerId,
        placement: 'dashboard-hero',
        decisionId: decision.decisionId,
      }),
    ];
    await track(device, seen, token);
    const after = [touchpointOf('page_view', { page: '/pension' })];
    await track(device, after);
    return {
      customerId,
      token,
      device,
      decision,
      touchpointIds: [...before, ...priced, ...seen, ...after].map((t) => t.id as string),
    };
  };

  const exportOf = async (token: string) => {
    const response = await h.get('/v1/me/data', { token });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const text = await response.text();
    return { text, body: JSON.parse(text) as Export };
  };

  describe('seeing what is held about me', () => {
    it('gives a customer their profile, devices, touchpoints and decisions, and nothing of another customer', async () => {
      const ann = await customer('c-ann');
      const bob = await customer('c-bob');
      const { body, text } = await exportOf(ann.token);
      expect(body.customerId).toBe('c-ann');
      expect(body.profile?.journeys.car_loan?.stage).toBe('compare');
      expect(body.devices).toEqual([
        { anonymousId: ann.device, linkedAt: expect.any(String), profile: expect.anything() },
      ]);
      expect(body.touchpoints.map((t) => t.id).sort()).toEqual([...ann.touchpointIds].sort());
      expect(body.decisions).toEqual([
        expect.objectContaining({ id: ann.decision.decisionId, reason: ann.decision.reason, trace: expect.anything() }),
      ]);
      expect(body.erasures).toEqual([]);
      for (const id of [bob.device, bob.decision.decisionId, ...bob.touchpointIds]) expect(text).not.toContain(id);
    });

    it('streams a long history whole, page after page', async () => {
      const token = await customerToken('c-busy');
      const device = crypto.randomUUID();
      const ids: string[] = [];
      for (let batch = 0; batch < 3; batch++) {
        const touchpoints = Array.from({ length: 450 }, () => touchpointOf('page_view', { page: '/loans/car' }));
        ids.push(...touchpoints.map((t) => t.id as string));
        await track(device, touchpoints, token);
      }
      const { body } = await exportOf(token);
      expect(body.touchpoints).toHaveLength(ids.length);
      expect(new Set(body.touchpoints.map((t) => t.id))).toEqual(new Set(ids));
    });

    it('needs a valid customer token', async () => {
      expect((await h.get('/v1/me/data')).status).toBe(401);
      const forged = await customerToken('c-ann', { secret: 'not-the-bank-backend-secret' });
      expect((await h.get('/v1/me/data', { token: forged })).status).toBe(401);
      expect((await h.get('/v1/me/data', { key: null, token: await customerToken('c-ann') })).status).toBe(401);
    });
  });

  describe('erasure', () => {
    it('a customer erases everything of theirs; another customer’s data and the daily counts stay', async () => {
      const ann = await customer('c-ann');
      const bob = await customer('c-bob');
      const scores = await h.touchpoint.app.request('http://touchpoint.test/v1/admin/scores', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await staffToken(['admin'])}` },
        body: JSON.stringify({
          modelName: 'car-loan-propensity',
          modelVersion: '2026.11',
          scores: [
            { customerId: 'c-ann', offerId: 'car-loan-quote', score: 0.4 },
            { customerId: 'c-bob', offerId: 'car-loan-quote', score: 0.6 },
          ],
        }),
      });
      expect(scores.status).toBe(200);
      const annScores = (await exportOf(ann.token)).body.records.propensity_scores;
      expect(annScores).toEqual([expect.objectContaining({ offer_id: 'car-loan-quote', score: 0.4 })]);
      expect(annScores?.[0]).not.toHaveProperty('customer_id');
      const counts = await h.store.offerDailyCounts();
      const bobTouchpoints = await h.store.countTouchpointsWithIds(bob.touchpointIds);
      // Each has a customer profile and one of the device, browsing logged out after linking.
      expect(await h.rowCounts()).toEqual({ touchpoints: 10, profiles: 4, decisions: 2, identityLinks: 2 });

      const response = await h.delete('/v1/me', { token: ann.token });
      expect(response.status).toBe(204);

      expect(await h.store.countTouchpointsWithIds(ann.touchpointIds)).toBe(0);
      expect(await h.store.decision(ann.decision.decisionId)).toBeNull();
      expect(await h.store.countTouchpointsWithIds(bob.touchpointIds)).toBe(bobTouchpoints);
      expect(await h.store.decision(bob.decision.decisionId)).not.toBeNull();
      expect(await h.rowCounts()).toEqual({ touchpoints: 5, profiles: 2, decisions: 1, identityLinks: 1 });
      expect(await h.store.offerDailyCounts()).toEqual(counts);
      expect(await h.store.privacy.erasures('c-ann')).toEqual([{ erasedAt: NOW.toISOString(), staffId: null }]);

      // The next decision for the same token and device starts from nothing.
      const fresh = await decide(ann.device, ann.token);
      expect(fresh.offer?.product).not.toBe('car_loan');
      expect(fresh.reason).toMatch(/not based on your activity/);
      const { body } = await exportOf(ann.token);
      expect(body.profile).toBeNull();
      expect(body.touchpoints).toEqual([]);
      expect(body.decisions.map((d) => d.id)).toEqual([fresh.decisionId]);
      expect(body.erasures).toEqual([{ erasedAt: NOW.toISOString(), byStaff: false }]);
      expect(body.records.propensity_scores).toEqual([]);
      expect((await exportOf(bob.token)).body.records.propensity_scores).toHaveLength(1);
    });

    it('an admin erases a customer on request, and the log names who did it', async () => {
      const ann = await customer('c-ann');
      await customer('c-bob');
      const response = await h.delete('/v1/admin/customers/c-ann', {
        key: null,
        token: await staffToken(['admin'], { id: 'dpo.larsen' }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        customerId: 'c-ann',
        erasedAt: NOW.toISOString(),
        deleted: expect.objectContaining({
          touchpoints: 5,
          decisions: 1,
          profiles: 2,
          propensity_scores: 0,
          identity_links: 1,
        }),
      });
      expect(await h.store.countTouchpointsWithIds(ann.touchpointIds)).toBe(0);
      expect(await h.rowCounts()).toEqual({ touchpoints: 5, profiles: 2, decisions: 1, identityLinks: 1 });
      expect(await h.store.privacy.erasures('c-ann')).toEqual([{ erasedAt: NOW.toISOString(), staffId: 'dpo.larsen' }]);
      expect((await exportOf(ann.token)).body.erasures).toEqual([{ erasedAt: NOW.toISOString(), byStaff: true }]);
    });

    it('only an admin erases: other roles get 403, a customer token or a site key alone 401, and nothing is erased', async () => {
      const ann = await customer('c-ann');
      const path = '/v1/admin/customers/c-ann';
      for (const role of ['viewer', 'marketer', 'approver', 'advisor'] as const) {
        const response = await h.delete(path, { key: null, token: await staffToken([role]) });
        expect(response.status).toBe(403);
      }
      expect((await h.delete(path, { key: null, token: ann.token })).status).toBe(401);
      expect((await h.delete(path, { token: ann.token })).status).toBe(401);
      expect((await h.delete(path)).status).toBe(401);
      expect(await h.store.countTouchpointsWithIds(ann.touchpointIds)).toBe(ann.touchpointIds.length);
      expect(await h.store.privacy.erasures('c-ann')).toEqual([]);
    });

    it('refuses an id that is not a pseudonymous customer id', async () => {
      const response = await h.delete(`/v1/admin/customers/${'x'.repeat(65)}`, {
        key: null,
        token: await staffToken(['admin']),
      });
      expect(response.status).toBe(422);
      expect((await response.json()).errors).toEqual([{ path: '/customerId', message: expect.any(String) }]);
    });

    it('needs a customer token to erase', async () => {
      expect((await h.delete('/v1/me')).status).toBe(401);
      expect((await h.delete('/v1/me', { token: await staffToken(['admin']) })).status).toBe(401);
    });
  });

  describe('why am I seeing this?', () => {
    const whyOf = async (decision: Decision, token?: string) =>
      h.get(new URL(decision.why ?? `http://x/v1/me/decisions/${decision.decisionId}/why`).pathname, {
        ...(token ? { token } : {}),
      });

    it('tells a customer the reason, the journey stage and the visits that led there, with no scores', async () => {
      const ann = await customer('c-ann');
      expect(ann.decision.offer?.product).toBe('car_loan');
      expect(ann.decision.why).toBe(`http://touchpoint.test/v1/me/decisions/${ann.decision.decisionId}/why`);
      const response = await whyOf(ann.decision, ann.token);
      expect(response.status).toBe(200);
      const text = await response.text();
      const why = JSON.parse(text);
      expect(why).toEqual({
        decisionId: ann.decision.decisionId,
        locale: 'en',
        offerId: ann.decision.offer?.offerId,
        reason: ann.decision.reason,
        journey: { product: expect.stringMatching(/car loan/i), stage: 'compare', description: expect.any(String) },
        touchpoints: [
          { at: expect.any(String), description: 'You visited the pages about car loan in the net bank.' },
          { at: expect.any(String), description: 'You looked at car loan in the net bank.' },
          { at: expect.any(String), description: 'You priced car loan in the net bank.' },
        ],
        optOut: expect.stringMatching(/turn off personalised offers/),
      });
      expect(text).not.toMatch(/score|priority|propensity|candidates|excluded/i);
    });

    it('answers in the decision’s language', async () => {
      const ann = await customer('c-ann');
      const decision = await decide(ann.device, ann.token, 'da');
      const why = await (await whyOf(decision, ann.token)).json();
      expect(why.locale).toBe('da');
      expect(why.touchpoints.map((t: { description: string }) => t.description)).toContain(
        'Du beregnede en pris på billån i netbanken.',
      );
      expect(why.optOut).toMatch(/slå personlige tilbud fra/);
    });

    it('answers 404 for another customer’s decision, exactly as for one that does not exist', async () => {
      const ann = await customer('c-ann');
      const bob = await customer('c-bob');
      const theirs = await whyOf(ann.decision, bob.token);
      const none = await whyOf({ ...ann.decision, why: undefined, decisionId: crypto.randomUUID() }, bob.token);
      expect(theirs.status).toBe(404);
      expect(none.status).toBe(404);
      expect(await theirs.json()).toEqual(await none.json());
      expect((await h.get('/v1/me/decisions/not-a-uuid/why', { token: bob.token })).status).toBe(404);
      expect((await whyOf(ann.decision)).status).toBe(401);
    });

    it('offers no link for an anonymous visitor or without consent: nothing of theirs is kept to explain', async () => {
      const anonymous = await decide(crypto.randomUUID());
      expect(anonymous.why).toBeUndefined();
      const token = await customerToken('c-pending');
      const pending = decisionRequest(['dashboard-hero']);
      const response = await h.post(
        '/v1/decisions',
        { ...pending, context: { ...pending.context, consent: 'pending' } },
        { token },
      );
      const [decision] = (await response.json()).decisions as Decision[];
      expect(decision?.why).toBeUndefined();
    });
  });
});
