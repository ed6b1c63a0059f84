import { z } from '@hono/zod-openapi';
import { Offer, Placement } from './catalog.js';
import { Slug } from './common.js';

/**
 * Where a version of an offer stands. A change is written as a draft, submitted, approved by someone who did not write
 * it, and published: then it is the live version and the one before it is retired. A reviewer may instead reject a
 * submitted version (closed for good) or send it back to its author as a draft.
 */
export const OFFER_VERSION_STATUSES = ['draft', 'submitted', 'approved', 'live', 'retired', 'rejected'] as const;
export const OfferVersionStatus = z.enum(OFFER_VERSION_STATUSES).openapi('OfferVersionStatus');
export type OfferVersionStatus = z.infer<typeof OfferVersionStatus>;

/** The statuses of a change not yet live: an offer has at most one at a time. */
export const OPEN_STATUSES: readonly OfferVersionStatus[] = ['draft', 'submitted', 'approved'];

export const OfferVersionKind = z.enum(['catalog', 'new', 'edit', 'rollback']).openapi('OfferVersionKind', {
  description:
    'catalog: the offer as the catalog held it before staff first changed it; new: a new offer; edit: a change of the live offer; rollback: an earlier version brought back.',
});
export type OfferVersionKind = z.infer<typeof OfferVersionKind>;

const StaffId = z.string();
const Instant = z.string().openapi({ description: 'ISO 8601 instant' });

/** The longest review comment, in characters. */
export const MAX_REVIEW_COMMENT = 2000;

export const OfferReviewAction = z.enum(['reject', 'send-back']).openapi('OfferReviewAction', {
  description: 'reject: the version is closed for good; send-back: it returns to its author as a draft.',
});
export type OfferReviewAction = z.infer<typeof OfferReviewAction>;

/** What a reviewer said of a submitted version, kept with the version for its author to read. */
export const OfferReview = z
  .object({
    action: OfferReviewAction,
    by: StaffId,
    at: Instant,
    revision: z.number().int().positive().openapi({ description: 'The revision the reviewer read.' }),
    comment: z.string(),
  })
  .openapi('OfferReview');
export type OfferReview = z.infer<typeof OfferReview>;

export const OfferVersion = z
  .object({
    offerId: Slug,
    version: z.number().int().positive().openapi({ description: 'Counts up per offer: 1, 2, 3…' }),
    status: OfferVersionStatus,
    kind: OfferVersionKind,
    revision: z.number().int().positive().openapi({
      description: 'Counts each edit of the draft; send it back with the next step, so a step acts on what you saw.',
    }),
    baseVersion: z
      .number()
      .int()
      .positive()
      .nullable()
      .openapi({ description: 'The live version the change was written from; null for a new offer.' }),
    rollbackOf: z.number().int().positive().nullable().openapi({ description: 'The version a rollback brings back.' }),
    offer: Offer,
    authors: z
      .array(StaffId)
      .openapi({ description: 'Everyone who wrote or edited the draft: none of them approves it.' }),
    createdBy: StaffId,
    createdAt: Instant,
    updatedAt: Instant,
    submittedBy: StaffId.nullable(),
    submittedAt: Instant.nullable(),
    approvedBy: StaffId.nullable(),
    approvedAt: Instant.nullable(),
    publishedBy: StaffId.nullable(),
    publishedAt: Instant.nullable(),
    catalogVersion: z
      .string()
      .nullable()
      .openapi({ description: 'The catalog version publishing it made; null until published.' }),
    reviews: z
      .array(OfferReview)
      .default([])
      .openapi({ description: 'Rejections and send-backs with their comments, oldest first.' }),
  })
  .openapi('OfferVersion');
export type OfferVersion = z.infer<typeof OfferVersion>;

/** The parts of the live catalog an offer editor needs: its products and the placements with their sizes. */
export const CatalogOutline = z
  .object({
    version: z.string(),
    products: z.array(z.object({ id: Slug, name: z.object({ da: z.string(), en: z.string() }) })),
    placements: z.array(Placement),
    contentHosts: z.array(z.string()),
  })
  .openapi('CatalogOutline');
export type CatalogOutline = z.infer<typeof CatalogOutline>;

export const OfferSummary = z
  .object({
    id: Slug,
    product: Slug.nullable(),
    headline: z.string().openapi({ description: 'The English headline, of the live version or else the draft.' }),
    liveVersion: z.number().int().positive().nullable().openapi({ description: 'null: the offer is not live yet.' }),
    draft: OfferVersion.pick({ version: true, status: true, revision: true, authors: true, kind: true })
      .nullable()
      .openapi({ description: 'The change waiting to go live, if any.' }),
  })
  .openapi('OfferSummary');
export type OfferSummary = z.infer<typeof OfferSummary>;

export const OfferList = z.object({ offers: z.array(OfferSummary), catalog: CatalogOutline }).openapi('OfferList');
export type OfferList = z.infer<typeof OfferList>;

export const OfferDetail = z
  .object({
    id: Slug,
    live: Offer.nullable().openapi({ description: 'The offer as decisions serve it now; null when it is not live.' }),
    liveVersion: z.number().int().positive().nullable(),
    draft: OfferVersion.nullable(),
    versions: z.array(OfferVersion).openapi({ description: 'Every version, newest first.' }),
    catalog: CatalogOutline,
  })
  .openapi('OfferDetail');
export type OfferDetail = z.infer<typeof OfferDetail>;

export const OfferDraftRequest = z
  .strictObject({
    baseVersion: z.number().int().positive().nullable().openapi({
      description:
        'The live version you changed (liveVersion as you read it), or null for a new offer. Another change published since → 409.',
    }),
    offer: Offer,
  })
  .openapi('OfferDraftRequest');
export type OfferDraftRequest = z.infer<typeof OfferDraftRequest>;

export const OfferDraftEdit = z
  .strictObject({
    revision: z.number().int().positive().openapi({ description: 'The draft’s revision you edited; stale → 409.' }),
    offer: Offer,
  })
  .openapi('OfferDraftEdit');
export type OfferDraftEdit = z.infer<typeof OfferDraftEdit>;

export const OfferDraftStep = z
  .strictObject({
    revision: z.number().int().positive().openapi({ description: 'The draft’s revision you read; stale → 409.' }),
  })
  .openapi('OfferDraftStep');
export type OfferDraftStep = z.infer<typeof OfferDraftStep>;

export const OfferReviewRequest = z
  .strictObject({
    revision: z.number().int().positive().openapi({ description: 'The draft’s revision you read; stale → 409.' }),
    comment: z
      .string()
      .trim()
      .min(1, 'a comment is required: say what to change, or why not')
      .max(MAX_REVIEW_COMMENT, `at most ${MAX_REVIEW_COMMENT} characters`),
  })
  .openapi('OfferReviewRequest');
export type OfferReviewRequest = z.infer<typeof OfferReviewRequest>;

export const OfferRollbackRequest = z
  .strictObject({
    toVersion: z.number().int().positive().openapi({ description: 'The earlier version to bring back.' }),
    baseVersion: z.number().int().positive().openapi({ description: 'The live version as you read it; stale → 409.' }),
  })
  .openapi('OfferRollbackRequest');
export type OfferRollbackRequest = z.infer<typeof OfferRollbackRequest>;
