import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { type Catalog, type DecisionContext, Slug, WhatIfQuery, WhatIfReport } from '../../contract/index.js';
import { assignClusterForDecision } from '../../domain/clustering/cluster-assignment.js';
import { decidePage } from '../../domain/decision/decide-page.js';
import { offerState, withOffer } from '../../domain/decision/offer-versions.js';
import { type CustomerProfile, EMPTY_PROFILE } from '../../domain/journeys/profile.js';
import { ageBand, fairnessCheck } from '../../domain/what-if/fairness.js';
import { type LoggedDecision, offPolicyEstimate } from '../../domain/what-if/off-policy.js';
import {
  compareReplay,
  draftSnapshot,
  type ReplayedCustomer,
  type ReplayedSample,
  replayCustomers,
  replayed,
} from '../../domain/what-if/replay.js';
import type { AppEnv } from '../env.js';
import { fieldErrors, invalidBody, ProblemError } from '../problem.js';
import type { Services } from '../services.js';
import { requireRole } from '../staff-token.js';
import { problemResponses, staffSecurity } from './openapi.js';

/** How many more customers than the sample are read, so each cluster can be given its share. */
const OVERSAMPLE = 3;
/** Every cluster gets at least this many of the sample, when it has them. */
const MIN_PER_CLUSTER = 50;
const MAX_LOGGED_DECISIONS = 50_000;

/**
 * A stratified sample of customers: read `sample × 3` in a fixed hash order, assign each its cluster under the active
 * model, then give every cluster its share of `sample` (at least 50 where it has them).
 */
async function sampleCustomers(services: Services, sample: number, now: Date) {
  const read = await services.store.sampleCustomerProfiles(sample * OVERSAMPLE);
  const model = services.clusters.current()?.model ?? null;
  const byCluster = new Map<string | null, Array<{ customerId: string; profile: CustomerProfile }>>();
  for (const customer of read) {
    const { cluster } = assignClusterForDecision({ model, profile: customer.profile, personalized: true, now });
    const list = byCluster.get(cluster?.id ?? null) ?? [];
    list.push(customer);
    byCluster.set(cluster?.id ?? null, list);
  }
  const total = Math.max(1, read.length);
  const chosen = [...byCluster].flatMap(([, members]) => {
    const share = Math.max(Math.min(MIN_PER_CLUSTER, members.length), Math.round((members.length / total) * sample));
    return members.slice(0, share);
  });
  return chosen;
}

/**
 * The draft and the live catalog side by side for each sampled customer, composed exactly as a preview composes them
 * (posterior means, no exploration, nothing written).
 */
export async function replayDraft(
  services: Services,
  draft: Catalog,
  options: { readonly sample: number; readonly now: Date },
): Promise<ReplayedSample[]> {
  const sampled = await sampleCustomers(services, options.sample, options.now);
  const customers = [];
  for (const { customerId, profile } of sampled) {
    customers.push({ customerId, profile, bankScores: await services.store.bankScores(customerId) });
  }
  return replayCustomers(services.decisionSnapshot(), draft, customers, options.now);
}

/** The logged decisions, each with the draft's choice for the profile its trace recorded, as an estimate reads them. */
async function loggedUnderDraft(services: Services, draft: Catalog, since: Date) {
  const drafted = draftSnapshot(services.decisionSnapshot(), draft);
  const rows = await services.store.loggedDecisions(since, MAX_LOGGED_DECISIONS);
  const attributes = new Map<string, CustomerProfile['attributes']>();
  const clicks: LoggedDecision[] = [];
  const conversions: LoggedDecision[] = [];
  for (const row of rows) {
    if (!(row.trace.propensity > 0)) continue;
    const customerId = row.subject.startsWith('c:') ? row.subject.slice(2) : null;
    if (customerId !== null && !attributes.has(customerId)) {
      attributes.set(customerId, (await services.store.storedProfile(row.subject as `c:${string}`))?.attributes);
    }
    // The profile as the decision saw it: its stages as of the decision, the products held, the bank's attributes.
    const profile: CustomerProfile = {
      ...EMPTY_PROFILE,
      productsHeld: row.trace.productsHeld,
      journeys: Object.fromEntries(
        Object.entries(row.trace.stages).map(([product, stage]) => [product, { stage, lastAt: row.trace.at }]),
      ) as CustomerProfile['journeys'],
      ...(customerId !== null && attributes.get(customerId) ? { attributes: attributes.get(customerId) } : {}),
    };
    const [outcome] = decidePage(drafted, {
      profile,
      context: { channel: row.channel, page: '/dashboard', locale: 'da', consent: 'granted' } as DecisionContext,
      placements: [row.placement],
      customerId,
      unitId: customerId ?? row.subject,
      now: new Date(row.trace.at),
      clusterAssignment: { cluster: row.trace.cluster, reason: 'as the logged decision' },
    });
    const base = {
      stratum: `${row.placement}\u0000${row.trace.cluster?.id ?? ''}`,
      action: row.offerId,
      propensity: row.trace.propensity,
      target: [{ action: outcome?.offer?.id ?? null, probability: 1 }],
    };
    clicks.push({ ...base, reward: row.clicked ? 1 : 0 });
    conversions.push({ ...base, reward: row.converted ? 1 : 0 });
  }
  return { clicks, conversions };
}

/** The whole report for an offer's draft version: replay, off-policy estimate and fairness. */
export async function whatIfReport(
  services: Services,
  offerId: string,
  version: number,
  options: { readonly sample: number; readonly days: number },
): Promise<WhatIfReport> {
  const live = services.catalog.current();
  const now = services.now();
  // The catalog's own offer counts as a version before staff first change it, as the offer's page shows it.
  const inCatalog = live.source.offers.find((o) => o.id === offerId) ?? null;
  const { versions } = offerState(offerId, await services.store.offers.history(offerId), inCatalog, now.toISOString());
  const target = versions.find((v) => v.version === version);
  if (!target) throw new ProblemError(404, 'not-found', 'Not found', `No version ${version} of offer "${offerId}".`);
  const draft = { ...withOffer(live.source, target.offer), version: `${live.source.version}+what-if` } as Catalog;
  const samples = await replayDraft(services, draft, { sample: options.sample, now });
  const houseOffers = new Set(draft.offers.filter((o) => o.product === null).map((o) => o.id));
  const customers: ReplayedCustomer[] = samples.map((s) => ({
    cluster: s.cluster,
    stages: s.live[0]?.trace.stages ?? {},
    live: s.live.map(replayed),
    draft: s.draft.map(replayed),
  }));
  const offers = draft.offers.map((o) => ({ id: o.id, credit: o.credit === true }));
  const audited = (side: 'live' | 'draft') =>
    samples.map((s) => ({ group: ageBand(s.birthYear, now), placements: s[side].map(replayed) }));
  const since = new Date(now.getTime() - options.days * 86_400_000);
  const logged = await loggedUnderDraft(services, draft, since);
  const byCluster: Record<string, number> = {};
  for (const s of samples) byCluster[s.cluster ?? 'none'] = (byCluster[s.cluster ?? 'none'] ?? 0) + 1;
  return WhatIfReport.parse({
    offerId,
    version,
    liveCatalogVersion: live.source.version,
    at: now.toISOString(),
    sample: { customers: samples.length, byCluster },
    replay: compareReplay(customers, houseOffers),
    estimate: { clickThrough: offPolicyEstimate(logged.clicks), conversion: offPolicyEstimate(logged.conversions) },
    fairness: { live: fairnessCheck(audited('live'), offers), draft: fairnessCheck(audited('draft'), offers) },
  });
}

export function whatIfRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/admin/offers/{id}/versions/{version}/what-if',
    tags: ['Offers'],
    summary: 'What if this version were published: replay, off-policy estimate and fairness',
    description:
      'Role viewer, marketer, approver or admin. Replays the offer version beside the live catalog on a stratified sample of real customers’ current profiles (nothing is written, propensities are posterior means), estimates its click-through and conversion rate from the logged decisions and their recorded choice probabilities, and checks each offer’s rate by age band against the four-fifths rule.',
    security: staffSecurity,
    request: {
      params: z.object({ id: Slug, version: z.coerce.number().int().min(1) }),
      query: WhatIfQuery,
    },
    responses: {
      200: { description: 'The report', content: { 'application/json': { schema: WhatIfReport } } },
      ...problemResponses(401, 403, 404, 422),
    },
  });
  app.get(
    '/v1/admin/offers/:id/versions/:version/what-if',
    requireRole('viewer', 'marketer', 'approver'),
    async (c) => {
      const id = c.req.param('id');
      const version = Number(c.req.param('version'));
      if (!Slug.safeParse(id).success || !Number.isInteger(version) || version < 1) {
        throw new ProblemError(404, 'not-found', 'Not found', `No version ${c.req.param('version')} of offer "${id}".`);
      }
      const query = WhatIfQuery.safeParse(c.req.query());
      if (!query.success) throw invalidBody(fieldErrors(query.error));
      const report = await whatIfReport(services, id, version, query.data);
      return c.json(report, 200, { 'cache-control': 'no-store' });
    },
  );
}
