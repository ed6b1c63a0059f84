import { z } from '@hono/zod-openapi';
import { Channel, Slug } from './common.js';
import { protectedCategoryOf } from './protected-attributes.js';

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

/** A behavioural cluster as clustering names it. Staff never name one, so a cluster id cannot label a protected group. */
export const ClusterId = z
  .string()
  .regex(/^cluster-[1-9][0-9]{0,5}$/, 'must be a cluster id as clustering assigns it, such as "cluster-3"')
  .openapi({ example: 'cluster-3' });

const Age = z.number().int().min(0).max(120);

const OfferRulesShape = z
  .strictObject({
    minAge: Age.optional().openapi({
      description:
        'Youngest age the offer is for. The bank knows the birth year only, so a customer who may not have had this birthday yet is excluded. An unknown age (an anonymous visitor) passes.',
    }),
    maxAge: Age.optional().openapi({
      description:
        'Oldest age the offer is for; a customer who may already be older is excluded. An unknown age passes.',
    }),
    requiresProducts: z.array(Slug).max(10).optional().openapi({
      description: 'Products the customer must all hold at the bank (such as a savings account for an add-on).',
    }),
    excludesProducts: z.array(Slug).max(10).optional().openapi({
      description: 'Products that rule the offer out when the customer holds any of them.',
    }),
    clusters: z.array(ClusterId).max(50).optional().openapi({
      description:
        'Behavioural clusters the offer is for; empty or absent means any. A customer whose cluster is unknown is excluded from a targeted offer.',
    }),
  })
  .refine((rules) => rules.minAge === undefined || rules.maxAge === undefined || rules.minAge <= rules.maxAge, {
    path: ['maxAge'],
    message: 'must not be below minAge',
  });

/**
 * Offer rules refuse any key but the named rules. A key naming a protected category (health, religion, ethnicity,
 * and the rest of PROTECTED_ATTRIBUTES) is refused as such, so the message says why the law forbids it.
 */
export const OfferRules = z
  .preprocess<unknown, typeof OfferRulesShape, z.input<typeof OfferRulesShape>>((raw, ctx) => {
    const value: unknown = raw;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const kept: Record<string, unknown> = {};
    for (const [key, rule] of Object.entries(value)) {
      const category = Object.hasOwn(OfferRulesShape.shape, key) ? undefined : protectedCategoryOf(key);
      if (category) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          input: rule,
          continue: true,
          message: `"${key}" targets ${category.description}, a protected category: the law (GDPR art. 9) forbids targeting offers on it`,
        });
      } else kept[key] = rule;
    }
    return kept;
  }, OfferRulesShape)
  .openapi('OfferRules', {
    description:
      'Whom an offer is for, each rule named in the decision trace: age, products held, behavioural clusters. Targeting on a protected category of personal data (health, ethnic origin, religion or belief, political opinion, trade-union membership, sex life or sexual orientation, genetic or biometric data) is refused.',
  });
export type OfferRules = z.infer<typeof OfferRules>;

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
    credit: z.boolean().default(false).openapi({
      description:
        'A credit product (a loan). Never shown to a customer flagged vulnerable or in arrears (rule credit-suitability), whatever the rules say.',
    }),
    rules: OfferRules.optional(),
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
        'Personalized contacts per customer per rolling week, across all placements and advisors: viewable impressions of product offers and advisors reaching the customer.',
    }),
    dismissalCoolDownDays: z.number().int().nonnegative(),
  })
  .openapi('ContactPolicy');
export type ContactPolicy = z.infer<typeof ContactPolicy>;

export const DEFAULT_CONTACT_POLICY: ContactPolicy = { weeklyContactsPerCustomer: 6, dismissalCoolDownDays: 30 };

/** How arbitration learns propensities from impressions and conversions (see domain/learning.ts). */
export const LearningPolicy = z
  .strictObject({
    halfLifeDays: z.number().positive().max(3650).openapi({
      description:
        'Evidence fades: an impression or conversion counts half after this many days, so a changed taste is learnt again.',
    }),
    priorStrength: z.number().positive().max(100_000).openapi({
      description:
        'How many impressions the journey-stage prior is worth: a new offer starts at the prior and moves once evidence outweighs it.',
    }),
  })
  .openapi('LearningPolicy');
export type LearningPolicy = z.infer<typeof LearningPolicy>;

export const DEFAULT_LEARNING_POLICY: LearningPolicy = { halfLifeDays: 30, priorStrength: 50 };
export const DEFAULT_LEAD_POLICY = { qualifyAt: 0.6, advisorCoolDownDays: 14, actionWindowDays: 7 } as const;

/** When a customer's interest in a product is a lead for sales, and how advisors may act on leads. */
export const LeadPolicy = z
  .strictObject({
    qualifyAt: z.number().min(0).max(1).default(DEFAULT_LEAD_POLICY.qualifyAt).openapi({
      description: 'A lead whose score (0–1) is at least this is qualified: listed for staff, sent to the CRM.',
    }),
    advisorCoolDownDays: z.number().int().nonnegative().default(DEFAULT_LEAD_POLICY.advisorCoolDownDays).openapi({
      description: 'A customer an advisor reached within this many days is not in the advisor queue.',
    }),
    actionWindowDays: z.number().int().positive().default(DEFAULT_LEAD_POLICY.actionWindowDays).openapi({
      description:
        'An advisor acted on a customer presented in the queue when an outcome follows within this many days.',
    }),
  })
  .openapi('LeadPolicy');
export type LeadPolicy = z.infer<typeof LeadPolicy>;

export const Catalog = z
  .strictObject({
    version: z.string().min(1).max(64),
    contactPolicy: ContactPolicy.default(DEFAULT_CONTACT_POLICY),
    learning: LearningPolicy.default(DEFAULT_LEARNING_POLICY),
    leads: LeadPolicy.default({ ...DEFAULT_LEAD_POLICY }),
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
      checkRuleProducts(offer, i, products, ctx);
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

function checkRuleProducts(offer: Offer, index: number, products: ReadonlySet<string>, ctx: z.RefinementCtx): void {
  const { requiresProducts = [], excludesProducts = [] } = offer.rules ?? {};
  const lists = { requiresProducts, excludesProducts };
  for (const [name, list] of Object.entries(lists)) {
    list.forEach((product, j) => {
      const path = ['offers', index, 'rules', name, j];
      if (!products.has(product)) ctx.addIssue({ code: 'custom', path, message: `unknown product "${product}"` });
      else if (name === 'requiresProducts' && product === offer.product) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: 'an offer cannot require its own product: holders never see it',
        });
      } else if (name === 'excludesProducts' && requiresProducts.includes(product)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `"${product}" is also required: no customer could see the offer`,
        });
      }
    });
  }
}
