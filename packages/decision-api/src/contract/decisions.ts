import { z } from '@hono/zod-openapi';
import { Channel, Locale, PagePath, Slug } from './common.js';

export const Consent = z.enum(['granted', 'pending', 'denied']).openapi('Consent', {
  description:
    'The customer’s choice about personalization on this device. Only `granted` lets the decision use what is known about the customer; otherwise the content is generic and nothing about the request is stored.',
});
export type Consent = z.infer<typeof Consent>;

export const DecisionContext = z
  .strictObject({
    channel: Channel,
    page: PagePath,
    locale: Locale,
    consent: Consent.default('pending'),
  })
  .openapi('DecisionContext');
export type DecisionContext = z.infer<typeof DecisionContext>;

export const MAX_PLACEMENTS_PER_REQUEST = 10;

export const DecisionRequest = z
  .strictObject({
    anonymousId: z.uuid(),
    context: DecisionContext,
    placements: z.array(Slug).min(1).max(MAX_PLACEMENTS_PER_REQUEST),
  })
  .openapi('DecisionRequest');
export type DecisionRequest = z.infer<typeof DecisionRequest>;

export const OfferContent = z
  .object({
    offerId: Slug,
    product: Slug.nullable(),
    locale: Locale,
    headline: z.string(),
    body: z.string(),
    cta: z.object({ label: z.string(), url: z.string() }),
    image: z.object({ url: z.string(), alt: z.string() }).nullable(),
  })
  .openapi('OfferContent', { description: 'Structured content; never raw HTML.' });
export type OfferContent = z.infer<typeof OfferContent>;

export const PlacementSize = z
  .object({ width: z.number().int().positive(), height: z.number().int().positive() })
  .openapi('PlacementSize');
export type PlacementSize = z.infer<typeof PlacementSize>;

/** How many candidates a development key's decisions list. */
export const DEVELOPER_CANDIDATES = 5;

/** For a development site key only: why each of the placement's first candidates did or did not win. */
export const DeveloperDecisionDetail = z
  .object({
    candidates: z
      .array(
        z.object({
          offerId: z.string(),
          /** The eligibility or contact-policy rule that excluded it (e.g. `offer-daily-cap`); null when it was eligible. */
          excludedBy: z.string().nullable(),
          /** Its priority (propensity × value × context weight × lever), when it was eligible. */
          priority: z.number().optional(),
        }),
      )
      .max(DEVELOPER_CANDIDATES),
  })
  .openapi('DeveloperDecisionDetail', {
    description:
      'Only for a site key marked for development: the winner and the placement’s other candidates (at most 5), each with the rule that excluded it, so a developer can see why a banner did not appear. Never sent for production keys.',
  });
export type DeveloperDecisionDetail = z.infer<typeof DeveloperDecisionDetail>;

export const PlacementDecision = z
  .object({
    placement: Slug,
    decisionId: z.uuid(),
    offer: OfferContent.nullable(),
    size: PlacementSize.nullable().openapi({
      description: 'The placement’s size from the catalog; null for an unknown placement.',
    }),
    ttlSeconds: z.number().int().nonnegative().openapi({ description: 'How long the SDK may reuse this decision.' }),
    reason: z.string().openapi({ description: 'A short, customer-facing reason for this content.' }),
    why: z.url().optional().openapi({
      description:
        '“Why am I seeing this?”: the explanation of this decision, for a logged-in customer who gave consent. Fetch it with the site key and the customer token.',
    }),
    debug: DeveloperDecisionDetail.optional(),
  })
  .openapi('PlacementDecision');
export type PlacementDecision = z.infer<typeof PlacementDecision>;

export const DecisionResponse = z.object({ decisions: z.array(PlacementDecision) }).openapi('DecisionResponse');
export type DecisionResponse = z.infer<typeof DecisionResponse>;

export const PlacementInfo = z
  .object({ id: Slug, name: z.string(), channels: z.array(Channel), size: PlacementSize })
  .openapi('PlacementInfo');
export type PlacementInfo = z.infer<typeof PlacementInfo>;

export const PlacementList = z.object({ placements: z.array(PlacementInfo) }).openapi('PlacementList');
export type PlacementList = z.infer<typeof PlacementList>;
