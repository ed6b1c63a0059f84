import { z } from '@hono/zod-openapi';
import { Budget, DEFAULT_TIME_ZONE, TimeZone } from './budgets.js';
import { Channel, Slug } from './common.js';
import { PARTNER_TOUCHPOINT_TYPES } from './partner.js';
import { BehaviouralPrinciple } from './principles.js';
import { protectedCategoryOf } from './protected-attributes.js';
import { TOUCHPOINT_TYPES } from './touchpoints.js';

/** The six stages of every product journey, from first interest to use and growth. */
export const JOURNEY_STAGES = ['aware', 'explore', 'compare', 'apply', 'sign', 'use'] as const;
export const JourneyStage = z.enum(JOURNEY_STAGES).openapi('JourneyStage');
export type JourneyStage = z.infer<typeof JourneyStage>;

/** The touchpoint types a journey rule may react to: the SDK's, and the visits partners report from external sites. */
export const JOURNEY_TOUCHPOINT_TYPES = [...TOUCHPOINT_TYPES, ...PARTNER_TOUCHPOINT_TYPES] as const;
export const JourneyTouchpointType = z.enum(JOURNEY_TOUCHPOINT_TYPES);
export type JourneyTouchpointType = z.infer<typeof JourneyTouchpointType>;

export const JourneyRule = z
  .strictObject({
    on: JourneyTouchpointType.openapi({ description: 'The touchpoint type, on this product, that moves the journey.' }),
    to: JourneyStage.openapi({
      description: 'The stage it moves the journey to; a journey never moves back by a rule.',
    }),
  })
  .openapi('JourneyRule');
export type JourneyRule = z.infer<typeof JourneyRule>;

export const Journey = z
  .strictObject({
    rules: z.array(JourneyRule).max(JOURNEY_TOUCHPOINT_TYPES.length).openapi({
      description:
        'Which touchpoints on the product move its journey, and to which stage; at most one rule per touchpoint type. A touchpoint type without a rule leaves the journey as it is.',
    }),
    decayDays: z.number().int().positive().max(3650).nullable().openapi({
      description:
        'Interest fades: after this many days without a touchpoint that moves the journey, it falls back one stage, and again after each further such period, until no journey is left. The use stage (the customer holds the product) never fades. null: never fades.',
    }),
  })
  .openapi('Journey');
export type Journey = z.infer<typeof Journey>;

/** Every product's journey unless the catalog says otherwise. */
export const DEFAULT_JOURNEY: Journey = {
  rules: [
    { on: 'page_view', to: 'aware' },
    { on: 'offer_click', to: 'aware' },
    { on: 'external_visit', to: 'aware' },
    { on: 'product_view', to: 'explore' },
    { on: 'calculator_used', to: 'compare' },
    { on: 'application_started', to: 'apply' },
    { on: 'application_submitted', to: 'sign' },
    { on: 'application_completed', to: 'use' },
  ],
  decayDays: 30,
};

const Text = z.string().min(1).max(400);
const Localized = z.strictObject({ da: Text, en: Text });

export const Product = z
  .strictObject({
    id: Slug,
    name: Localized,
    page: z.string().startsWith('/'),
    journey: Journey.default(DEFAULT_JOURNEY).openapi({
      description: 'How touchpoints move the product’s journey and how its interest fades; absent: the defaults.',
    }),
  })
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
    triggeredOnly: z.boolean().default(false).openapi({
      description:
        'Shown only when an in-app trigger names it (such as an incentive to finish an application); never chosen otherwise.',
    }),
    caps: z
      .strictObject({
        perDay: z.number().int().positive(),
        perWeek: z.number().int().positive(),
      })
      .optional()
      .openapi({
        description:
          'A product offer: at most this many viewable impressions per customer per day and per week (absent: 2 and 3). Refused on a house offer, which is the fallback shown when nothing else is eligible and is never capped.',
      }),
    content: z.strictObject({ da: ContentVariant, en: ContentVariant }),
    principle: BehaviouralPrinciple.optional().openapi({
      description:
        'The behavioural principle the offer’s content relies on (such as loss_aversion), so offers and experiments are compared alike; absent: none named.',
    }),
  })
  .superRefine((offer, ctx) => {
    if (offer.product === null && offer.caps !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['caps'],
        message:
          'a house offer is never capped: it is the fallback shown when nothing else is eligible; remove caps, or name a product',
      });
    }
  })
  .openapi('Offer');
export type Offer = z.infer<typeof Offer>;

/** A product offer's impression caps when its `caps` are absent. */
export const DEFAULT_OFFER_CAPS = { perDay: 2, perWeek: 3 } as const;

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

/** How arbitration learns propensities from impressions and conversions (see domain/decision/learning.ts). */
export const LearningPolicy = z
  .strictObject({
    halfLifeDays: z.number().positive().max(3650).openapi({
      description:
        'Evidence fades: an impression or conversion counts half after this many days, so a changed taste is learnt again.',
    }),
    priorStrength: z.number().positive().max(100_000).openapi({
      description:
        'How many impressions the journey-stage prior is worth to the pooled rate of an offer across clusters (a weak hyper-prior: a new offer starts at it and moves once evidence outweighs it), and the centre of the hyper-prior on how much the other clusters’ rate is worth to one cluster.',
    }),
  })
  .openapi('LearningPolicy');
export type LearningPolicy = z.infer<typeof LearningPolicy>;

export const DEFAULT_LEARNING_POLICY: LearningPolicy = { halfLifeDays: 10, priorStrength: 50 };
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

export const Trigger = z
  .strictObject({
    id: Slug,
    product: Slug,
    after: JourneyTouchpointType.openapi({
      description: 'The touchpoint on the product the trigger waits after, such as application_started.',
    }),
    unless: z.array(JourneyTouchpointType).max(JOURNEY_TOUCHPOINT_TYPES.length).default([]).openapi({
      description: 'Touchpoints on the product that, seen since the `after` touchpoint, stop the trigger.',
    }),
    afterDays: z.number().nonnegative().max(365).openapi({
      description: 'Days since the last `after` touchpoint before the trigger fires.',
    }),
    offer: Slug.openapi({ description: 'The offer the trigger brings forward; an offer of the same product.' }),
  })
  .openapi('Trigger', {
    description:
      'An in-app trigger, evaluated when the customer next comes into the net bank or mobile bank: once it fires, its offer wins any placement it is eligible for (eligibility and the contact policy still apply). Of a product’s triggers that fire on the same `after` touchpoint, the one with the most days wins: a later step replaces an earlier one.',
  });
export type Trigger = z.infer<typeof Trigger>;

export const Catalog = z
  .strictObject({
    version: z.string().min(1).max(64),
    contactPolicy: ContactPolicy.default(DEFAULT_CONTACT_POLICY),
    learning: LearningPolicy.default(DEFAULT_LEARNING_POLICY),
    leads: LeadPolicy.default({ ...DEFAULT_LEAD_POLICY }),
    products: z.array(Product).min(1),
    placements: z.array(Placement).min(1),
    offers: z.array(Offer).min(1),
    triggers: z.array(Trigger).max(100).default([]),
    budgets: z.array(Budget).max(100).default([]).openapi({
      description: 'Volume constraints in totals per period: see Budget. Changed under four eyes like offers.',
    }),
    timeZone: TimeZone.default(DEFAULT_TIME_ZONE).openapi({
      description: 'The bank’s time zone: budgets’ days and weeks begin at its midnight.',
    }),
    contentHosts: z
      .array(
        z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'must be a host name'),
      )
      .max(50)
      .default([])
      .openapi({
        description:
          'The hosts an offer’s call to action or image may point to with an https URL; root-relative paths stay on the bank’s own site. Empty: root-relative paths only.',
      }),
  })
  .superRefine((catalog, ctx) => {
    const products = new Set(catalog.products.map((p) => p.id));
    checkContentHosts(catalog, ctx);
    const placements = new Set(catalog.placements.map((p) => p.id));
    catalog.products.forEach((product, i) => {
      checkJourneyRules(product.journey, ['products', i, 'journey'], ctx);
    });
    checkTriggers(catalog, ctx);
    checkBudgets(catalog, ctx);
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

function checkJourneyRules(journey: Journey, path: Array<string | number>, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  journey.rules.forEach((rule, j) => {
    if (seen.has(rule.on)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'rules', j, 'on'],
        message: `"${rule.on}" already has a rule: one rule per touchpoint type`,
      });
    }
    seen.add(rule.on);
  });
}

function checkTriggers(catalog: Catalog, ctx: z.RefinementCtx): void {
  const ids = new Set<string>();
  catalog.triggers.forEach((trigger, i) => {
    const path = (...rest: Array<string | number>) => ['triggers', i, ...rest];
    if (ids.has(trigger.id))
      ctx.addIssue({ code: 'custom', path: path('id'), message: `duplicate trigger "${trigger.id}"` });
    ids.add(trigger.id);
    const product = catalog.products.find((p) => p.id === trigger.product);
    if (!product) {
      ctx.addIssue({ code: 'custom', path: path('product'), message: `unknown product "${trigger.product}"` });
    } else {
      // The profile keeps a product's touchpoints only where they move its journey: others could never be seen.
      const moving = new Set(product.journey.rules.map((rule) => rule.on));
      const unseen = (type: string) =>
        `${trigger.product}'s journey has no rule on "${type}", so such a touchpoint is never kept on its journey`;
      if (!moving.has(trigger.after))
        ctx.addIssue({ code: 'custom', path: path('after'), message: unseen(trigger.after) });
      trigger.unless.forEach((type, j) => {
        if (type === trigger.after) {
          ctx.addIssue({ code: 'custom', path: path('unless', j), message: 'must differ from `after`' });
        } else if (!moving.has(type)) ctx.addIssue({ code: 'custom', path: path('unless', j), message: unseen(type) });
      });
    }
    const offer = catalog.offers.find((o) => o.id === trigger.offer);
    if (!offer) {
      ctx.addIssue({ code: 'custom', path: path('offer'), message: `unknown offer "${trigger.offer}"` });
    } else if (offer.product !== trigger.product) {
      ctx.addIssue({
        code: 'custom',
        path: path('offer'),
        message: `"${trigger.offer}" is an offer for ${offer.product ?? 'no product'}, not for ${trigger.product}`,
      });
    }
  });
  catalog.offers.forEach((offer, i) => {
    if (offer.triggeredOnly && !catalog.triggers.some((trigger) => trigger.offer === offer.id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['offers', i, 'triggeredOnly'],
        message: 'no trigger names this offer, so it could never be shown',
      });
    }
  });
}

function checkBudgets(catalog: Catalog, ctx: z.RefinementCtx): void {
  const ids = new Set<string>();
  const known = {
    offer: new Set(catalog.offers.map((o) => o.id)),
    product: new Set(catalog.products.map((p) => p.id)),
    placement: new Set(catalog.placements.map((p) => p.id)),
  };
  catalog.budgets.forEach((budget, i) => {
    if (ids.has(budget.id)) {
      ctx.addIssue({ code: 'custom', path: ['budgets', i, 'id'], message: `duplicate budget "${budget.id}"` });
    }
    ids.add(budget.id);
    const { scope } = budget;
    if (scope.kind === 'offer' || scope.kind === 'product' || scope.kind === 'placement') {
      const id = scope.kind === 'offer' ? scope.offer : scope.kind === 'product' ? scope.product : scope.placement;
      if (!known[scope.kind].has(id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['budgets', i, 'scope', scope.kind],
          message: `unknown ${scope.kind} "${id}"`,
        });
      }
    }
  });
}

/** The host of an https URL, or null for a root-relative path. */
export function hostOf(url: string): string | null {
  return url.startsWith('/') ? null : new URL(url).hostname.toLowerCase();
}

/** Calls to action and images point to the bank's own site or to a host the catalog allows, never elsewhere. */
export function foreignContentUrls(
  content: { readonly da: ContentVariant; readonly en: ContentVariant },
  hosts: readonly string[],
): Array<{ path: PropertyKey[]; message: string }> {
  const found: Array<{ path: PropertyKey[]; message: string }> = [];
  for (const locale of ['da', 'en'] as const) {
    const variant = content[locale];
    const urls: Array<[PropertyKey[], string]> = [[[locale, 'ctaUrl'], variant.ctaUrl]];
    if (variant.image) urls.push([[locale, 'image', 'url'], variant.image.url]);
    for (const [path, url] of urls) {
      const host = hostOf(url);
      if (host !== null && !hosts.includes(host)) {
        found.push({ path, message: `host "${host}" is not one of the catalog's contentHosts` });
      }
    }
  }
  return found;
}

function checkContentHosts(
  catalog: { offers: readonly Offer[]; contentHosts: readonly string[] },
  ctx: z.RefinementCtx,
) {
  catalog.offers.forEach((offer, i) => {
    for (const { path, message } of foreignContentUrls(offer.content, catalog.contentHosts)) {
      ctx.addIssue({ code: 'custom', path: ['offers', i, 'content', ...path], message });
    }
  });
}
