import { z } from '@hono/zod-openapi';
import { ClusterId, JOURNEY_STAGES } from './catalog.js';
import { Slug } from './common.js';

/** The longest period offer KPIs are read for at once: a quarter of daily rows is what a chart can show. */
export const MAX_KPI_DAYS = 92;
/** What the filters write for a cluster, stage or placement no decision or touchpoint named. */
export const NONE = 'none';

const Day = z.iso.date().openapi({ example: '2026-11-22', description: 'A UTC day, YYYY-MM-DD' });
const orNone = <T extends z.ZodType>(schema: T) => z.union([z.literal(NONE), schema]);

export const OfferKpiQuery = z
  .strictObject({
    from: Day.optional().openapi({ description: 'The first day; default 27 days before `to` (four weeks)' }),
    to: Day.optional().openapi({ description: 'The last day, included; default today (UTC)' }),
    offer: Slug.optional().openapi({ description: 'Only this offer' }),
    cluster: orNone(ClusterId)
      .optional()
      .openapi({ description: 'Only customers of this cluster; `none` for counts no decision told a cluster for' }),
    stage: orNone(z.enum(JOURNEY_STAGES))
      .optional()
      .openapi({ description: 'Only this journey stage of the offer’s product; `none` for unknown' }),
    placement: orNone(Slug)
      .optional()
      .openapi({ description: 'Only this placement; `none` for touchpoints that named no placement' }),
  })
  .openapi('OfferKpiQuery');
export type OfferKpiQuery = z.infer<typeof OfferKpiQuery>;

const Metrics = {
  impressions: z.number().int().openapi({ description: 'Decisions that served the offer' }),
  viewableImpressions: z
    .number()
    .int()
    .openapi({ description: '`offer_impression` touchpoints: at least half the banner in view for a second' }),
  clicks: z.number().int(),
  clickThrough: z.number().nullable().openapi({ description: 'clicks ÷ viewable impressions; null with none' }),
  dismissals: z.number().int(),
  conversions: z.number().int(),
};
const MetricsObject = z.object(Metrics).openapi('OfferMetrics');

export const OfferKpis = z
  .object({
    from: Day,
    to: Day,
    filters: z.object({
      offer: z.string().nullable(),
      cluster: z.string().nullable(),
      stage: z.string().nullable(),
      placement: z.string().nullable(),
    }),
    totals: MetricsObject,
    days: z.array(z.object({ day: Day, ...Metrics })).openapi({ description: 'Every day of the period, oldest first' }),
    rows: z
      .array(
        z.object({
          day: Day,
          offerId: z.string(),
          cluster: z.string().nullable().openapi({ description: 'null: no decision told the cluster' }),
          stage: z.string().nullable(),
          placement: z.string().nullable(),
          ...Metrics,
        }),
      )
      .openapi({ description: 'Offer × cluster × stage × placement × day, every combination with a count' }),
    dimensions: z
      .object({
        offers: z.array(z.string()),
        clusters: z.array(z.string()),
        stages: z.array(z.string()),
        placements: z.array(z.string()),
      })
      .openapi({ description: 'The values each dimension takes in the period, unfiltered (`none` for unknown)' }),
    clusterNames: z
      .record(z.string(), z.string())
      .openapi({ description: 'The names staff gave the active model’s clusters' }),
    contactPressure: z
      .object({
        asOf: z.iso.datetime(),
        cap: z.number().int().openapi({ description: 'The weekly contact cap per customer' }),
        customers: z.number().int(),
        distribution: z.array(z.object({ contacts: z.number().int(), customers: z.number().int() })).openapi({
          description: 'Customers by contacts in the last seven days; the last bucket is at the cap or over',
        }),
        reachedCap: z.number().int(),
      })
      .openapi({
        description:
          'Logged-in customers by contacts (viewable impressions of product offers and advisors reaching them) in the seven days before now, as the weekly cap counts them; not narrowed by the filters',
      }),
  })
  .openapi('OfferKpis');
export type OfferKpis = z.infer<typeof OfferKpis>;
