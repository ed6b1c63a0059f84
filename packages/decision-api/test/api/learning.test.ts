import { describe, expect, it } from 'vitest';
import { DEFAULT_LEARNING_POLICY } from '../../src/contract/index.js';
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

interface Candidate {
  offerId: string;
  score?: {
    propensity: number;
    source?: string;
    learned?: { cluster: string; alpha: number; beta: number; sampled: number; impressions: number };
    bankModel?: { score: number; modelName: string; modelVersion: string };
  };
}
interface Statistic {
  cluster: string;
  offerId: string;
  impressions: number;
  clicks: number;
  conversions: number;
  prior: number;
  alpha: number;
  beta: number;
  mean: number;
}

const put = (h: Harness, path: string, body: unknown, token?: string) =>
  h.touchpoint.app.request(`http://touchpoint.test${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

async function statistics(h: Harness): Promise<Statistic[]> {
  const response = await h.get('/v1/admin/learning', { key: null, token: await staffToken(['viewer']) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { statistics: Statistic[] }).statistics;
}

/** A customer who priced a car loan, and the decision shown to them on the dashboard. */
async function decidedCarLoan(h: Harness, init: { token?: string } = {}) {
  const anonymousId = crypto.randomUUID();
  await h.post(
    '/v1/touchpoints',
    {
      anonymousId,
      touchpoints: [touchpointOf('calculator_used', { product: 'car_loan', page: '/loans/car' })],
    },
    init,
  );
  const response = await h.post('/v1/decisions', decisionRequest(['dashboard-hero'], '/dashboard', anonymousId), init);
  const [decision] = (
    (await response.json()) as { decisions: Array<{ decisionId: string; offer: { offerId: string } }> }
  ).decisions;
  await h.touchpoint.flush();
  return { anonymousId, decisionId: decision?.decisionId as string, offerId: decision?.offer.offerId as string };
}

async function traceOf(h: Harness, decisionId: string) {
  await h.touchpoint.flush();
  return (await h.store.decision(decisionId))?.trace as {
    candidates: Candidate[];
    seed?: number;
    propensity?: number;
    runnerUp?: { offerId: string; propensity: number } | null;
    sampling?: { snapshot: number; row: number; rows: number };
  };
}

describe.each(engines)('learning from touchpoints on $name', (engine) => {
  const h = useHarness(engine);

  it('an impression, a click and a conversion of a decided offer move its statistics, each once', async () => {
    const { anonymousId, decisionId, offerId } = await decidedCarLoan(h);
    expect(offerId).toBe('car-loan-quote');
    const events = ['offer_impression', 'offer_click', 'conversion'].map((type) =>
      touchpointOf(type, { offer: offerId, decisionId, placement: 'dashboard-hero' }),
    );
    const first = await h.post('/v1/touchpoints', { anonymousId, touchpoints: events });
    expect((await first.json()).accepted).toHaveLength(3);

    const [learnt] = await statistics(h);
    expect(learnt).toMatchObject({ cluster: '*', offerId, impressions: 1, clicks: 1, conversions: 1, prior: 0.16 });
    const { priorStrength } = DEFAULT_LEARNING_POLICY;
    expect(learnt?.alpha).toBeCloseTo(0.16 * priorStrength + 1, 9);
    expect(learnt?.beta).toBeCloseTo(0.84 * priorStrength, 9);
    expect(learnt?.mean).toBeCloseTo((0.16 * priorStrength + 1) / (priorStrength + 1), 9);

    // The same ids again, a second conversion of the same decision, and an offer the decision never showed: no change.
    await h.post('/v1/touchpoints', { anonymousId, touchpoints: events });
    await h.post('/v1/touchpoints', {
      anonymousId,
      touchpoints: [
        touchpointOf('conversion', { offer: offerId, decisionId }),
        touchpointOf('offer_impression', { offer: 'mortgage-price', decisionId }),
      ],
    });
    expect(await statistics(h)).toEqual([learnt]);
  });

  it('keys the statistics by the cluster the decision was taken for', async () => {
    const decisionId = crypto.randomUUID();
    await h.store.recordDecisions([
      {
        id: decisionId,
        subject: customerSubject('c-7'),
        placement: 'dashboard-hero',
        offerId: 'pension-check',
        channel: 'netbank',
        page: '/dashboard',
        locale: 'en',
        reason: 'Because you recently looked at pension in the bank.',
        trace: { cluster: { id: 'cluster-3', modelVersion: 2 }, candidates: [] },
        createdAt: NOW,
      },
    ]);
    const response = await h.post(
      '/v1/touchpoints',
      {
        anonymousId: crypto.randomUUID(),
        touchpoints: [
          touchpointOf('offer_impression', { offer: 'pension-check', decisionId }),
          touchpointOf('offer_impression', { offer: 'pension-check', decisionId }),
        ],
      },
      { token: await customerToken('c-7') },
    );
    expect((await response.json()).accepted).toHaveLength(2);
    expect(await statistics(h)).toEqual([
      expect.objectContaining({ cluster: 'cluster-3', offerId: 'pension-check', impressions: 2, conversions: 0 }),
    ]);
  });

  it('the next decision reads what ingest learnt, and its trace shows the posterior and the draw', async () => {
    const { anonymousId, decisionId, offerId } = await decidedCarLoan(h);
    const before = (await traceOf(h, decisionId)).candidates.find((c) => c.offerId === offerId);
    expect(before?.score).toMatchObject({ source: 'learned', learned: { cluster: '*', impressions: 0 } });
    await h.post('/v1/touchpoints', {
      anonymousId,
      // One impression: a second today would reach the offer's daily cap and keep it out of the next decision.
      touchpoints: [touchpointOf('offer_impression', { offer: offerId, decisionId })],
    });

    const again = await h.post('/v1/decisions', decisionRequest(['dashboard-hero'], '/dashboard', anonymousId));
    const [next] = (await again.json()).decisions as Array<{ decisionId: string }>;
    const trace = await traceOf(h, next?.decisionId as string);
    expect(Number.isInteger(trace.seed)).toBe(true);
    const learnt = trace.candidates.find((c) => c.offerId === offerId)?.score?.learned;
    expect(learnt).toMatchObject({ cluster: '*', impressions: 1 });
    expect(learnt?.beta).toBeCloseTo(0.84 * DEFAULT_LEARNING_POLICY.priorStrength + 1, 9);
    expect(learnt?.sampled).toBeGreaterThan(0);
    expect(learnt?.sampled).toBeLessThan(1);
    // The stored decision keeps the probability of its choice and of the runner-up, for off-policy evaluation.
    expect(trace.propensity).toBeGreaterThan(0);
    expect(trace.propensity).toBeLessThanOrEqual(1);
    expect(trace.sampling).toMatchObject({ rows: expect.any(Number), row: expect.any(Number) });
    if (trace.runnerUp) expect(trace.runnerUp.propensity).toBeLessThanOrEqual(1 - (trace.propensity as number) + 1e-12);
  });
});

describe.each(engines)('the bank’s own model scores on $name', (engine) => {
  const h = useHarness(engine);
  const upload = {
    modelName: 'car-loan-propensity',
    modelVersion: '2026.11',
    scores: [
      { customerId: 'c-42', offerId: 'car-loan-quote', score: 0.37 },
      { customerId: 'c-42', offerId: 'no-such-offer', score: 0.5 },
      { customerId: 'c-42', offerId: 'mortgage-price', score: 1.5 },
      { customerId: 'not a customer id', offerId: 'mortgage-price', score: 0.2 },
      { customerId: 'c-42', offerId: 'car-loan-quote', score: 0.9 },
      { customerId: 'c-43', offerId: 'pension-check', score: 0 },
    ],
  };

  it('an admin uploads scores: the valid ones are kept, each invalid one refused with its reason', async () => {
    const response = await put(h, '/v1/admin/scores', upload, await staffToken(['admin']));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { stored: number; rejected: Array<{ index: number; errors: unknown[] }> };
    expect(body.stored).toBe(2);
    expect(body.rejected).toEqual([
      { index: 1, errors: [{ path: '/scores/1/offerId', message: 'unknown offer "no-such-offer"' }] },
      { index: 2, errors: [expect.objectContaining({ path: '/scores/2/score' })] },
      { index: 3, errors: [expect.objectContaining({ path: '/scores/3/customerId' })] },
      { index: 4, errors: [{ path: '/scores/4', message: 'customer × offer given before, at /scores/0' }] },
    ]);
    expect(await h.store.bankScores('c-42')).toEqual(
      new Map([['car-loan-quote', { score: 0.37, modelName: 'car-loan-propensity', modelVersion: '2026.11' }]]),
    );
  });

  it('a customer’s decision uses the uploaded score instead of the learned propensity, and its trace says so', async () => {
    await put(h, '/v1/admin/scores', upload, await staffToken(['admin']));
    const { decisionId } = await decidedCarLoan(h, { token: await customerToken('c-42') });
    const { candidates } = await traceOf(h, decisionId);
    const quote = candidates.find((c) => c.offerId === 'car-loan-quote')?.score;
    expect(quote).toMatchObject({
      source: 'bank-model',
      propensity: 0.37,
      bankModel: { score: 0.37, modelName: 'car-loan-propensity', modelVersion: '2026.11' },
    });
    expect(quote?.learned).toBeUndefined();
    expect(candidates.find((c) => c.offerId === 'house-savings-goal')?.score?.source).toBe('learned');

    // Another customer, and an anonymous visitor, have no score: their propensity is learned.
    const other = await decidedCarLoan(h, { token: await customerToken('c-44') });
    expect(
      (await traceOf(h, other.decisionId)).candidates.find((c) => c.offerId === 'car-loan-quote')?.score?.source,
    ).toBe('learned');
  });

  it('refuses an upload with no valid score, a missing model name, or too many scores, naming the fields', async () => {
    const token = await staffToken(['admin']);
    const none = await put(h, '/v1/admin/scores', { ...upload, scores: [upload.scores[2]] }, token);
    expect(none.status).toBe(422);
    expect((await none.json()).errors).toEqual([expect.objectContaining({ path: '/scores/0/score' })]);

    const { modelName: _, ...unnamed } = upload;
    const noName = await put(h, '/v1/admin/scores', unnamed, token);
    expect(noName.status).toBe(422);
    expect((await noName.json()).errors).toEqual([expect.objectContaining({ path: '/modelName' })]);

    const many = Array.from({ length: 10_001 }, (_, i) => ({
      customerId: `c-${i}`,
      offerId: 'pension-check',
      score: 0.1,
    }));
    const tooMany = await put(h, '/v1/admin/scores', { ...upload, scores: many }, token);
    expect(tooMany.status).toBe(422);
    expect((await tooMany.json()).errors).toEqual([expect.objectContaining({ path: '/scores' })]);
    expect(await h.store.bankScores('c-42')).toEqual(new Map());
  });

  it('only an admin uploads scores; a viewer reads the learning; others are refused', async () => {
    expect((await put(h, '/v1/admin/scores', upload, await staffToken(['viewer']))).status).toBe(403);
    expect((await put(h, '/v1/admin/scores', upload, await staffToken(['marketer', 'approver']))).status).toBe(403);
    expect((await put(h, '/v1/admin/scores', upload)).status).toBe(401);
    expect((await put(h, '/v1/admin/scores', upload, await customerToken('c-42'))).status).toBe(401);
    expect(await h.store.bankScores('c-42')).toEqual(new Map());

    const read = (token?: string) => h.get('/v1/admin/learning', { key: null, ...(token ? { token } : {}) });
    expect((await read(await staffToken(['viewer']))).status).toBe(200);
    expect((await read(await staffToken(['admin']))).status).toBe(200);
    expect((await read(await staffToken(['advisor']))).status).toBe(403);
    expect((await read()).status).toBe(401);
  });
});
