import { z } from '@hono/zod-openapi';
import { JourneyStage } from './catalog.js';
import { Channel, CustomerId, Locale, PagePath, Slug } from './common.js';
import { Consent, MAX_PLACEMENTS_PER_REQUEST, OfferContent, PlacementInfo, PlacementSize } from './decisions.js';

/** A profile composed by staff to see what the decision would be for such a customer. */
export const SyntheticProfile = z
  .strictObject({
    productsHeld: z
      .array(Slug)
      .max(50)
      .default([])
      .openapi({ description: 'Products the customer holds at the bank (catalog product ids).' }),
    stages: z
      .record(Slug, JourneyStage)
      .default({})
      .openapi({
        description:
          'Journey stage per product (catalog product ids), as if the last touchpoint moving it was at the preview’s time.',
        example: { car_loan: 'compare' },
      }),
    cluster: z.string().max(64).nullable().optional().openapi({
      description:
        'A behavioural cluster of the active model; absent or null: none (a profile without history gets none).',
    }),
    attributes: z
      .strictObject({
        birthYear: z.number().int().min(1900).max(2100).optional(),
        vulnerable: z.boolean().optional(),
        arrears: z.boolean().optional(),
      })
      .optional()
      .openapi({ description: 'What the bank’s records would say: age and the flags suitability rules read.' }),
  })
  .openapi('SyntheticProfile');
export type SyntheticProfile = z.infer<typeof SyntheticProfile>;

export const PreviewContext = z
  .strictObject({
    channel: Channel,
    page: PagePath.default('/dashboard'),
    locale: Locale,
    consent: Consent.default('granted'),
  })
  .openapi('PreviewContext');

export const PreviewRequest = z
  .strictObject({
    customerId: CustomerId.optional().openapi({
      description: 'A real customer by pseudonymous id: their stored profile is read. Give this or `profile`.',
    }),
    profile: SyntheticProfile.optional(),
    context: PreviewContext,
    at: z.iso.datetime({ offset: true }).optional().openapi({
      description: 'The moment decided for (journeys fade and triggers fire by it); now when absent.',
    }),
    placements: z.array(Slug).min(1).max(MAX_PLACEMENTS_PER_REQUEST),
  })
  .superRefine((request, ctx) => {
    if ((request.customerId === undefined) === (request.profile === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: request.customerId === undefined ? ['customerId'] : ['profile'],
        message: 'give either customerId (a real customer) or profile (a synthetic one), not both or neither',
      });
    }
  })
  .openapi('PreviewRequest');
export type PreviewRequest = z.infer<typeof PreviewRequest>;

const Score = z
  .looseObject({
    propensity: z.number(),
    recency: z.number(),
    journeyPropensity: z.number(),
    source: z.string().optional(),
    learned: z
      .looseObject({ cluster: z.string(), alpha: z.number(), beta: z.number(), mean: z.number(), sampled: z.number() })
      .optional(),
    bankModel: z.looseObject({ score: z.number() }).optional(),
    value: z.number(),
    contextWeight: z.number(),
    lever: z.number(),
    priority: z.number(),
  })
  .openapi('CandidateScore', { description: 'The factors of an eligible offer’s priority.' });

export const TracedCandidate = z
  .looseObject({
    offerId: Slug,
    product: Slug.nullable(),
    excludedBy: z
      .looseObject({
        rule: z.string(),
        detail: z.string(),
        budget: z.string().optional().openapi({
          description: 'The budget that held the offer back (rules budget-exhausted and budget-paced).',
        }),
      })
      .optional(),
    shownElsewhere: z.string().optional(),
    score: Score.optional(),
    trigger: z.string().optional(),
    budgetBoost: z
      .strictObject({
        budget: z.string(),
        factor: z.number().openapi({ description: 'The lever was multiplied by this (score.lever shows the result).' }),
        behind: z.number().openapi({ description: 'How far the spend is behind the pace to the budget’s minimum.' }),
      })
      .optional()
      .openapi({ description: 'A budget behind its minimum boosted the offer’s lever.' }),
  })
  .openapi('TracedCandidate');

export const DecisionTrace = z
  .looseObject({
    placement: z.string(),
    catalogVersion: z.string(),
    at: z.string(),
    stages: z.record(z.string(), JourneyStage),
    productsHeld: z.array(z.string()),
    candidates: z.array(TracedCandidate),
    winner: z.string().nullable(),
    contactPolicy: z.object({ weeklyContacts: z.number(), weeklyCap: z.number() }),
    cluster: z.object({ id: z.string(), modelVersion: z.number() }).nullable(),
    clusterReason: z.string(),
    experiment: z.object({ id: z.string(), arm: z.string(), note: z.string() }).optional(),
    holdout: z.boolean().optional(),
    note: z.string().optional(),
    sampling: z
      .object({ snapshot: z.number().int(), row: z.number().int(), rows: z.number().int() })
      .optional()
      .openapi({
        description:
          'For a decision that explores (Thompson sampling): the learned snapshot’s version, and the row of its posterior draws this decision took out of the rows it drew from.',
      }),
    propensity: z.number().min(0).max(1).optional().openapi({
      description:
        'The probability with which this placement would get this offer again (or, with `winner` null, no offer), given the same profile, context and learned snapshot: the share of the snapshot’s draws in which it wins when the decision explores, 1 when it does not. The logging propensity for off-policy evaluation. Absent in traces stored before it was recorded.',
    }),
    runnerUp: z
      .object({ offerId: z.string(), propensity: z.number().min(0).max(1) })
      .nullable()
      .optional()
      .openapi({
        description:
          'The candidate ranked second by this decision and the probability with which it would have been chosen instead; null when there was none.',
      }),
  })
  .openapi('DecisionTrace', {
    description:
      'Everything the decision saw and did: stages, products held, each candidate with the rule that excluded it or its score and factors, the winner and the probability of choosing it (and the runner-up), the contact-policy state, the cluster, the experiment arm and the holdout.',
  });

export const PlacementPreview = z
  .object({
    placement: Slug,
    offer: OfferContent.nullable(),
    size: PlacementSize.nullable(),
    ttlSeconds: z.number().int().nonnegative(),
    reason: z.string(),
    trace: DecisionTrace,
  })
  .openapi('PlacementPreview');

export const PreviewResponse = z
  .object({
    subject: z.union([
      z.object({ kind: z.literal('customer'), customerId: CustomerId }),
      z.object({ kind: z.literal('synthetic') }),
    ]),
    at: z.iso.datetime(),
    previews: z.array(PlacementPreview),
  })
  .openapi('PreviewResponse');
export type PreviewResponse = z.infer<typeof PreviewResponse>;

/** What a preview can be asked about: the catalog's placements and products, the stages, the active clusters. */
export const PreviewInputs = z
  .object({
    catalogVersion: z.string(),
    placements: z.array(PlacementInfo),
    products: z.array(z.object({ id: Slug, name: z.string() })),
    stages: z.array(JourneyStage),
    clusters: z.array(z.object({ id: z.string(), name: z.string().nullable() })),
    /** The active cluster model's version; null before the first training. */
    clusterModelVersion: z.number().int().nullable(),
  })
  .openapi('PreviewInputs');
export type PreviewInputs = z.infer<typeof PreviewInputs>;
