import { z } from '@hono/zod-openapi';
import { JourneyStage } from './catalog.js';
import { CustomerId, Locale, Slug } from './common.js';

export const ADVISOR_OUTCOMES = ['contacted', 'not_reached', 'not_relevant', 'sold'] as const;
export const AdvisorOutcomeKind = z.enum(ADVISOR_OUTCOMES).openapi('AdvisorOutcomeKind', {
  description:
    '`contacted`: reached, conversation held. `not_reached`: no answer (not a contact). `not_relevant`: the customer does not want the product now (it rests for the dismissal cool-down). `sold`: the customer took the product (the conversion).',
});
export type AdvisorOutcomeKind = z.infer<typeof AdvisorOutcomeKind>;

const Branch = z.string().min(1).max(64).openapi({ example: 'Vejle' });
const Score = z.number().min(0).max(1);
const Limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const LeadListQuery = z.strictObject({
  product: Slug.optional(),
  minScore: z.coerce.number().min(0).max(1).optional().openapi({ description: 'Only leads scoring at least this.' }),
  cursor: z.string().max(400).optional().openapi({ description: 'The `nextCursor` of the previous page.' }),
  limit: Limit(200, 50),
  locale: Locale.default('en'),
});

export const LeadBody = z
  .object({
    customerId: CustomerId,
    product: Slug,
    score: Score.openapi({ description: 'stage weight × recency × (0.7 + 0.3 × engagement), when last scored' }),
    stage: JourneyStage,
    reason: z.string().openapi({ example: 'priced a car loan today, application not started' }),
    branch: Branch.nullable(),
    lastActivityAt: z.iso.datetime(),
    qualifiedAt: z.iso.datetime(),
  })
  .openapi('Lead');

export const LeadList = z
  .object({ leads: z.array(LeadBody), nextCursor: z.string().nullable() })
  .openapi('LeadList', { description: 'Qualified leads, best score first.' });

export const AdvisorQueueQuery = z.strictObject({
  branch: Branch.optional().openapi({ description: 'Admins only: another branch than the one in the staff token.' }),
  limit: Limit(100, 20),
  locale: Locale.default('en'),
});

export const AdvisorQueueEntry = z
  .object({
    customerId: CustomerId,
    product: Slug,
    score: Score.openapi({ description: 'The lead score now' }),
    stage: JourneyStage,
    lastActivityAt: z.iso.datetime(),
    reason: z.string().openapi({ example: 'priced a car loan 2 days ago, application not started' }),
  })
  .openapi('AdvisorQueueEntry');

export const AdvisorQueue = z
  .object({
    branch: Branch,
    generatedAt: z.iso.datetime(),
    entries: z.array(AdvisorQueueEntry),
    excluded: z
      .record(z.string(), z.number().int())
      .openapi({ description: 'Leads the contact policy kept out of the queue, by rule.' }),
  })
  .openapi('AdvisorQueue');
export type AdvisorQueue = z.infer<typeof AdvisorQueue>;

export const AdvisorOutcomeRequest = z
  .strictObject({
    id: z.uuid().openapi({ description: 'Made by the client: a repeated id records nothing twice.' }),
    customerId: CustomerId,
    product: Slug,
    outcome: AdvisorOutcomeKind,
    note: z.string().max(1000).optional(),
  })
  .openapi('AdvisorOutcomeRequest');

export const AdvisorOutcomeBody = z
  .object({
    id: z.uuid(),
    customerId: CustomerId,
    product: Slug,
    outcome: AdvisorOutcomeKind,
    note: z.string().nullable(),
    advisorId: z.string(),
    branch: z.string(),
    recordedAt: z.iso.datetime(),
  })
  .openapi('AdvisorOutcome');

export const AdvisorKpiQuery = z.strictObject({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(30)
    .openapi({ description: 'The period: the last this many days.' }),
});

const ActionKpi = z.object({
  presented: z.number().int().openapi({ description: 'Customers presented in the queue (once per action window)' }),
  acted: z.number().int().openapi({ description: 'Of those, how many got an outcome within the action window' }),
  pending: z.number().int().openapi({ description: 'Presented, no outcome yet, window still open' }),
  actionRate: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .openapi({ description: 'acted ÷ (presented − pending); null when 0 ÷ 0' }),
  outcomes: z.record(AdvisorOutcomeKind, z.number().int()),
});

export const AdvisorKpis = z
  .object({
    since: z.iso.datetime(),
    actionWindowDays: z.number().int(),
    advisors: z.array(ActionKpi.extend({ advisorId: z.string() })),
    branches: z.array(ActionKpi.extend({ branch: z.string() })),
  })
  .openapi('AdvisorKpis');
export type AdvisorKpis = z.infer<typeof AdvisorKpis>;
