import { describe, expect, it } from 'vitest';
import { customerSubject } from '../../src/store/store.js';
import {
  customerToken,
  decisionRequest,
  engines,
  type Harness,
  NOW,
  staffToken,
  touchpointOf,
  useHarness,
} from '../support/harness.js';

const DAY_MS = 86_400_000;

function draft(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Saving-goal hero with social proof',
    hypothesis: {
      change: 'Tell customers how many others in their situation have set up a savings goal',
      audience: { placements: ['dashboard-hero'] },
      primaryMetric: 'click_through',
      minimumEffect: 0.05,
      direction: 'increase',
      principle: 'social_proof',
      rationale: 'People follow what others like them do, most of all when unsure (Cialdini).',
    },
    arms: [
      { id: 'control', name: 'Today’s hero', allocation: 1 },
      {
        id: 'peers',
        name: 'Peers',
        allocation: 1,
        offer: 'house-savings-goal',
        content: {
          da: {
            headline: '7 ud af 10 har et opsparingsmål',
            body: 'Sæt dit eget op på to minutter.',
            ctaLabel: 'Kom i gang',
            ctaUrl: '/savings',
          },
          en: {
            headline: '7 in 10 have a savings goal',
            body: 'Set up yours in two minutes.',
            ctaLabel: 'Get started',
            ctaUrl: '/savings',
          },
        },
      },
    ],
    ...overrides,
  };
}

/** New customers visiting the net bank each day of the last four weeks: the audience a power plan reads. */
async function visits(h: Harness, perDay: number) {
  const rows: Parameters<Harness['store']['insertTouchpoints']>[0][number][] = [];
  for (let day = 1; day <= 28; day++) {
    for (let i = 0; i < perDay; i++) {
      rows.push({
        subject: customerSubject(`c-visit-${day}-${i}`),
        anonymousId: null,
        touchpoint: {
          ...touchpointOf('page_view', { page: '/dashboard' }),
          occurredAt: new Date(NOW.getTime() - day * DAY_MS).toISOString(),
        } as never,
      });
    }
  }
  await h.store.insertTouchpoints(rows);
}

describe.each(engines)('experiments on $name', (engine) => {
  const h = useHarness(engine);
  const as = async (roles: Parameters<typeof staffToken>[0], id: string) => ({
    key: null,
    token: await staffToken(roles, { id }),
  });

  async function running(h: Harness, overrides: Record<string, unknown> = {}) {
    const created = await h.post('/v1/admin/experiments', draft(overrides), await as(['marketer'], 'm.hansen'));
    expect(created.status).toBe(201);
    const { experiment } = await created.json();
    expect(
      (await h.post(`/v1/admin/experiments/${experiment.id}/approve`, undefined, await as(['approver'], 'k.larsen')))
        .status,
    ).toBe(200);
    const started = await h.post(
      `/v1/admin/experiments/${experiment.id}/start`,
      undefined,
      await as(['marketer'], 'm.hansen'),
    );
    expect(started.status).toBe(200);
    return (await started.json()).experiment as { id: string; salt: string; layerRange: { from: number; to: number } };
  }

  it('writes a draft with its power plan, and refuses one without a proper hypothesis, naming each field', async () => {
    const created = await h.post('/v1/admin/experiments', draft(), await as(['marketer'], 'm.hansen'));
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body.experiment).toMatchObject({ status: 'draft', createdBy: 'm.hansen', layer: 'dashboard-hero' });
    expect(body.plan).toMatchObject({ baselineSource: 'prior', feasible: false });
    expect(body.plan.reason).toMatch(/no new eligible customers/);

    const bad = await h.post(
      '/v1/admin/experiments',
      draft({
        hypothesis: {
          ...draft().hypothesis,
          principle: 'hunch',
          minimumEffect: 2,
          audience: { placements: ['nowhere'] },
        },
      }),
      await as(['marketer'], 'm.hansen'),
    );
    expect(bad.status).toBe(422);
    const paths = (await bad.json()).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/hypothesis/principle', '/hypothesis/minimumEffect']));
    const unknownPlacement = await h.post(
      '/v1/admin/experiments',
      draft({ hypothesis: { ...draft().hypothesis, audience: { placements: ['nowhere'] } } }),
      await as(['marketer'], 'm.hansen'),
    );
    expect(unknownPlacement.status).toBe(422);
    expect((await unknownPlacement.json()).errors).toEqual([
      { path: '/hypothesis/audience/placements/0', message: 'unknown placement "nowhere"' },
    ]);
    const foreign = draft();
    foreign.arms[1] = {
      ...foreign.arms[1],
      content: {
        ...(foreign.arms[1] as { content: { da: object; en: object } }).content,
        en: { headline: 'Win', body: 'Click.', ctaLabel: 'Go', ctaUrl: 'https://evil.example/win' },
      },
    } as never;
    const refused = await h.post('/v1/admin/experiments', foreign, await as(['marketer'], 'm.hansen'));
    expect(refused.status).toBe(422);
    expect((await refused.json()).errors).toEqual([
      { path: '/arms/1/content/en/ctaUrl', message: 'host "evil.example" is not one of the catalog\'s contentHosts' },
    ]);
    expect((await h.get('/v1/admin/experiments', await as(['viewer'], 'v'))).status).toBe(200);
    expect((await (await h.get('/v1/admin/experiments', await as(['viewer'], 'v'))).json()).experiments).toHaveLength(
      1,
    );
  });

  it('lets only a marketer write, only another person approve, and never a customer', async () => {
    expect((await h.post('/v1/admin/experiments', draft(), await as(['viewer'], 'v'))).status).toBe(403);
    expect((await h.post('/v1/admin/experiments', draft(), { token: await customerToken('c-00001') })).status).toBe(
      401,
    );
    const { experiment } = await (
      await h.post('/v1/admin/experiments', draft(), await as(['marketer', 'approver'], 'm.hansen'))
    ).json();
    const own = await h.post(
      `/v1/admin/experiments/${experiment.id}/approve`,
      undefined,
      await as(['marketer', 'approver'], 'm.hansen'),
    );
    expect(own.status).toBe(403);
    expect((await own.json()).detail).toMatch(/four eyes/);
    const early = await h.post(
      `/v1/admin/experiments/${experiment.id}/start`,
      undefined,
      await as(['marketer'], 'm.hansen'),
    );
    expect(early.status).toBe(409);
    expect(
      (await h.post(`/v1/admin/experiments/${experiment.id}/approve`, undefined, await as(['approver'], 'k.larsen')))
        .status,
    ).toBe(200);
    expect(
      (await h.post(`/v1/admin/experiments/${experiment.id}/approve`, undefined, await as(['approver'], 'k.larsen')))
        .status,
    ).toBe(409);
    const read = await (await h.get(`/v1/admin/experiments/${experiment.id}`, await as(['viewer'], 'v'))).json();
    expect(read.events.map((e: { action: string; staffId: string }) => `${e.action}:${e.staffId}`)).toEqual([
      'create:m.hansen',
      'approve:k.larsen',
    ]);
  });

  it('refuses to start when the audience cannot reach the sample, saying why', async () => {
    await visits(h, 20);
    const { experiment } = await (
      await h.post(
        '/v1/admin/experiments',
        draft({ hypothesis: { ...draft().hypothesis, minimumEffect: 0.01 } }),
        await as(['marketer'], 'm.hansen'),
      )
    ).json();
    await h.post(`/v1/admin/experiments/${experiment.id}/approve`, undefined, await as(['approver'], 'k.larsen'));
    const refused = await h.post(
      `/v1/admin/experiments/${experiment.id}/start`,
      undefined,
      await as(['marketer'], 'm.hansen'),
    );
    expect(refused.status).toBe(409);
    const problem = await refused.json();
    expect(problem.type).toMatch(/underpowered$/);
    expect(problem.detail).toMatch(
      /too small: 14,\d{3} customers per arm \(always-valid test, daily looks; 8,\d{3} for a single look at the end\) would take about \d+ days, more than the 56 allowed/,
    );
    expect(
      (await (await h.get(`/v1/admin/experiments/${experiment.id}`, await as(['viewer'], 'v'))).json()).experiment
        .status,
    ).toBe('approved');
  });

  it('runs: each customer keeps one arm on every device, sees that arm’s content, and the trace names it', async () => {
    await visits(h, 120);
    const experiment = await running(h);
    const arms = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const token = await customerToken(`c-exp-${i}`);
      const heroes = [];
      for (const device of [crypto.randomUUID(), crypto.randomUUID()]) {
        const response = await h.post('/v1/decisions', decisionRequest(['dashboard-hero'], '/dashboard', device), {
          token,
        });
        heroes.push((await response.json()).decisions[0]);
      }
      await h.touchpoint.flush();
      const traces = await Promise.all(heroes.map(async (d) => (await h.store.decision(d.decisionId))?.trace as never));
      const [first, second] = traces as Array<{ experiment?: { id: string; arm: string } }>;
      expect(first?.experiment?.arm).toBe(second?.experiment?.arm);
      if (!first?.experiment) continue;
      expect(first.experiment.id).toBe(experiment.id);
      arms.set(`c-exp-${i}`, first.experiment.arm);
      const headline = heroes[0].offer?.headline;
      if (first.experiment.arm === 'peers') expect(headline).toBe('7 in 10 have a savings goal');
      else expect(headline).not.toBe('7 in 10 have a savings goal');
    }
    // Half the layer is the experiment's, and the arms split what it gets.
    expect(arms.size).toBeGreaterThan(8);
    expect(new Set(arms.values())).toEqual(new Set(['control', 'peers']));
    // Anonymous visitors without consent are never in an experiment.
    const anonymous = await h.post('/v1/decisions', {
      ...decisionRequest(['dashboard-hero']),
      context: { channel: 'netbank', page: '/dashboard', locale: 'en', consent: 'denied' },
    });
    expect((await anonymous.json()).decisions[0].offer.headline).not.toBe('7 in 10 have a savings goal');
  });

  it('reads results per arm from viewable impressions and clicks, and stops by itself when a guardrail breaks', async () => {
    await visits(h, 120);
    const experiment = await running(h);
    for (let i = 0; i < 120; i++) {
      const token = await customerToken(`c-res-${i}`);
      const device = crypto.randomUUID();
      const [decision] = (
        await (
          await h.post('/v1/decisions', decisionRequest(['dashboard-hero'], '/dashboard', device), { token })
        ).json()
      ).decisions;
      await h.touchpoint.flush();
      const trace = (await h.store.decision(decision.decisionId))?.trace as { experiment?: { arm: string } };
      if (!trace.experiment) continue;
      const refer = { offer: decision.offer.offerId, placement: 'dashboard-hero', decisionId: decision.decisionId };
      const touchpoints = [touchpointOf('offer_impression', refer)];
      // The peers arm is dismissed far more often.
      if (trace.experiment.arm === 'peers') touchpoints.push(touchpointOf('offer_dismiss', refer));
      else if (i % 4 === 0) touchpoints.push(touchpointOf('offer_click', refer));
      expect((await h.post('/v1/touchpoints', { anonymousId: device, touchpoints }, { token })).status).toBe(200);
    }
    const results = await h.get(`/v1/admin/experiments/${experiment.id}/results`, await as(['viewer'], 'v'));
    expect(results.status).toBe(200);
    const body = await results.json();
    const [control, peers] = body.arms;
    expect(control.arm).toBe('control');
    expect(control.units + peers.units).toBeGreaterThan(20);
    // One impression per customer here; each customer counts once.
    expect(control.impressions).toBe(control.units);
    expect(control.conversions).toBeGreaterThan(0);
    expect(peers.guardrails.find((g: { metric: string }) => g.metric === 'dismiss_rate').breached).toBe(true);
    expect(body.sampleRatio).toHaveProperty('pValue');
    expect(body.method).toMatch(/mSPRT/);
    expect(body.experiment.status).toBe('stopped');
    expect(body.experiment.stopReason).toMatch(/Guardrail dismiss_rate breached/);
    // Stopped: decisions no longer run under it.
    const after = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), {
      token: await customerToken('c-res-1'),
    });
    await h.touchpoint.flush();
    const trace = (await h.store.decision((await after.json()).decisions[0].decisionId))?.trace as Record<
      string,
      unknown
    >;
    expect(trace.experiment).toBeUndefined();
  });

  it('keeps two experiments on one placement apart, refuses a third, and pools stopped ones by principle', async () => {
    await visits(h, 120);
    const first = await running(h);
    const second = await running(h, { name: 'Second on the hero' });
    expect(first.layerRange.to).toBeLessThanOrEqual(second.layerRange.from);
    const third = await (
      await h.post('/v1/admin/experiments', draft({ name: 'Third' }), await as(['marketer'], 'm.hansen'))
    ).json();
    await h.post(`/v1/admin/experiments/${third.experiment.id}/approve`, undefined, await as(['approver'], 'k.larsen'));
    const full = await h.post(
      `/v1/admin/experiments/${third.experiment.id}/start`,
      undefined,
      await as(['marketer'], 'm.hansen'),
    );
    expect(full.status).toBe(409);
    expect((await full.json()).detail).toMatch(/layer "dashboard-hero" is full/);

    const stop = await h.post(
      `/v1/admin/experiments/${first.id}/stop`,
      { decision: 'inconclusive' },
      await as(['marketer'], 'm.hansen'),
    );
    expect(stop.status).toBe(200);
    expect((await stop.json()).decision).toBe('inconclusive');
    expect(
      (
        await h.post(
          `/v1/admin/experiments/${first.id}/stop`,
          { decision: 'maybe' },
          await as(['marketer'], 'm.hansen'),
        )
      ).status,
    ).toBe(422);
    const compare = await h.get('/v1/admin/experiments/compare?principle=social_proof', await as(['viewer'], 'v'));
    expect(compare.status).toBe(200);
    expect((await compare.json()).experiments).toBe(1);
    expect((await h.get('/v1/admin/experiments/compare?principle=hunch', await as(['viewer'], 'v'))).status).toBe(422);
  });

  it('plans power for the console’s calculator, and answers 404 for an unknown experiment', async () => {
    await visits(h, 120);
    const plan = await h.post(
      '/v1/admin/experiments/power',
      { hypothesis: draft().hypothesis, arms: [{ allocation: 1 }, { allocation: 1 }] },
      await as(['viewer'], 'v'),
    );
    expect(plan.status).toBe(200);
    expect(await plan.json()).toMatchObject({
      feasible: true,
      baselineSource: 'prior',
      dailyAudience: 60,
      unit: 'customer',
      test: 'always-valid',
    });
    expect((await h.get(`/v1/admin/experiments/${crypto.randomUUID()}`, await as(['viewer'], 'v'))).status).toBe(404);
    expect((await h.get('/v1/admin/experiments/not-a-uuid', await as(['viewer'], 'v'))).status).toBe(422);
  });
});

describe.each(engines)('an experiment on advisor outcomes, on $name', (engine) => {
  const h = useHarness(engine);

  it('counts each exposed customer once, and a sale an advisor records after the exposure as the event', async () => {
    const staff = async (roles: Parameters<typeof staffToken>[0], id: string) => ({
      key: null,
      token: await staffToken(roles, { id }),
    });
    await visits(h, 120);
    const created = await h.post(
      '/v1/admin/experiments',
      draft({ hypothesis: { ...draft().hypothesis, primaryMetric: 'advisor_outcome' } }),
      await staff(['marketer'], 'm.hansen'),
    );
    const { experiment } = await created.json();
    await h.post(`/v1/admin/experiments/${experiment.id}/approve`, undefined, await staff(['approver'], 'k.larsen'));
    expect(
      (await h.post(`/v1/admin/experiments/${experiment.id}/start`, undefined, await staff(['marketer'], 'm.hansen')))
        .status,
    ).toBe(200);
    const inArm = new Map<string, string>();
    for (let i = 0; i < 60 && inArm.size < 6; i++) {
      const customer = `c-adv-${i}`;
      const token = await customerToken(customer);
      const device = crypto.randomUUID();
      const [decision] = (
        await (
          await h.post('/v1/decisions', decisionRequest(['dashboard-hero'], '/dashboard', device), { token })
        ).json()
      ).decisions;
      await h.touchpoint.flush();
      const trace = (await h.store.decision(decision.decisionId))?.trace as { experiment?: { arm: string } };
      if (!trace.experiment) continue;
      inArm.set(customer, trace.experiment.arm);
      const refer = { offer: decision.offer.offerId, placement: 'dashboard-hero', decisionId: decision.decisionId };
      // Two impressions: still one customer exposed.
      const touchpoints = [touchpointOf('offer_impression', refer), touchpointOf('offer_impression', refer)];
      await h.post('/v1/touchpoints', { anonymousId: device, touchpoints }, { token });
    }
    expect(inArm.size).toBeGreaterThan(2);
    const [soldTo] = [...inArm.keys()];
    const outcome = await h.post(
      '/v1/advisor/outcomes',
      { id: crypto.randomUUID(), customerId: soldTo, product: 'savings', outcome: 'sold' },
      { key: null, token: await staffToken(['advisor'], { id: 'a.jensen', branch: 'Vejle' }) },
    );
    expect(outcome.status).toBeLessThan(300);
    const results = await (
      await h.get(`/v1/admin/experiments/${experiment.id}/results`, await staff(['viewer'], 'v'))
    ).json();
    const exposures = results.arms.reduce((sum: number, arm: { units: number }) => sum + arm.units, 0);
    expect(exposures).toBe(inArm.size);
    const sold = results.arms.find((arm: { arm: string }) => arm.arm === inArm.get(soldTo as string));
    expect(sold.conversions).toBe(1);
    expect(results.metric).toBe('advisor_outcome');
  });
});
