import { z } from '@hono/zod-openapi';

const Estimate = z
  .object({ value: z.number(), low: z.number(), high: z.number(), standardError: z.number() })
  .openapi('WhatIfEstimate', { description: 'A rate with its 95 % interval.' });

const OffPolicy = z
  .object({
    decisions: z.number().int(),
    effectiveSampleSize: z.number(),
    unsupportedShare: z.number(),
    logged: Estimate,
    snips: Estimate.nullable(),
    doublyRobust: Estimate.nullable(),
    untrusted: z.array(z.string()),
  })
  .openapi('OffPolicyEstimate', {
    description:
      'The draft’s rate estimated from logged decisions and their recorded choice probabilities: self-normalised inverse propensity weighting and doubly robust, each with a 95 % interval, the effective sample size, and the share of the draft’s choices the logs never made. `snips` and `doublyRobust` are null, and `untrusted` says why, when the logs cannot answer.',
  });

const GroupRate = z.object({
  group: z.string(),
  customers: z.number().int(),
  offered: z.number().int(),
  rate: z.number(),
  ratio: z.number(),
  flagged: z.boolean(),
  cause: z.object({ rule: z.string(), count: z.number().int() }).nullable(),
});

export const OfferFairness = z
  .object({ offerId: z.string(), credit: z.boolean(), groups: z.array(GroupRate), flagged: z.boolean() })
  .openapi('OfferFairness', {
    description:
      'How often each age band is offered the offer, against the band offered it most; a band under 0.8 of that rate (the four-fifths rule) with at least 30 customers is flagged with the rule that held it back most often ("ranked lower" when it was eligible and lost on priority).',
  });

export const WhatIfReport = z
  .object({
    offerId: z.string(),
    version: z.number().int(),
    liveCatalogVersion: z.string(),
    at: z.string(),
    sample: z.object({ customers: z.number().int(), byCluster: z.record(z.string(), z.number().int()) }),
    replay: z.object({
      customers: z.number().int(),
      placements: z.array(
        z.object({
          placement: z.string(),
          shares: z.array(z.object({ offerId: z.string().nullable(), live: z.number(), draft: z.number() })),
        }),
      ),
      leftWithNothing: z.object({
        live: z.number().int(),
        draft: z.number().int(),
        topRule: z.object({ rule: z.string(), count: z.number().int() }).nullable(),
      }),
      changedByCluster: z.array(
        z.object({ cluster: z.string().nullable(), customers: z.number().int(), changed: z.number().int() }),
      ),
      changedByStage: z.array(z.object({ stage: z.string(), customers: z.number().int(), changed: z.number().int() })),
      movers: z.array(z.object({ offerId: z.string(), live: z.number().int(), draft: z.number().int() })),
    }),
    estimate: z.object({ clickThrough: OffPolicy, conversion: OffPolicy }),
    fairness: z.object({ live: z.array(OfferFairness), draft: z.array(OfferFairness) }),
  })
  .openapi('WhatIfReport', {
    description:
      'A draft offer version replayed beside the live catalog on a sample of real customers’ current profiles (nothing written), estimated off-policy from the logged decisions, and checked for fairness by age band.',
  });
export type WhatIfReport = z.infer<typeof WhatIfReport>;

export const WhatIfQuery = z.object({
  sample: z.coerce.number().int().min(50).max(20_000).default(2_000).openapi({
    description: 'How many customers to replay, stratified by cluster.',
  }),
  days: z.coerce.number().int().min(1).max(90).default(28).openapi({
    description: 'How many days of logged decisions the off-policy estimate reads.',
  }),
});
