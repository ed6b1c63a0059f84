import { z } from '@hono/zod-openapi';
import { Channel, Slug } from './common.js';

/** What a budget counts. */
export const BUDGET_MEASURES = [
  'viewable_impressions',
  'served_decisions',
  'leads_handed_over',
  'conversions',
] as const;
export const BudgetMeasure = z.enum(BUDGET_MEASURES).openapi('BudgetMeasure', {
  description:
    'served_decisions: decisions that served an offer in scope (counted as they are made); viewable_impressions and conversions: offer_impression and conversion touchpoints of those offers (counted on ingest); leads_handed_over: qualified leads sent to the CRM (counted as they are sent).',
});
export type BudgetMeasure = z.infer<typeof BudgetMeasure>;

export const BUDGET_PERIODS = ['day', 'week', 'campaign'] as const;
export const BudgetPeriod = z.enum(BUDGET_PERIODS).openapi('BudgetPeriod', {
  description:
    'day: from local midnight; week: from Monday local midnight (both in the catalog’s time zone); campaign: from `from` to `to`.',
});
export type BudgetPeriod = z.infer<typeof BudgetPeriod>;

export const BudgetScope = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('offer'), offer: Slug }),
    z.strictObject({ kind: z.literal('product'), product: Slug }),
    z.strictObject({ kind: z.literal('placement'), placement: Slug }),
    z.strictObject({ kind: z.literal('channel'), channel: Channel }),
    z.strictObject({
      kind: z.literal('branch-leads'),
      branch: z.string().min(1).max(64).nullable().openapi({
        description: 'The branch whose leads are counted; null: leads to every branch together.',
      }),
    }),
  ])
  .openapi('BudgetScope', {
    description:
      'What the budget covers: one offer, every offer of a product, every offer shown in a placement or a channel, or the leads handed over to the branches.',
  });
export type BudgetScope = z.infer<typeof BudgetScope>;

export const Budget = z
  .strictObject({
    id: Slug,
    name: z.string().min(1).max(120),
    scope: BudgetScope,
    measure: BudgetMeasure,
    period: BudgetPeriod,
    maximum: z.number().int().positive().max(1_000_000_000).openapi({
      description: 'At most this many per period: an offer in scope is not picked once it is reached.',
    }),
    minimum: z.number().int().nonnegative().max(1_000_000_000).optional().openapi({
      description:
        'At least this many per period to reach: an offer in scope behind its pace to the minimum gets a lever boost (shown in the trace).',
    }),
    pacing: z.enum(['even', 'asap']).default('even').openapi({
      description:
        'even: the allowance grows with the period’s elapsed share of expected traffic (the hourly profile of the last weeks’ decisions, linear without one); asap: no pacing, only the maximum.',
    }),
    from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Start of a campaign period.' }),
    to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'End of a campaign period.' }),
  })
  .superRefine((budget, ctx) => {
    if (budget.minimum !== undefined && budget.minimum > budget.maximum) {
      ctx.addIssue({ code: 'custom', path: ['minimum'], message: 'must not be above maximum' });
    }
    const leads = budget.scope.kind === 'branch-leads';
    if (leads !== (budget.measure === 'leads_handed_over')) {
      ctx.addIssue({
        code: 'custom',
        path: ['measure'],
        message: leads
          ? 'a budget of leads to the branches counts leads_handed_over'
          : 'leads_handed_over is counted for a branch-leads scope only',
      });
    }
    if (budget.period === 'campaign') {
      for (const field of ['from', 'to'] as const) {
        if (budget[field] === undefined) {
          ctx.addIssue({ code: 'custom', path: [field], message: 'a campaign budget needs its from and to' });
        }
      }
      if (budget.from && budget.to && Date.parse(budget.from) >= Date.parse(budget.to)) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
      }
    } else {
      for (const field of ['from', 'to'] as const) {
        if (budget[field] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [field], message: 'only a campaign budget has from and to' });
        }
      }
    }
  })
  .openapi('Budget', {
    description:
      'A volume constraint in totals (not per customer): at most `maximum` of a measure per period in a scope, paced over the period, optionally with a minimum to reach.',
  });
export type Budget = z.infer<typeof Budget>;
export type BudgetInput = z.input<typeof Budget>;

/** The bank's time zone when the catalog names none: days and weeks of budgets start at its midnight. */
export const DEFAULT_TIME_ZONE = 'Europe/Copenhagen';

/** An IANA time zone the runtime knows (Intl), such as Europe/Copenhagen. */
export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(
    (zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone, such as Europe/Copenhagen' },
  )
  .openapi({ example: DEFAULT_TIME_ZONE });
