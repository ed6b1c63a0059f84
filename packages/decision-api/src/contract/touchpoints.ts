import { z } from '@hono/zod-openapi';
import { Channel, PagePath, ProblemFieldError, Slug } from './common.js';

export const TOUCHPOINT_TYPES = [
  'page_view',
  'product_view',
  'calculator_used',
  'application_started',
  'application_submitted',
  'application_completed',
  'offer_impression',
  'offer_click',
  'offer_dismiss',
  'conversion',
] as const;

export const TouchpointType = z.enum(TOUCHPOINT_TYPES).openapi('TouchpointType', {
  description:
    'What happened. `calculator_used` is a price check; `offer_impression` is a viewable impression (at least 50 % visible for at least 1 s).',
});
export type TouchpointType = z.infer<typeof TouchpointType>;

export const MAX_BATCH_ITEMS = 500;
export const MAX_BATCH_BYTES = 512 * 1024;

export const Touchpoint = z
  .strictObject({
    id: z.uuid().openapi({ description: 'Made by the client; a repeated id is acknowledged and never stored twice.' }),
    type: TouchpointType,
    occurredAt: z.iso.datetime({ offset: true }).openapi({ example: '2026-11-22T10:15:00Z' }),
    channel: Channel,
    product: Slug.optional(),
    page: PagePath.optional(),
    placement: Slug.optional(),
    offer: Slug.optional(),
    decisionId: z.uuid().optional(),
    properties: z
      .record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/), z.union([z.string().max(200), z.number(), z.boolean()]))
      .refine((value) => Object.keys(value).length <= 20, 'at most 20 properties')
      .optional()
      .openapi({ description: 'A few non-identifying facts, e.g. the amount priced in a calculator.' }),
  })
  .openapi('Touchpoint');
export type Touchpoint = z.infer<typeof Touchpoint>;

export const TouchpointBatch = z
  .strictObject({
    anonymousId: z.uuid().openapi({ description: 'The device’s anonymous id, made by the SDK.' }),
    touchpoints: z.array(Touchpoint).min(1).max(MAX_BATCH_ITEMS),
  })
  .openapi('TouchpointBatch');
export type TouchpointBatch = z.infer<typeof TouchpointBatch>;

export const RejectedTouchpoint = z
  .object({
    index: z.number().int(),
    id: z.string().optional(),
    errors: z.array(ProblemFieldError),
  })
  .openapi('RejectedTouchpoint');
export type RejectedTouchpoint = z.infer<typeof RejectedTouchpoint>;

export const TouchpointBatchResult = z
  .object({
    accepted: z.array(z.uuid()).openapi({ description: 'Ids stored by this request.' }),
    duplicates: z
      .array(z.uuid())
      .openapi({ description: 'Ids already stored earlier; acknowledged, not stored again.' }),
    rejected: z.array(RejectedTouchpoint).openapi({ description: 'Invalid items with their reasons; never retried.' }),
  })
  .openapi('TouchpointBatchResult');
export type TouchpointBatchResult = z.infer<typeof TouchpointBatchResult>;
