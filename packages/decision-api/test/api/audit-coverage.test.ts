import { describe, expect, it } from 'vitest';
import type { Offer, OfferVersion } from '../../src/contract/index.js';
import { seedDemoBank } from '../../src/demo/seed.js';
import type { StaffRole } from '../../src/http/staff-token.js';
import { bankCustomer, demoCatalog, engines, type Harness, NOW, staffToken, useHarness } from '../support/harness.js';

/**
 * Every staff route that changes something writes the audit log. The routes come from the app's own OpenAPI
 * document: a staff route (`/v1/admin/*`, `/v1/advisor/*`) with a method that changes (POST, PUT, PATCH, DELETE)
 * needs a step here that makes a real change through it and finds its audit entry, or is listed as writing nothing
 * (and shown to write nothing). A new route with neither fails this test.
 */

/** Staff routes that take a body but change nothing; the test checks that they write no row anywhere. */
const WRITES_NOTHING: Record<string, string> = {
  'post /v1/admin/preview': 'what a decision would be, with its trace: nothing stored',
  'post /v1/admin/experiments/power': 'the power calculator',
};

type Who = [StaffRole[], string];
const MARKETER: Who = [['marketer'], 'm.marketer'];
const APPROVER: Who = [['approver'], 'a.approver'];
const SECOND_APPROVER: Who = [['approver'], 'a.second'];
const ADMIN: Who = [['admin'], 's.admin'];
const ADVISOR: Who = [['advisor'], 'r.advisor'];

interface Step {
  /** `method path` as the OpenAPI document writes it. */
  readonly route: string;
  /** The audit entry it must leave: its action, and who did it. */
  readonly action: string;
  readonly staffId: string;
  /** Makes the change; answers the response, expected 2xx. */
  run(): Promise<Response>;
}

async function send(h: Harness, who: Who | null, method: string, path: string, body?: unknown, extra = {}) {
  const headers: Record<string, string> = { ...extra };
  if (who) headers.authorization = `Bearer ${await staffToken(who[0], { id: who[1] })}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return h.touchpoint.app.request(`http://touchpoint.test${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/** An experiment with an effect large enough that the seeded bank's audience reaches its sample. */
const EXPERIMENT = {
  name: 'Savings goal with peers',
  hypothesis: {
    change: 'Tell customers how many others have a savings goal',
    audience: { placements: ['dashboard-hero'] },
    primaryMetric: 'click_through',
    minimumEffect: 0.3,
    direction: 'increase',
    principle: 'social_proof',
    rationale: 'People follow what others like them do (Cialdini).',
  },
  arms: [
    { id: 'control', name: 'Today', allocation: 1 },
    { id: 'lever', name: 'Pushed harder', allocation: 1, offer: 'house-savings-goal', lever: 1.5 },
  ],
};

const seededOffer = demoCatalog.offers.find((offer) => offer.id === 'house-savings-goal') as Offer;
const withHeadline = (headline: string): Offer => ({
  ...seededOffer,
  content: { ...seededOffer.content, en: { ...seededOffer.content.en, headline } },
});

/** The steps in an order where each finds what it changes: an offer drafted before it is edited, and so on. */
function steps(h: Harness): Step[] {
  const call = (who: Who | null, method: string, path: string, body?: unknown) => send(h, who, method, path, body);
  let draft: OfferVersion | undefined;
  let experimentId = '';
  let clusterVersion = 0;
  let clusterId = '';
  const offerStep = (name: string, who: Who, comment?: string) => () =>
    call(who, 'POST', `/v1/admin/offers/${draft?.offerId}/drafts/${draft?.version}/${name}`, {
      revision: draft?.revision,
      ...(comment === undefined ? {} : { comment }),
    });
  const keep = async (response: Response, read: (body: never) => void) => {
    if (response.ok) read((await response.clone().json()) as never);
    return response;
  };
  return [
    {
      route: 'post /v1/admin/session',
      action: 'session.sign-in',
      staffId: 'v.viewer',
      run: () => call(null, 'POST', '/v1/admin/session', { id: 'v.viewer', password: 'demo-viewer' }),
    },
    {
      route: 'delete /v1/admin/session',
      action: 'session.sign-out',
      staffId: 'v.viewer',
      run: () => call([['viewer'], 'v.viewer'], 'DELETE', '/v1/admin/session'),
    },
    {
      route: 'put /v1/admin/scores',
      action: 'scores.upload',
      staffId: 's.admin',
      run: () =>
        call(ADMIN, 'PUT', '/v1/admin/scores', {
          modelName: 'mortgage-propensity',
          modelVersion: '2026.11',
          scores: [{ customerId: 'c-audited', offerId: 'mortgage-price', score: 0.2 }],
        }),
    },
    {
      route: 'post /v1/advisor/outcomes',
      action: 'advisor.outcome',
      staffId: 'r.advisor',
      run: async () => {
        await bankCustomer(h, 'c-audited', { branch: 'Aarhus', contactConsent: true });
        return call(ADVISOR, 'POST', '/v1/advisor/outcomes', {
          id: crypto.randomUUID(),
          customerId: 'c-audited',
          product: 'car_loan',
          outcome: 'contacted',
        });
      },
    },
    {
      route: 'delete /v1/admin/customers/{customerId}',
      action: 'customer.erase',
      staffId: 's.admin',
      run: () => call(ADMIN, 'DELETE', '/v1/admin/customers/c-audited'),
    },
    {
      route: 'post /v1/admin/clusters/train',
      action: 'cluster.train',
      staffId: 'm.marketer',
      run: async () => {
        await seedDemoBank(h.store, { catalog: demoCatalog, now: NOW, customers: 200 });
        return keep(
          await call(MARKETER, 'POST', '/v1/admin/clusters/train', { k: 2, minClusterSize: 10 }),
          (body: { model: { version: number; clusters: Array<{ id: string }> } }) => {
            clusterVersion = body.model.version;
            clusterId = body.model.clusters[0]?.id ?? '';
          },
        );
      },
    },
    {
      route: 'put /v1/admin/clusters/{version}/{clusterId}/name',
      action: 'cluster.name',
      staffId: 'm.marketer',
      run: () => call(MARKETER, 'PUT', `/v1/admin/clusters/${clusterVersion}/${clusterId}/name`, { name: 'Savers' }),
    },
    {
      route: 'post /v1/admin/experiments',
      action: 'experiment.create',
      staffId: 'm.marketer',
      run: async () =>
        keep(
          await call(MARKETER, 'POST', '/v1/admin/experiments', EXPERIMENT),
          (body: { experiment: { id: string } }) => {
            experimentId = body.experiment.id;
          },
        ),
    },
    {
      route: 'post /v1/admin/experiments/{id}/approve',
      action: 'experiment.approve',
      staffId: 'a.approver',
      run: () => call(APPROVER, 'POST', `/v1/admin/experiments/${experimentId}/approve`),
    },
    {
      route: 'post /v1/admin/experiments/{id}/start',
      action: 'experiment.start',
      staffId: 'm.marketer',
      run: () => call(MARKETER, 'POST', `/v1/admin/experiments/${experimentId}/start`),
    },
    {
      route: 'post /v1/admin/experiments/{id}/stop',
      action: 'experiment.stop',
      staffId: 'm.marketer',
      run: () => call(MARKETER, 'POST', `/v1/admin/experiments/${experimentId}/stop`, { decision: 'inconclusive' }),
    },
    {
      route: 'post /v1/admin/offers/{id}/drafts',
      action: 'offer.draft',
      staffId: 'm.marketer',
      run: async () =>
        keep(
          await call(MARKETER, 'POST', '/v1/admin/offers/house-savings-goal/drafts', {
            baseVersion: 1,
            offer: withHeadline('Pick a goal'),
          }),
          (body: OfferVersion) => {
            draft = body;
          },
        ),
    },
    {
      route: 'put /v1/admin/offers/{id}/drafts/{version}',
      action: 'offer.edit',
      staffId: 'm.marketer',
      run: async () =>
        keep(
          await call(MARKETER, 'PUT', `/v1/admin/offers/house-savings-goal/drafts/${draft?.version}`, {
            revision: draft?.revision,
            offer: withHeadline('Pick a goal, we do the rest'),
          }),
          (body: OfferVersion) => {
            draft = body;
          },
        ),
    },
    {
      route: 'post /v1/admin/offers/{id}/drafts/{version}/submit',
      action: 'offer.submit',
      staffId: 'm.marketer',
      run: offerStep('submit', MARKETER),
    },
    {
      route: 'post /v1/admin/offers/{id}/drafts/{version}/send-back',
      action: 'offer.send-back',
      staffId: 'a.approver',
      run: offerStep('send-back', APPROVER, 'Say what the goal is.'),
    },
    {
      route: 'post /v1/admin/offers/{id}/drafts/{version}/submit',
      action: 'offer.submit',
      staffId: 'm.marketer',
      run: offerStep('submit', MARKETER),
    },
    {
      route: 'post /v1/admin/offers/{id}/drafts/{version}/approve',
      action: 'offer.approve',
      staffId: 'a.approver',
      run: offerStep('approve', APPROVER),
    },
    {
      route: 'post /v1/admin/offers/{id}/drafts/{version}/publish',
      action: 'offer.publish',
      staffId: 'a.approver',
      run: offerStep('publish', APPROVER),
    },
    {
      route: 'post /v1/admin/offers/{id}/rollback',
      action: 'offer.rollback',
      staffId: 'a.second',
      run: async () =>
        keep(
          await call(SECOND_APPROVER, 'POST', '/v1/admin/offers/house-savings-goal/rollback', {
            toVersion: 1,
            baseVersion: 2,
          }),
          (body: OfferVersion) => {
            draft = body;
          },
        ),
    },
    {
      route: 'post /v1/admin/offers/{id}/drafts/{version}/submit',
      action: 'offer.submit',
      staffId: 'a.second',
      run: offerStep('submit', SECOND_APPROVER),
    },
    {
      route: 'post /v1/admin/offers/{id}/drafts/{version}/reject',
      action: 'offer.reject',
      staffId: 'a.approver',
      run: offerStep('reject', APPROVER, 'Keep the new headline.'),
    },
  ];
}

describe.each(engines)('the audit log of staff changes on $name', (engine) => {
  const h = useHarness(engine);

  it('has an entry for every staff route that changes something, found in the OpenAPI document', async () => {
    const document = (await (await h.get('/openapi.json', { key: null })).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const changing = Object.entries(document.paths).flatMap(([path, operations]) =>
      /^\/v1\/(admin|advisor)\//.test(path)
        ? Object.keys(operations)
            .filter((method) => ['post', 'put', 'patch', 'delete'].includes(method))
            .map((method) => `${method} ${path}`)
        : [],
    );
    expect(changing.length).toBeGreaterThan(10);
    const walk = steps(h);
    const covered = new Set([...walk.map((step) => step.route), ...Object.keys(WRITES_NOTHING)]);
    // A route missing here has no audit entry checked: audit it, and add a step that makes its change.
    expect(changing.filter((route) => !covered.has(route))).toEqual([]);
    expect([...covered].filter((route) => !changing.includes(route))).toEqual([]);

    for (const step of walk) {
      const before = (await h.store.audit.list({ limit: 1 })).entries[0]?.id ?? 0;
      const response = await step.run();
      expect(response.status, `${step.route}: ${await response.clone().text()}`).toBeLessThan(300);
      const { entries } = await h.store.audit.list({ limit: 20 });
      const written = entries.filter((entry) => entry.id > before);
      expect(
        written.map((entry) => [entry.action, entry.staffId]),
        `${step.route} wrote no audit entry of its own`,
      ).toContainEqual([step.action, step.staffId]);
    }
  }, 180_000);

  it('the staff routes that change nothing write nothing, audit log included', async () => {
    const routes = {
      'post /v1/admin/preview': () =>
        send(h, MARKETER, 'POST', '/v1/admin/preview', {
          profile: { productsHeld: [], stages: { car_loan: 'compare' } },
          context: { channel: 'netbank', page: '/dashboard', locale: 'en' },
          placements: ['dashboard-hero'],
        }),
      'post /v1/admin/experiments/power': () =>
        send(h, MARKETER, 'POST', '/v1/admin/experiments/power', {
          hypothesis: EXPERIMENT.hypothesis,
          arms: EXPERIMENT.arms.map((arm) => ({ allocation: arm.allocation })),
        }),
    };
    expect(Object.keys(routes).sort()).toEqual(Object.keys(WRITES_NOTHING).sort());
    for (const [route, run] of Object.entries(routes)) {
      const before = await h.tableCounts();
      const response = await run();
      expect(response.status, `${route}: ${await response.clone().text()}`).toBe(200);
      expect(await h.tableCounts(), route).toEqual(before);
    }
  });
});
