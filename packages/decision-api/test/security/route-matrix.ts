import type { StaffRole } from '../../src/http/staff-token.js';
import {
  customerToken,
  decisionRequest,
  NETBANK_KEY,
  NOW,
  signedRawByPartner,
  staffToken,
  touchpointOf,
} from '../support/harness.js';

/**
 * Who may call what. Every route the API serves is listed here with the identities allowed to call it; the access
 * test replays a valid request for each route as every identity. A route added to the API without a row here fails
 * the coverage test, so its access rule is decided on purpose.
 */
export const IDENTITIES = [
  /** No credentials at all. */
  'nobody',
  /** A browser with the channel's site key, not logged in. */
  'anonymous',
  /** A browser with the site key and a customer token from the bank's backend. */
  'customer',
  /** A partner's server, with an HMAC signature. */
  'partner',
  'viewer',
  'marketer',
  'approver',
  'advisor',
  'admin',
] as const;
export type Identity = (typeof IDENTITIES)[number];

const STAFF: readonly Identity[] = ['viewer', 'marketer', 'approver', 'advisor', 'admin'];

export interface RouteAccess {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The path template as the OpenAPI document writes it. */
  readonly path: string;
  /** Who may call it; `everyone` for the public operational routes. */
  readonly allowed: readonly Identity[] | 'everyone';
  /** A valid request: the concrete path and the body, fresh for each call (ids are never reused). */
  readonly request: () => { path: string; body?: unknown };
}

const anonymousId = '2b7f4a8e-1c3d-4e5f-8a9b-0c1d2e3f4a5b';

export const ROUTE_MATRIX: readonly RouteAccess[] = [
  {
    method: 'post',
    path: '/v1/touchpoints',
    allowed: ['anonymous', 'customer'],
    request: () => ({
      path: '/v1/touchpoints',
      body: { anonymousId, touchpoints: [touchpointOf('page_view', { page: '/car-loan' })] },
    }),
  },
  {
    method: 'post',
    path: '/v1/decisions',
    allowed: ['anonymous', 'customer'],
    request: () => ({ path: '/v1/decisions', body: decisionRequest(['dashboard-hero'], '/dashboard', anonymousId) }),
  },
  {
    method: 'get',
    path: '/v1/placements',
    allowed: ['anonymous', 'customer'],
    request: () => ({ path: '/v1/placements' }),
  },
  {
    method: 'post',
    path: '/v1/partner/touchpoints',
    allowed: ['partner'],
    request: () => ({
      path: '/v1/partner/touchpoints',
      body: {
        touchpoints: [
          {
            id: crypto.randomUUID(),
            customerId: 'c-matrix',
            type: 'external_visit',
            site: 'car-marketplace',
            occurredAt: new Date(NOW.getTime() - 3_600_000).toISOString(),
            product: 'car_loan',
          },
        ],
      },
    }),
  },
  {
    method: 'get',
    path: '/v1/admin/me',
    allowed: STAFF,
    request: () => ({ path: '/v1/admin/me' }),
  },
  {
    method: 'get',
    path: '/v1/admin/learning',
    allowed: ['viewer', 'admin'],
    request: () => ({ path: '/v1/admin/learning' }),
  },
  {
    method: 'put',
    path: '/v1/admin/scores',
    allowed: ['admin'],
    request: () => ({
      path: '/v1/admin/scores',
      body: {
        modelName: 'mortgage-propensity',
        modelVersion: '2026.11',
        scores: [{ customerId: 'c-matrix', offerId: 'mortgage-price', score: 0.2 }],
      },
    }),
  },
  { method: 'get', path: '/v1/me/data', allowed: ['customer'], request: () => ({ path: '/v1/me/data' }) },
  {
    method: 'get',
    path: '/v1/me/decisions/{decisionId}/why',
    allowed: ['customer'],
    request: () => ({ path: `/v1/me/decisions/${crypto.randomUUID()}/why` }),
  },
  { method: 'delete', path: '/v1/me', allowed: ['customer'], request: () => ({ path: '/v1/me' }) },
  {
    method: 'delete',
    path: '/v1/admin/customers/{customerId}',
    allowed: ['admin'],
    request: () => ({ path: '/v1/admin/customers/c-matrix' }),
  },
  ...experimentRoutes(),
  ...offerRoutes(),
  {
    method: 'post',
    path: '/v1/admin/session',
    allowed: 'everyone',
    request: () => ({ path: '/v1/admin/session', body: { id: 'v.viewer', password: 'demo-viewer' } }),
  },
  { method: 'delete', path: '/v1/admin/session', allowed: 'everyone', request: () => ({ path: '/v1/admin/session' }) },
  {
    method: 'get',
    path: '/v1/admin/audit',
    allowed: ['viewer', 'approver', 'admin'],
    request: () => ({ path: '/v1/admin/audit' }),
  },
  {
    method: 'post',
    path: '/v1/admin/clusters/train',
    allowed: ['marketer', 'admin'],
    request: () => ({ path: '/v1/admin/clusters/train', body: {} }),
  },
  {
    method: 'post',
    path: '/v1/admin/preview',
    allowed: ['viewer', 'marketer', 'approver', 'admin'],
    request: () => ({
      path: '/v1/admin/preview',
      body: {
        profile: { productsHeld: ['savings'], stages: { car_loan: 'compare' } },
        context: { channel: 'netbank', locale: 'en' },
        placements: ['dashboard-hero'],
      },
    }),
  },
  {
    method: 'get',
    path: '/v1/admin/preview/inputs',
    allowed: ['viewer', 'marketer', 'approver', 'admin'],
    request: () => ({ path: '/v1/admin/preview/inputs' }),
  },
  {
    method: 'get',
    path: '/v1/admin/clusters',
    allowed: ['viewer', 'marketer', 'admin'],
    request: () => ({ path: '/v1/admin/clusters' }),
  },
  {
    method: 'get',
    path: '/v1/admin/clusters/{version}',
    allowed: ['viewer', 'marketer', 'admin'],
    request: () => ({ path: '/v1/admin/clusters/1' }),
  },
  {
    method: 'put',
    path: '/v1/admin/clusters/{version}/{clusterId}/name',
    allowed: ['marketer', 'admin'],
    request: () => ({ path: '/v1/admin/clusters/1/cluster-1/name', body: { name: 'Young savers' } }),
  },
  {
    method: 'get',
    path: '/v1/admin/leads',
    allowed: ['viewer', 'advisor', 'admin'],
    request: () => ({ path: '/v1/admin/leads' }),
  },
  {
    method: 'get',
    path: '/v1/admin/kpis/advisors',
    allowed: ['viewer', 'approver', 'admin'],
    request: () => ({ path: '/v1/admin/kpis/advisors' }),
  },
  {
    method: 'get',
    path: '/v1/admin/kpis/offers',
    allowed: ['viewer', 'marketer', 'approver', 'admin'],
    request: () => ({ path: '/v1/admin/kpis/offers?from=2026-11-01&to=2026-11-22&stage=compare' }),
  },
  {
    method: 'get',
    path: '/v1/advisor/queue',
    allowed: ['advisor', 'admin'],
    request: () => ({ path: '/v1/advisor/queue' }),
  },
  {
    method: 'post',
    path: '/v1/advisor/outcomes',
    allowed: ['advisor', 'admin'],
    request: () => ({
      path: '/v1/advisor/outcomes',
      body: { id: crypto.randomUUID(), customerId: 'c-matrix', product: 'car_loan', outcome: 'contacted' },
    }),
  },
  { method: 'get', path: '/healthz', allowed: 'everyone', request: () => ({ path: '/healthz' }) },
  { method: 'get', path: '/livez', allowed: 'everyone', request: () => ({ path: '/livez' }) },
  { method: 'get', path: '/openapi.json', allowed: 'everyone', request: () => ({ path: '/openapi.json' }) },
  { method: 'get', path: '/docs', allowed: 'everyone', request: () => ({ path: '/docs' }) },
  { method: 'get', path: '/docs/style.css', allowed: 'everyone', request: () => ({ path: '/docs/style.css' }) },
];

export const isAllowed = (route: RouteAccess, identity: Identity): boolean =>
  route.allowed === 'everyone' || route.allowed.includes(identity);

/** The headers an identity sends with a request whose raw body is `rawBody`. */
export async function credentialsOf(identity: Identity, rawBody: string): Promise<Record<string, string>> {
  switch (identity) {
    case 'nobody':
      return {};
    case 'anonymous':
      return { 'x-touchpoint-key': NETBANK_KEY };
    case 'customer':
      return { 'x-touchpoint-key': NETBANK_KEY, authorization: `Bearer ${await customerToken('c-matrix')}` };
    case 'partner':
      return signedRawByPartner(rawBody).headers;
    default:
      return { authorization: `Bearer ${await staffToken([identity satisfies StaffRole])}` };
  }
}

/** The experiment routes: marketers write, a different approver approves, viewers read. */
function experimentRoutes(): RouteAccess[] {
  const readers: Identity[] = ['viewer', 'marketer', 'approver', 'admin'];
  const runners: Identity[] = ['marketer', 'approver', 'admin'];
  const hypothesis = {
    change: 'Tell customers how many others in their situation have set up a savings goal',
    audience: { placements: ['dashboard-hero'] },
    primaryMetric: 'click_through',
    minimumEffect: 0.05,
    direction: 'increase',
    principle: 'social_proof',
    rationale: 'People follow what others like them do, most of all when unsure.',
  };
  const unknown = () => `/v1/admin/experiments/${crypto.randomUUID()}`;
  return [
    {
      method: 'post',
      path: '/v1/admin/experiments/power',
      allowed: readers,
      request: () => ({
        path: '/v1/admin/experiments/power',
        body: { hypothesis, arms: [{ allocation: 1 }, { allocation: 1 }] },
      }),
    },
    {
      method: 'post',
      path: '/v1/admin/experiments',
      allowed: ['marketer', 'admin'],
      request: () => ({
        path: '/v1/admin/experiments',
        body: {
          name: 'Peers on the hero',
          hypothesis,
          arms: [
            { id: 'control', name: 'Control', allocation: 1 },
            { id: 'lever', name: 'Lever', allocation: 1, offer: 'house-savings-goal', lever: 1.5 },
          ],
        },
      }),
    },
    {
      method: 'get',
      path: '/v1/admin/experiments',
      allowed: readers,
      request: () => ({ path: '/v1/admin/experiments' }),
    },
    {
      method: 'get',
      path: '/v1/admin/experiments/compare',
      allowed: readers,
      request: () => ({ path: '/v1/admin/experiments/compare?principle=social_proof' }),
    },
    { method: 'get', path: '/v1/admin/experiments/{id}', allowed: readers, request: () => ({ path: unknown() }) },
    {
      method: 'get',
      path: '/v1/admin/experiments/{id}/results',
      allowed: readers,
      request: () => ({ path: `${unknown()}/results` }),
    },
    {
      method: 'post',
      path: '/v1/admin/experiments/{id}/approve',
      allowed: ['approver', 'admin'],
      request: () => ({ path: `${unknown()}/approve` }),
    },
    {
      method: 'post',
      path: '/v1/admin/experiments/{id}/start',
      allowed: runners,
      request: () => ({ path: `${unknown()}/start` }),
    },
    {
      method: 'post',
      path: '/v1/admin/experiments/{id}/stop',
      allowed: runners,
      request: () => ({ path: `${unknown()}/stop`, body: { decision: 'inconclusive' } }),
    },
  ];
}

/** The offer routes: marketers write drafts, a different approver approves and publishes, viewers read. */
function offerRoutes(): RouteAccess[] {
  const readers: Identity[] = ['viewer', 'marketer', 'approver', 'admin'];
  const offer = (id: string) => ({
    id,
    product: 'savings',
    placements: ['dashboard-hero'],
    channels: ['netbank'],
    stages: [],
    value: 10,
    content: {
      da: { headline: 'Spar op', body: 'Læg lidt til side hver måned.', ctaLabel: 'Kom i gang', ctaUrl: '/savings' },
      en: { headline: 'Save up', body: 'Put a little aside every month.', ctaLabel: 'Get started', ctaUrl: '/savings' },
    },
  });
  const draft = '/v1/admin/offers/car-loan-price/drafts/9';
  return [
    { method: 'get', path: '/v1/admin/offers', allowed: readers, request: () => ({ path: '/v1/admin/offers' }) },
    {
      method: 'get',
      path: '/v1/admin/offers/{id}',
      allowed: readers,
      request: () => ({ path: '/v1/admin/offers/car-loan-price' }),
    },
    {
      method: 'get',
      path: '/v1/admin/offers/{id}/versions/{version}/what-if',
      allowed: readers,
      request: () => ({ path: '/v1/admin/offers/car-loan-price/versions/1/what-if?sample=50' }),
    },
    {
      method: 'post',
      path: '/v1/admin/offers/{id}/drafts',
      allowed: ['marketer', 'admin'],
      request: () => {
        const id = `matrix-${crypto.randomUUID().slice(0, 8)}`;
        return { path: `/v1/admin/offers/${id}/drafts`, body: { baseVersion: null, offer: offer(id) } };
      },
    },
    {
      method: 'put',
      path: '/v1/admin/offers/{id}/drafts/{version}',
      allowed: ['marketer', 'admin'],
      request: () => ({ path: draft, body: { revision: 1, offer: offer('car-loan-price') } }),
    },
    {
      method: 'post',
      path: '/v1/admin/offers/{id}/drafts/{version}/submit',
      allowed: ['marketer', 'approver', 'admin'],
      request: () => ({ path: `${draft}/submit`, body: { revision: 1 } }),
    },
    {
      method: 'post',
      path: '/v1/admin/offers/{id}/drafts/{version}/approve',
      allowed: ['approver', 'admin'],
      request: () => ({ path: `${draft}/approve`, body: { revision: 1 } }),
    },
    {
      method: 'post',
      path: '/v1/admin/offers/{id}/drafts/{version}/reject',
      allowed: ['approver', 'admin'],
      request: () => ({
        path: `${draft}/reject`,
        body: { revision: 1, comment: 'The rate in the headline is out of date.' },
      }),
    },
    {
      method: 'post',
      path: '/v1/admin/offers/{id}/drafts/{version}/send-back',
      allowed: ['approver', 'admin'],
      request: () => ({ path: `${draft}/send-back`, body: { revision: 1, comment: 'Please shorten the body text.' } }),
    },
    {
      method: 'post',
      path: '/v1/admin/offers/{id}/drafts/{version}/publish',
      allowed: ['approver', 'admin'],
      request: () => ({ path: `${draft}/publish`, body: { revision: 1 } }),
    },
    {
      method: 'post',
      path: '/v1/admin/offers/{id}/rollback',
      allowed: ['marketer', 'approver', 'admin'],
      request: () => ({ path: '/v1/admin/offers/car-loan-price/rollback', body: { toVersion: 1, baseVersion: 1 } }),
    },
  ];
}
