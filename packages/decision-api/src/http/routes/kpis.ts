import type { OpenAPIHono } from '@hono/zod-openapi';
import { MAX_KPI_DAYS, NONE, OfferKpiQuery, OfferKpis } from '../../contract/index.js';
import { weeklyContactCount } from '../../domain/decision/eligibility.js';
import { EMPTY_PROFILE } from '../../domain/journeys/profile.js';
import { contactPressure, offerKpis } from '../../domain/kpis/offer-kpis.js';
import type { AppEnv } from '../env.js';
import type { Services } from '../services.js';
import { requireRole } from '../staff-token.js';
import { invalidQuery, parseQuery } from './leads.js';
import { problemResponses, staffSecurity } from './openapi.js';

const DAY_MS = 86_400_000;
const dayOf = (date: Date) => date.toISOString().slice(0, 10);
/** The filters write `none` for what the counts keep as ''. */
const stored = (value: string | undefined) => (value === NONE ? '' : value);
/** The values a dimension takes, `none` (for '') last. */
const shown = (values: readonly string[]) => [
  ...values.filter((value) => value !== ''),
  ...(values.includes('') ? [NONE] : []),
];

/** Offer KPIs for staff: the daily counts by offer × cluster × stage × placement × day, and the contact pressure. */
export function kpiRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/admin/kpis/offers',
    tags: ['KPIs'],
    summary: 'Offer KPIs by offer × cluster × stage × placement × day, and the contact pressure this week',
    description: `Impressions (decisions that served the offer), viewable impressions, clicks, click-through (clicks ÷ viewable impressions), dismissals and conversions, from the daily counts: they name no customer, so they outlive the retention purge and erasure. The cluster and the stage of the offer's product are those the decision saw; touchpoints that named no decision count under \`none\`. At most ${MAX_KPI_DAYS} days at once. Role: viewer, marketer or approver.`,
    security: staffSecurity,
    request: { query: OfferKpiQuery },
    responses: {
      200: { description: 'The KPIs', content: { 'application/json': { schema: OfferKpis } } },
      ...problemResponses(401, 403, 422),
    },
  });

  app.get('/v1/admin/kpis/offers', requireRole('viewer', 'marketer', 'approver'), async (c) => {
    const query = parseQuery(OfferKpiQuery, c.req.query());
    const now = services.now();
    const to = query.to ?? dayOf(now);
    const from = query.from ?? dayOf(new Date(Date.parse(`${to}T00:00:00Z`) - 27 * DAY_MS));
    const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
    if (span < 1) throw invalidQuery([{ path: '/from', message: `must be on or before to (${to})` }]);
    if (span > MAX_KPI_DAYS) {
      throw invalidQuery([{ path: '/to', message: `the period is ${span} days; at most ${MAX_KPI_DAYS} at once` }]);
    }
    const filter = {
      from,
      to,
      ...(query.offer !== undefined ? { offer: query.offer } : {}),
      ...(query.cluster !== undefined ? { cluster: stored(query.cluster) as string } : {}),
      ...(query.stage !== undefined ? { stage: stored(query.stage) as string } : {}),
      ...(query.placement !== undefined ? { placement: stored(query.placement) as string } : {}),
    };
    const [counts, dimensions, pressure] = await Promise.all([
      services.store.kpis.offerCounts(filter),
      services.store.kpis.dimensions(from, to),
      weeklyPressure(services, now),
    ]);
    const table = offerKpis(counts, { from, to });
    const clusterNames = services.clusters.current()?.names ?? {};
    return c.json(
      OfferKpis.parse({
        from,
        to,
        filters: {
          offer: query.offer ?? null,
          cluster: query.cluster ?? null,
          stage: query.stage ?? null,
          placement: query.placement ?? null,
        },
        ...table,
        dimensions: {
          offers: dimensions.offers,
          clusters: shown(dimensions.clusters),
          stages: shown(dimensions.stages),
          placements: shown(dimensions.placements),
        },
        clusterNames,
        contactPressure: { asOf: now.toISOString(), ...pressure },
      }),
      200,
      { 'cache-control': 'no-store' },
    );
  });
}

/** Every logged-in customer's contacts in the seven days before now, counted as the weekly cap counts them. */
async function weeklyPressure(services: Services, now: Date) {
  const catalog = services.catalog.current();
  const offers = [...catalog.offers.values()];
  const counts: number[] = [];
  for await (const history of services.store.kpis.contactHistories()) {
    counts.push(weeklyContactCount({ ...EMPTY_PROFILE, ...history }, offers, now));
  }
  return contactPressure(counts, catalog.source.contactPolicy.weeklyContactsPerCustomer);
}
