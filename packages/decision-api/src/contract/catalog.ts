import { z } from '@hono/zod-openapi';
import { Channel, Slug } from './common.js';

/** The six stages of every product journey, from first interest to use and growth. */
export const JOURNEY_STAGES = ['aware', 'explore', 'compare', 'apply', 'sign', 'use'] as const;
export const JourneyStage = z.enum(JOURNEY_STAGES).openapi('JourneyStage');
export type JourneyStage = z.infer<typeof JourneyStage>;

const Text = z.string().min(1).max(400);
const Localized = z.strictObject({ da: Text, en: Text });

export const Product = z
  .strictObject({ id: Slug, name: Localized, page: z.string().startsWith('/') })
  .openapi('Product');
export type Product = z.infer<typeof Product>;

export const Placement = z
  .strictObject({
    id: Slug,
    name: z.string().min(1).max(100),
    channels: z.array(Channel).min(1),
    size: z.strictObject({ width: z.number().int().positive(), height: z.number().int().positive() }),
  })
  .openapi('Placement');
export type Placement = z.infer<typeof Placement>;

/**
 * Links and images in content are a path on the bank's own site or an https URL: never `javascript:`,
 * `data:` or a protocol-relative `//host` that would leave the bank's site unnoticed.
 */
export const SafeUrl = z
  .string()
  .min(1)
  .max(300)
  .refine((url) => (url.startsWith('/') && !url.startsWith('//')) || /^https:\/\/[a-z0-9.-]+(:\d+)?(\/|$)/i.test(url), {
    message: 'must be a root-relative path or an https URL',
  });

export const ContentVariant = z
  .strictObject({
    headline: z.string().min(1).max(120),
    body: z.string().min(1).max(400),
    ctaLabel: z.string().min(1).max(40),
    ctaUrl: SafeUrl,
    image: z.strictObject({ url: SafeUrl, alt: z.string().max(200) }).optional(),
  })
  .openapi('ContentVariant');
export type ContentVariant = z.infer<typeof ContentVariant>;

export const Offer = z
  .strictObject({
    id: Slug,
    product: Slug.nullable().openapi({ description: 'null for a house offer that fits any customer (a fallback).' }),
    placements: z.array(Slug).min(1),
    channels: z.array(Channel).min(1),
    validFrom: z.iso.datetime({ offset: true }).optional(),
    validTo: z.iso.datetime({ offset: true }).optional(),
    stages: z
      .array(JourneyStage)
      .openapi({ description: 'Journey stages of the offer’s product this offer fits; empty means any stage.' }),
    value: z.number().positive().openapi({ description: 'Business value of a conversion, relative units.' }),
    lever: z.number().positive().default(1).openapi({ description: 'Business lever set by staff (1 = neutral).' }),
    credit: z.boolean().default(false),
    caps: z
      .strictObject({
        perDay: z.number().int().positive(),
        perWeek: z.number().int().positive(),
      })
      .default({ perDay: 2, perWeek: 3 })
      .openapi({
        description: 'At most this many viewable impressions of the offer per customer per day and per week.',
      }),
    content: z.strictObject({ da: ContentVariant, en: ContentVariant }),
  })
  .openapi('Offer');
export type Offer = z.infer<typeof Offer>;

export const ContactPolicy = z
  .strictObject({
    weeklyContactsPerCustomer: z.number().int().positive().openapi({
      description:
        'Personalized contacts (viewable impressions of product offers) per customer per rolling week, across all placements.',
    }),
    dismissalCoolDownDays: z.number().int().nonnegative(),
  })
  .openapi('ContactPolicy');
export type ContactPolicy = z.infer<typeof ContactPolicy>;

export const DEFAULT_CONTACT_POLICY: ContactPolicy = { weeklyContactsPerCustomer: 6, dismissalCoolDownDays: 30 };

export const Catalog = z
  .strictObject({
    version: z.string().min(1).max(64),
    contactPolicy: ContactPolicy.default(DEFAULT_CONTACT_POLICY),
    products: z.array(Product).min(1),
    placements: z.array(Placement).min(1),
    offers: z.array(Offer).min(1),
  })
  .superRefine((catalog, ctx) => {
    const products = new Set(catalog.products.map((p) => p.id));
    const placements = new Set(catalog.placements.map((p) => p.id));
    catalog.offers.forEach((offer, i) => {
      if (offer.product !== null && !products.has(offer.product)) {
        ctx.addIssue({ code: 'custom', path: ['offers', i, 'product'], message: `unknown product "${offer.product}"` });
      }
      offer.placements.forEach((placement, j) => {
        if (!placements.has(placement)) {
          ctx.addIssue({
            code: 'custom',
            path: ['offers', i, 'placements', j],
            message: `unknown placement "${placement}"`,
          });
        }
      });
    });
  })
  .openapi('Catalog');
export type Catalog = z.infer<typeof Catalog>;
export type CatalogInput = z.input<typeof Catalog>;
