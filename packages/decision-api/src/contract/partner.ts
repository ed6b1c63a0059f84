import { z } from '@hono/zod-openapi';
import { CustomerId, Slug } from './common.js';
import { MAX_BATCH_ITEMS } from './touchpoints.js';

/**
 * Touchpoints partners report server to server: a customer's visits to external sites (a car marketplace, a property
 * portal). They are not SDK touchpoints: the SDK can never send these types.
 */
export const PARTNER_TOUCHPOINT_TYPES = ['external_visit'] as const;

export const PartnerTouchpointType = z.enum(PARTNER_TOUCHPOINT_TYPES).openapi('PartnerTouchpointType', {
  description: '`external_visit`: the customer visited a page about the product on the partner’s site.',
});
export type PartnerTouchpointType = z.infer<typeof PartnerTouchpointType>;

export const PartnerTouchpoint = z
  .strictObject({
    id: z.uuid().openapi({ description: 'Made by the partner; a repeated id is acknowledged and never stored twice.' }),
    customerId: CustomerId.openapi({
      description: 'The bank’s pseudonymous customer id, as the bank shared it with the partner. Never a name or CPR.',
    }),
    type: PartnerTouchpointType,
    site: Slug.openapi({ description: 'The external site visited.', example: 'car-marketplace' }),
    occurredAt: z.iso.datetime({ offset: true }).openapi({ example: '2026-11-22T10:15:00Z' }),
    product: Slug.openapi({ description: 'The bank product the visit is about (a catalog product id).' }),
  })
  .openapi('PartnerTouchpoint');
export type PartnerTouchpoint = z.infer<typeof PartnerTouchpoint>;

export const PartnerTouchpointBatch = z
  .strictObject({ touchpoints: z.array(PartnerTouchpoint).min(1).max(MAX_BATCH_ITEMS) })
  .openapi('PartnerTouchpointBatch');
export type PartnerTouchpointBatch = z.infer<typeof PartnerTouchpointBatch>;
