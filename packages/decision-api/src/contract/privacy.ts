import { z } from '@hono/zod-openapi';
import { JourneyStage } from './catalog.js';
import { CustomerId, Locale, Slug } from './common.js';

export const WhyExplanation = z
  .object({
    decisionId: z.uuid(),
    locale: Locale,
    offerId: Slug.nullable(),
    reason: z.string().openapi({ description: 'The short reason the decision gave.' }),
    journey: z
      .object({
        product: z.string().openapi({ description: 'The product’s name in the decision’s language.' }),
        stage: JourneyStage,
        description: z.string().openapi({ example: 'You are comparing prices of car loan.' }),
      })
      .nullable()
      .openapi({ description: 'Where the customer was on the offer’s product journey; null for general content.' }),
    touchpoints: z.array(z.object({ at: z.iso.datetime(), description: z.string() })).openapi({
      description: 'The latest of the customer’s own visits that led there, in plain words, oldest first.',
    }),
    optOut: z.string().openapi({ description: 'How to turn personalised offers off.' }),
  })
  .openapi('WhyExplanation', {
    description:
      '“Why am I seeing this?”: the customer-facing explanation of one decision, in its language. Never scores or other offers.',
  });
export type WhyExplanation = z.infer<typeof WhyExplanation>;

const ExportedTouchpoint = z
  .object({
    id: z.uuid(),
    type: z.string(),
    occurredAt: z.iso.datetime(),
    receivedAt: z.iso.datetime(),
    channel: z.string(),
    anonymousId: z.uuid().nullable(),
    product: z.string().nullable(),
    page: z.string().nullable(),
    placement: z.string().nullable(),
    offer: z.string().nullable(),
    decisionId: z.uuid().nullable(),
    properties: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('ExportedTouchpoint');

const ExportedDecision = z
  .object({
    id: z.uuid(),
    placement: z.string(),
    offerId: z.string().nullable(),
    channel: z.string(),
    page: z.string(),
    locale: z.string(),
    reason: z.string(),
    trace: z.unknown().openapi({ description: 'How the decision was made: the candidates, the rules and the scores.' }),
    createdAt: z.iso.datetime(),
  })
  .openapi('ExportedDecision');

export const CustomerDataExport = z
  .object({
    customerId: CustomerId,
    exportedAt: z.iso.datetime(),
    profile: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'The profile decisions read.' }),
    devices: z
      .array(
        z.object({
          anonymousId: z.uuid(),
          linkedAt: z.iso.datetime(),
          profile: z.record(z.string(), z.unknown()).nullable(),
        }),
      )
      .openapi({ description: 'Devices linked to the customer, with what is kept about each before login.' }),
    records: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).openapi({
      description:
        'Rows other tables keep about the customer, by table: e.g. `propensity_scores` from the bank’s model, `leads`, and `crm_outbox`, the lead events for the bank’s CRM (sent or waiting).',
    }),
    erasures: z.array(z.object({ erasedAt: z.iso.datetime(), byStaff: z.boolean() })),
    touchpoints: z.array(ExportedTouchpoint).openapi({ description: 'Oldest first.' }),
    decisions: z.array(ExportedDecision).openapi({ description: 'Oldest first, each with its reason and trace.' }),
  })
  .openapi('CustomerDataExport');
export type CustomerDataExport = z.infer<typeof CustomerDataExport>;

export const StaffErasureResult = z
  .object({
    customerId: CustomerId,
    erasedAt: z.iso.datetime(),
    deleted: z.record(z.string(), z.number().int()).openapi({
      description: 'Rows deleted per table (touchpoints, decisions, profiles, identity links).',
      example: { touchpoints: 42, decisions: 7, profiles: 1, identity_links: 2 },
    }),
  })
  .openapi('StaffErasureResult');
export type StaffErasureResult = z.infer<typeof StaffErasureResult>;
