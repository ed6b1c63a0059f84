import { describe, expect, it } from 'vitest';
import { decidePage } from '../../src/domain/decision/decide-page.js';
import { inHoldout } from '../../src/domain/experiments/experiments.js';
import { customerSubject } from '../../src/store/store.js';
import {
  bankCustomer,
  customerToken,
  engines,
  type Harness,
  NETBANK_KEY,
  prices,
  staffToken,
  TEST_CONFIG,
  useHarness,
} from '../support/harness.js';

interface Candidate {
  offerId: string;
  excludedBy?: { rule: string; detail: string };
  score?: { priority: number; learned?: { mean: number; sampled: number } };
}
interface Trace {
  stages: Record<string, string>;
  productsHeld: string[];
  candidates: Candidate[];
  winner: string | null;
  contactPolicy: { weeklyContacts: number; weeklyCap: number };
  cluster: { id: string; modelVersion: number } | null;
  clusterReason: string;
  seed?: number;
  holdout?: boolean;
}
interface Preview {
  placement: string;
  offer: { offerId: string; headline: string } | null;
  size: { width: number; height: number } | null;
  reason: string;
  trace: Trace;
}

const context = { channel: 'netbank', page: '/dashboard', locale: 'en', consent: 'granted' } as const;
const PLACEMENTS = ['dashboard-hero', 'product-sidebar'];

async function preview(h: Harness, body: unknown, roles: Parameters<typeof staffToken>[0] = ['marketer']) {
  return h.post('/v1/admin/preview', body, { key: null, token: await staffToken(roles) });
}

async function previews(h: Harness, body: unknown): Promise<Preview[]> {
  const response = await preview(h, body);
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { previews: Preview[] }).previews;
}

const winners = (list: Preview[]) => list.map((p) => p.offer?.offerId ?? null);

describe.each(engines)('staff preview of decisions ($name)', (engine) => {
  const h = useHarness(engine);

  /** A customer of the bank who priced a car loan twice: their journey is at compare. */
  async function carLoanCustomer(id = 'c-preview-1') {
    await bankCustomer(h, id, { birthYear: 1985 });
    await prices(h, id, 'car_loan', 2);
    return id;
  }

  it('previews a real customer as POST /v1/decisions decides for them, with exploration off', async () => {
    const customerId = await carLoanCustomer();
    const decided = await h.post(
      '/v1/decisions',
      { anonymousId: crypto.randomUUID(), context, placements: PLACEMENTS },
      { token: await customerToken(customerId) },
    );
    expect(decided.status).toBe(200);
    const { decisions } = (await decided.json()) as {
      decisions: Array<{ decisionId: string; offer: { offerId: string } | null; reason: string }>;
    };
    const kept = await Promise.all(
      decisions.map(async (d) => {
        await h.touchpoint.flush();
        return (await h.store.decision(d.decisionId))?.trace as Trace;
      }),
    );

    const previewed = await previews(h, { customerId, context, placements: PLACEMENTS });
    // The same offers and reasons the customer was given: the car-loan journey decides, not exploration.
    expect(winners(previewed)).toEqual(decisions.map((d) => d.offer?.offerId ?? null));
    expect(previewed[0]?.offer?.offerId).toMatch(/^car-loan-/);
    expect(previewed.map((p) => p.reason)).toEqual(decisions.map((d) => d.reason));
    for (const [i, p] of previewed.entries()) {
      const trace = kept[i] as Trace;
      expect(p.trace.stages).toEqual(trace.stages);
      expect(p.trace.stages.car_loan).toBe('compare');
      expect(p.trace.productsHeld).toEqual(trace.productsHeld);
      expect(p.trace.contactPolicy).toEqual(trace.contactPolicy);
      expect(p.trace.cluster).toEqual(trace.cluster);
      expect(p.trace.candidates.map((c) => [c.offerId, c.excludedBy?.rule ?? null])).toEqual(
        trace.candidates.map((c) => [c.offerId, c.excludedBy?.rule ?? null]),
      );
      // No exploration draw: each learned propensity is the posterior mean the customer's decision drew around.
      expect(p.trace.seed).toBeUndefined();
      expect(trace.seed).toEqual(expect.any(Number));
      for (const [j, candidate] of p.trace.candidates.entries()) {
        if (!candidate.score?.learned) continue;
        expect(candidate.score.learned.sampled).toBe(candidate.score.learned.mean);
        expect(candidate.score.learned.mean).toBe(trace.candidates[j]?.score?.learned?.mean);
      }
    }
    // And exactly what the decision of a page decides without a seed from the stored profile.
    const profile = await h.store.profile(customerSubject(customerId));
    const composed = decidePage(
      h.touchpoint.services.decisionSnapshot(h.touchpoint.services.now(), { preview: true }),
      {
        profile,
        context,
        placements: PLACEMENTS,
        customerId,
        unitId: customerId,
        bankScores: await h.store.bankScores(customerId),
        now: h.touchpoint.services.now(),
      },
    );
    expect(previewed.map((p) => p.trace)).toEqual(composed.map((outcome) => outcome.trace));
  });

  it('the same input gives the same answer, and one changed input changes it', async () => {
    const customerId = await carLoanCustomer('c-preview-2');
    const body = { customerId, context, placements: PLACEMENTS };
    const first = await preview(h, body);
    const second = await preview(h, body);
    expect(await second.json()).toEqual(await first.json());

    // Consent denied: generic content, no profile read, no cluster.
    const denied = await previews(h, { ...body, context: { ...context, consent: 'denied' } });
    expect(winners(denied)[0]).not.toMatch(/^car-loan-/);
    expect(denied[0]?.trace.stages).toEqual({});

    // A synthetic profile: the car-loan stage decides, and moving it changes the offer.
    const synthetic = (stages: Record<string, string>, extra: Record<string, unknown> = {}) => ({
      profile: { productsHeld: ['savings'], stages, ...extra },
      context,
      placements: PLACEMENTS,
      at: '2026-11-22T12:00:00Z',
    });
    const atCompare = await previews(h, synthetic({ car_loan: 'compare' }));
    const atApply = await previews(h, synthetic({ car_loan: 'apply' }));
    const none = await previews(h, synthetic({}));
    // The same profile without consent: generic content, the profile unused.
    const withoutConsent = await previews(h, {
      ...synthetic({ car_loan: 'compare' }),
      context: { ...context, consent: 'denied' },
    });
    expect(winners(withoutConsent)).toEqual(winners(none));
    expect(withoutConsent[0]?.trace.stages).toEqual({});
    expect(withoutConsent[0]?.trace.productsHeld).toEqual([]);
    expect(atCompare[0]?.offer?.offerId).toMatch(/^car-loan-/);
    expect(atCompare[0]?.trace.stages).toEqual({ car_loan: 'compare' });
    expect(atCompare[0]?.trace.productsHeld).toEqual(['savings']);
    expect(winners(atApply)).not.toEqual(winners(atCompare));
    expect(winners(none)[0]).not.toMatch(/^car-loan-/);
    // Credit offers are refused to a customer in arrears: the rule shows in the trace.
    const inArrears = await previews(h, synthetic({ car_loan: 'compare' }, { attributes: { arrears: true } }));
    expect(winners(inArrears)[0]).not.toMatch(/^car-loan-/);
    const excluded = inArrears[0]?.trace.candidates.find((c) => c.offerId === atCompare[0]?.offer?.offerId);
    expect(excluded?.excludedBy?.rule).toEqual(expect.any(String));
    // Every placement is drawn at its catalog size.
    expect(atCompare.map((p) => p.size)).toEqual([
      { width: 960, height: 240 },
      { width: 300, height: 360 },
    ]);
  });

  it('writes nothing: no decision, touchpoint, profile change, impression or learning', async () => {
    const customerId = await carLoanCustomer('c-preview-3');
    const before = await h.tableCounts();
    const profileBefore = await h.store.profile(customerSubject(customerId));
    for (const consent of ['granted', 'denied'] as const) {
      await previews(h, { customerId, context: { ...context, consent }, placements: PLACEMENTS });
      await previews(h, {
        profile: { stages: { mortgage: 'apply' } },
        context: { ...context, consent },
        placements: PLACEMENTS,
      });
    }
    expect(await h.tableCounts()).toEqual(before);
    expect(before.decisions).toBe(0);
    expect(await h.store.profile(customerSubject(customerId))).toEqual(profileBefore);
  });

  it('refuses what it cannot preview, naming the field', async () => {
    const unknown = await preview(h, { customerId: 'c-nobody', context, placements: PLACEMENTS });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect((await unknown.json()).detail).toContain('c-nobody');

    const cases: Array<[unknown, string]> = [
      [{ profile: { stages: { car_loan: 'dreaming' } }, context, placements: PLACEMENTS }, '/profile/stages/car_loan'],
      [{ profile: { productsHeld: ['yacht'] }, context, placements: PLACEMENTS }, '/profile/productsHeld/0'],
      [{ profile: { stages: { yacht: 'compare' } }, context, placements: PLACEMENTS }, '/profile/stages/yacht'],
      [{ profile: { mood: 'happy' }, context, placements: PLACEMENTS }, '/profile/mood'],
      [{ profile: { cluster: 'cluster-1' }, context, placements: PLACEMENTS }, '/profile/cluster'],
      [{ profile: {}, context: { ...context, locale: 'sv' }, placements: PLACEMENTS }, '/context/locale'],
      [{ profile: {}, context, placements: PLACEMENTS, at: 'yesterday' }, '/at'],
      [{ profile: {}, customerId: 'c-1', context, placements: PLACEMENTS }, '/profile'],
      [{ context, placements: PLACEMENTS }, '/customerId'],
      [{ profile: {}, context, placements: ['dashboard-hero', 'dashboard-hero'] }, '/placements'],
      [{ profile: {}, context, placements: PLACEMENTS, debug: true }, '/debug'],
    ];
    for (const [body, field] of cases) {
      const response = await preview(h, body);
      expect(response.status, field).toBe(422);
      const problem = (await response.json()) as { errors: Array<{ path: string }> };
      expect(
        problem.errors.map((e) => e.path),
        field,
      ).toContain(field);
    }
  });

  it('lists what a preview can be asked about: placements with sizes, products, stages, clusters', async () => {
    const response = await h.get('/v1/admin/preview/inputs', { key: null, token: await staffToken(['viewer']) });
    expect(response.status).toBe(200);
    const inputs = await response.json();
    expect(inputs.placements).toContainEqual({
      id: 'dashboard-hero',
      name: expect.any(String),
      channels: ['netbank'],
      size: { width: 960, height: 240 },
    });
    expect(inputs.products.map((p: { id: string }) => p.id)).toContain('car_loan');
    expect(inputs.stages).toEqual(['aware', 'explore', 'compare', 'apply', 'sign', 'use']);
    // No model trained yet: no clusters to choose from.
    expect(inputs.clusters).toEqual([]);
    expect(inputs.clusterModelVersion).toBeNull();
  });

  it('is for staff who read decisions: a customer token, an advisor and no token are refused', async () => {
    const customerId = await carLoanCustomer('c-preview-4');
    const body = { customerId, context, placements: PLACEMENTS };
    const asCustomer = await h.post('/v1/admin/preview', body, {
      key: NETBANK_KEY,
      token: await customerToken(customerId),
    });
    expect(asCustomer.status).toBe(401);
    expect((await preview(h, body, ['advisor'])).status).toBe(403);
    expect((await h.post('/v1/admin/preview', body, { key: null })).status).toBe(401);
    for (const role of ['viewer', 'approver', 'admin'] as const) {
      expect((await preview(h, body, [role])).status, role).toBe(200);
    }
  });
});

describe.each(engines)('preview of a customer in the global holdout ($name)', (engine) => {
  const holdout = { share: 0.5, salt: 'preview-test' };
  const h = useHarness(engine, { config: { ...TEST_CONFIG, holdout } });
  const ids = Array.from({ length: 40 }, (_, i) => `c-held-${i}`);
  const heldOut = ids.find((id) => inHoldout(id, holdout.share, holdout.salt)) as string;
  const notHeldOut = ids.find((id) => !inHoldout(id, holdout.share, holdout.salt)) as string;

  it('shows the generic content the holdout sees, and says so in the trace', async () => {
    for (const id of [heldOut, notHeldOut]) {
      await bankCustomer(h, id, { birthYear: 1985 });
      await prices(h, id, 'car_loan', 2);
    }
    const held = await previews(h, { customerId: heldOut, context, placements: PLACEMENTS });
    expect(held.every((p) => p.trace.holdout === true)).toBe(true);
    expect(winners(held)[0]).not.toMatch(/^car-loan-/);
    expect(held[0]?.trace.clusterReason).toContain('holdout');
    const shown = await previews(h, { customerId: notHeldOut, context, placements: PLACEMENTS });
    expect(shown[0]?.trace.holdout).toBeUndefined();
    expect(winners(shown)[0]).toMatch(/^car-loan-/);
  });
});
