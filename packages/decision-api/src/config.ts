import { z } from 'zod';
import { Channel } from './contract/index.js';

export const SiteKey = z.strictObject({
  key: z.string().regex(/^pk_[A-Za-z0-9_]{4,64}$/),
  channel: Channel,
  origins: z.array(z.url()),
});
export type SiteKey = z.infer<typeof SiteKey>;

/** A partner reporting touchpoints from external sites, server to server: its id and the secret it signs with. */
export const Partner = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/),
  /** HMAC-SHA256 key; shared with this partner only. */
  secret: z.string().min(32),
});
export type Partner = z.infer<typeof Partner>;

/** Thirteen months and a month's grace: a year-on-year comparison still sees last year's same month. */
export const DEFAULT_TOUCHPOINT_DAYS = 395;

export const ApiConfig = z
  .strictObject({
    siteKeys: z.array(SiteKey).min(1),
    customerToken: z.strictObject({
      /** HS256 secret shared with the bank's backend. */
      secret: z.string().min(16),
      issuer: z.string().optional(),
      audience: z.string().optional(),
      clockToleranceSeconds: z.number().int().nonnegative().default(30),
    }),
    staffToken: z.strictObject({
      /** HS256 secret of the bank's staff sign-in; never the customer-token secret. */
      secret: z.string().min(16),
      issuer: z.string().default('touchpoint-staff'),
      audience: z.string().default('touchpoint-console'),
      clockToleranceSeconds: z.number().int().nonnegative().default(30),
    }),
    holdout: z
      .strictObject({
        /** Share of logged-in customers who never see personalized offers, so the engine's own uplift is measurable. */
        share: z.number().min(0).max(0.5).default(0.05),
        salt: z.string().min(1).default('touchpoint-holdout'),
      })
      .default({ share: 0.05, salt: 'touchpoint-holdout' }),
    partners: z
      .array(Partner)
      .default([])
      .refine((partners) => new Set(partners.map((p) => p.id)).size === partners.length, 'partner ids must be unique'),
    /** How long touchpoints are kept; older ones are purged (daily offer counts stay). */
    retention: z
      .strictObject({ touchpointDays: z.number().int().min(1).default(DEFAULT_TOUCHPOINT_DAYS) })
      .default({ touchpointDays: DEFAULT_TOUCHPOINT_DAYS }),
  })
  .refine((config) => config.staffToken.secret !== config.customerToken.secret, {
    path: ['staffToken', 'secret'],
    message: 'must differ from the customer-token secret, so a customer token can never act as staff',
  });
export type ApiConfig = z.infer<typeof ApiConfig>;
export type ApiConfigInput = z.input<typeof ApiConfig>;

export const DEMO_CUSTOMER_TOKEN_SECRET = 'touchpoint-demo-customer-token-secret';
export const DEMO_STAFF_TOKEN_SECRET = 'touchpoint-demo-staff-token-secret';
export const DEMO_PARTNER_SECRET = 'touchpoint-demo-partner-secret-car-marketplace';

/** The demo bank's configuration: two channels with their local example origins, and a car marketplace as partner. */
export const DEMO_CONFIG: ApiConfigInput = {
  siteKeys: [
    { key: 'pk_demo_netbank', channel: 'netbank', origins: ['http://localhost:5173', 'http://127.0.0.1:5173'] },
    { key: 'pk_demo_mobilebank', channel: 'mobilebank', origins: ['http://localhost:5174', 'http://127.0.0.1:5174'] },
  ],
  customerToken: { secret: DEMO_CUSTOMER_TOKEN_SECRET, issuer: 'demo-bank', audience: 'touchpoint' },
  staffToken: { secret: DEMO_STAFF_TOKEN_SECRET },
  // The demo shows personalization to every customer; a bank sets its holdout (TOUCHPOINT_HOLDOUT_SHARE).
  holdout: { share: 0 },
  partners: [{ id: 'car-marketplace', secret: DEMO_PARTNER_SECRET }],
};

/** Reads the configuration from the environment; falls back to the demo bank's where a variable is unset. */
export function configFromEnv(env: Record<string, string | undefined>): ApiConfig {
  const siteKeys = env.TOUCHPOINT_SITE_KEYS ? JSON.parse(env.TOUCHPOINT_SITE_KEYS) : DEMO_CONFIG.siteKeys;
  const partners = env.TOUCHPOINT_PARTNERS ? JSON.parse(env.TOUCHPOINT_PARTNERS) : DEMO_CONFIG.partners;
  return ApiConfig.parse({
    siteKeys,
    partners,
    customerToken: {
      secret: env.TOUCHPOINT_CUSTOMER_TOKEN_SECRET ?? DEMO_CONFIG.customerToken.secret,
      issuer: env.TOUCHPOINT_CUSTOMER_TOKEN_ISSUER ?? DEMO_CONFIG.customerToken.issuer,
      audience: env.TOUCHPOINT_CUSTOMER_TOKEN_AUDIENCE ?? DEMO_CONFIG.customerToken.audience,
    },
    staffToken: { secret: env.TOUCHPOINT_STAFF_TOKEN_SECRET ?? DEMO_STAFF_TOKEN_SECRET },
    retention: {
      touchpointDays: env.TOUCHPOINT_RETENTION_TOUCHPOINT_DAYS
        ? Number(env.TOUCHPOINT_RETENTION_TOUCHPOINT_DAYS)
        : DEFAULT_TOUCHPOINT_DAYS,
    },
    holdout: { share: env.TOUCHPOINT_HOLDOUT_SHARE ? Number(env.TOUCHPOINT_HOLDOUT_SHARE) : 0 },
  });
}
