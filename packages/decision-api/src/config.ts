import { z } from 'zod';
import { Channel, STAFF_ROLES } from './contract/index.js';

/** A staff password hash as `touchpoint staff-password` prints it: `scrypt$N$r$p$<salt>$<key>` (base64url). */
const STAFF_PASSWORD_HASH = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{32,}$/;

/** A page's origin (scheme, host, port), as browsers send it in the Origin header; a trailing slash or path is dropped. */
const Origin = z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin);

export const SiteKey = z.strictObject({
  key: z.string().regex(/^pk_[A-Za-z0-9_]{4,64}$/),
  channel: Channel,
  origins: z.array(Origin),
  /**
   * A key for development: its decisions also name, per placement, the rule that excluded each candidate
   * (`debug.candidates`), so a developer can see why a banner did not appear. Never on a production key: the trace is
   * the bank's, not the customer's.
   */
  development: z.boolean().default(false),
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
const BucketLimit = z.strictObject({
  ratePerSecond: z.number().positive(),
  burst: z.number().int().positive(),
});

/**
 * Token buckets per client address, per site key and per logged-in customer; null turns a rule off. With PostgreSQL
 * they are shared by every instance (the store's `limits`); on the embedded store they live in the process's memory.
 */
export const RateLimits = z.strictObject({
  perAddress: BucketLimit.nullable().default({ ratePerSecond: 50, burst: 300 }),
  perSiteKey: BucketLimit.nullable().default({ ratePerSecond: 2000, burst: 4000 }),
  perCustomer: BucketLimit.nullable().default({ ratePerSecond: 5, burst: 60 }),
  /** How many proxies in front append to X-Forwarded-For and are trusted; 0 reads the connection's address only. */
  trustedProxies: z.number().int().nonnegative().default(0),
});
export type RateLimits = z.infer<typeof RateLimits>;

/** How long the store may take before a request stops waiting for it. */
export const StoreTimeouts = z.strictObject({
  /** Reading the profile for a decision; past it, the decision is made with generic content. */
  decisionMs: z.number().int().positive().default(300),
  /** Storing a batch of touchpoints; past it (or when the store fails), 503 with Retry-After. */
  ingestMs: z.number().int().positive().default(3000),
});

/**
 * Profiles kept in memory between a customer's decisions, while the store's change feed is live (see
 * src/snapshots/profile-cache.ts). `maxEntries: 0` turns it off.
 */
export const ProfileCacheConfig = z.strictObject({
  /** About 2–4 kB each. */
  maxEntries: z.number().int().min(0).default(20_000),
  /** The longest a kept profile is used without reading it again, should the change feed die without a word. */
  ttlMs: z.number().int().positive().default(30_000),
});

/**
 * How budgets are shared between processes (see src/budget-ledger.ts): each leases blocks of a budget from its counter
 * row and spends them in memory.
 */
export const BudgetConfig = z.strictObject({
  /**
   * A block is this share of the budget's maximum (at least 1). A killed process can overshoot by at most two blocks
   * (the one it was spending and one whose settling was under way): 1 % of the budget by default.
   */
  blockShare: z.number().positive().max(0.05).default(0.005),
  /** A lease not renewed for this long is given back (a killed process's block returns after it). */
  leaseMs: z.number().int().min(200).default(30_000),
  /** How often leases are renewed, counters of measures counted on ingest read again and hourly traffic written. */
  syncMs: z.number().int().min(50).default(1_000),
});
export type BudgetConfig = z.infer<typeof BudgetConfig>;

/** Customer-token algorithms: a shared secret (HS256) or the bank's published keys (ES256, RS256). */
export const CUSTOMER_TOKEN_ALGORITHMS = ['HS256', 'ES256', 'RS256'] as const;
/** The bank's CRM, sent each newly qualified lead by signed webhook (signed as partners sign their requests). */
export const CrmWebhook = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** HMAC-SHA256 key of the webhook signature; shared with the CRM only. */
  secret: z.string().min(32),
});
export type CrmWebhook = z.infer<typeof CrmWebhook>;
/** A staff member who signs in to the console with a password; the bank's identity provider may replace this. */
export const StaffAccount = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.@-]{1,128}$/),
  displayName: z.string().min(1).max(100),
  roles: z.array(z.enum(STAFF_ROLES)).min(1),
  branch: z.string().min(1).max(64).optional(),
  /** `scrypt$N$r$p$salt$key`, made by `touchpoint staff-password`; never the password itself. */
  passwordHash: z.string().regex(STAFF_PASSWORD_HASH, 'must be a scrypt hash from `touchpoint staff-password`'),
});
export type StaffAccount = z.infer<typeof StaffAccount>;

export const ApiConfig = z
  .strictObject({
    siteKeys: z.array(SiteKey).min(1),
    customerToken: z
      .strictObject({
        /** HS256 secret shared with the bank's backend. */
        secret: z.string().min(16).optional(),
        /** The bank's JSON Web Key Set: ES256 / RS256 tokens are verified against it; rotated keys are picked up. */
        jwksUrl: z.url().optional(),
        issuer: z.string().min(1),
        audience: z.string().min(1),
        /** The algorithms accepted; by default HS256 with a secret, ES256 and RS256 with a key set. */
        algorithms: z.array(z.enum(CUSTOMER_TOKEN_ALGORITHMS)).min(1).optional(),
        clockToleranceSeconds: z.number().int().nonnegative().default(30),
        /** After fetching the key set, how long an unknown key id waits before the set is fetched again. */
        jwksCooldownSeconds: z.number().nonnegative().default(30),
      })
      .refine((token) => token.secret !== undefined || token.jwksUrl !== undefined, {
        message: 'needs a secret (HS256) or a jwksUrl (ES256, RS256), or both',
      })
      .refine((token) => !token.algorithms?.includes('HS256') || token.secret !== undefined, {
        path: ['algorithms'],
        message: 'HS256 needs a secret',
      })
      .refine((token) => !token.algorithms?.some((alg) => alg !== 'HS256') || token.jwksUrl !== undefined, {
        path: ['algorithms'],
        message: 'ES256 and RS256 need a jwksUrl',
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
    rateLimits: RateLimits.prefault({}),
    storeTimeouts: StoreTimeouts.prefault({}),
    profileCache: ProfileCacheConfig.prefault({}),
    budgets: BudgetConfig.prefault({}),
    partners: z
      .array(Partner)
      .default([])
      .refine((partners) => new Set(partners.map((p) => p.id)).size === partners.length, 'partner ids must be unique'),
    /** How long touchpoints are kept; older ones are purged (daily offer counts stay). */
    retention: z
      .strictObject({ touchpointDays: z.number().int().min(1).default(DEFAULT_TOUCHPOINT_DAYS) })
      .default({ touchpointDays: DEFAULT_TOUCHPOINT_DAYS }),
    /** Without it leads are kept and listed, and nothing is sent. */
    crm: CrmWebhook.optional(),
    staffDirectory: z
      .array(StaffAccount)
      .default([])
      .refine((staff) => new Set(staff.map((s) => s.id)).size === staff.length, 'staff ids must be unique'),
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

/**
 * The demo bank's staff, one per role. Demo only: their passwords are in the README, so a bank sets its own directory
 * (TOUCHPOINT_STAFF_DIRECTORY) before anyone outside the demo can reach the console.
 */
export const DEMO_STAFF_DIRECTORY: StaffAccount[] = [
  {
    id: 'v.viewer',
    displayName: 'Vera Viewer',
    roles: ['viewer'],
    passwordHash: 'scrypt$32768$8$1$Kvg0ElUzuGQe29vRaa2hXw$GNMj1h75U7OuHJ-RRskr7OB7L939Phdbm-65DsAg2ok',
  },
  {
    id: 'm.marketer',
    displayName: 'Mads Marketer',
    roles: ['marketer'],
    passwordHash: 'scrypt$32768$8$1$_LDhLTcHX11EdsfSZ1MeXw$KO2RbfJZejZ2EMRtFJiKUZQVL4CC-P_lW69ju8oTIIY',
  },
  {
    id: 'a.approver',
    displayName: 'Anna Approver',
    roles: ['approver'],
    passwordHash: 'scrypt$32768$8$1$xhnsZg_71gej9pSUrE-m1Q$17LN6bjC9dNuaa--eVeValKK8mjGyp5_3eG6MzQcLNE',
  },
  {
    id: 'r.advisor',
    displayName: 'Rasmus Advisor',
    roles: ['advisor'],
    // A branch of the demo bank's customers (see demo/people.ts), so the demo advisor's queue has leads.
    branch: 'Aarhus',
    passwordHash: 'scrypt$32768$8$1$XiBYK6awMQIiMKHx_Zma_g$oAv37vYoKflfpqNzWZeyDZfmuHyDtkcIgyN9EbLTP30',
  },
  {
    id: 's.admin',
    displayName: 'Sofie Admin',
    roles: ['admin'],
    passwordHash: 'scrypt$32768$8$1$Z0WKtXg2o26Vr7xbXVV3oA$z_m0457ZPL1JTxew_iE80YpXnZkBb0rkNSbtmxRb0H8',
  },
];

/** The demo bank's configuration: two channels with their local example origins, and a car marketplace as partner. */
export const DEMO_CONFIG: ApiConfigInput = {
  siteKeys: [
    {
      key: 'pk_demo_netbank',
      channel: 'netbank',
      origins: ['http://localhost:5173', 'http://127.0.0.1:5173'],
      development: true,
    },
    {
      key: 'pk_demo_mobilebank',
      channel: 'mobilebank',
      origins: ['http://localhost:5174', 'http://127.0.0.1:5174'],
      development: true,
    },
  ],
  customerToken: { secret: DEMO_CUSTOMER_TOKEN_SECRET, issuer: 'demo-bank', audience: 'touchpoint' },
  staffToken: { secret: DEMO_STAFF_TOKEN_SECRET },
  // The demo shows personalization to every customer; a bank sets its holdout (TOUCHPOINT_HOLDOUT_SHARE).
  holdout: { share: 0 },
  partners: [{ id: 'car-marketplace', secret: DEMO_PARTNER_SECRET }],
  staffDirectory: DEMO_STAFF_DIRECTORY,
};

/** The demo keys, each also allowing `extraOrigins` (a developer's own page, e.g. http://localhost:3000). */
export function demoSiteKeys(extraOrigins: readonly string[]): ApiConfigInput['siteKeys'] {
  const extra = extraOrigins.map((origin) => origin.trim()).filter((origin) => origin !== '');
  return DEMO_CONFIG.siteKeys.map((key) => ({ ...key, origins: [...key.origins, ...extra] }));
}

/** Reads the configuration from the environment; falls back to the demo bank's where a variable is unset. */
export function configFromEnv(env: Record<string, string | undefined>): ApiConfig {
  const siteKeys = env.TOUCHPOINT_SITE_KEYS
    ? JSON.parse(env.TOUCHPOINT_SITE_KEYS)
    : demoSiteKeys(env.TOUCHPOINT_DEMO_ORIGINS?.split(',') ?? []);
  if (env.TOUCHPOINT_SITE_KEYS && env.TOUCHPOINT_DEMO_ORIGINS) {
    throw new Error(
      '[touchpoint] TOUCHPOINT_DEMO_ORIGINS adds origins to the demo keys, which TOUCHPOINT_SITE_KEYS replaces: list the origins in TOUCHPOINT_SITE_KEYS instead',
    );
  }
  const partners = env.TOUCHPOINT_PARTNERS ? JSON.parse(env.TOUCHPOINT_PARTNERS) : DEMO_CONFIG.partners;
  const jwksUrl = env.TOUCHPOINT_CUSTOMER_TOKEN_JWKS_URL;
  const algorithms = env.TOUCHPOINT_CUSTOMER_TOKEN_ALGORITHMS?.split(',').map((alg) => alg.trim());
  return ApiConfig.parse({
    siteKeys,
    partners,
    customerToken: {
      // With a key set configured, the demo secret is never a fallback.
      secret: env.TOUCHPOINT_CUSTOMER_TOKEN_SECRET ?? (jwksUrl ? undefined : DEMO_CONFIG.customerToken.secret),
      ...(jwksUrl ? { jwksUrl } : {}),
      ...(algorithms ? { algorithms } : {}),
      issuer: env.TOUCHPOINT_CUSTOMER_TOKEN_ISSUER ?? DEMO_CONFIG.customerToken.issuer,
      audience: env.TOUCHPOINT_CUSTOMER_TOKEN_AUDIENCE ?? DEMO_CONFIG.customerToken.audience,
    },
    staffToken: { secret: env.TOUCHPOINT_STAFF_TOKEN_SECRET ?? DEMO_STAFF_TOKEN_SECRET },
    retention: {
      touchpointDays: env.TOUCHPOINT_RETENTION_TOUCHPOINT_DAYS
        ? Number(env.TOUCHPOINT_RETENTION_TOUCHPOINT_DAYS)
        : DEFAULT_TOUCHPOINT_DAYS,
    },
    ...(env.TOUCHPOINT_CRM_WEBHOOK_URL
      ? { crm: { url: env.TOUCHPOINT_CRM_WEBHOOK_URL, secret: env.TOUCHPOINT_CRM_WEBHOOK_SECRET } }
      : {}),
    holdout: { share: env.TOUCHPOINT_HOLDOUT_SHARE ? Number(env.TOUCHPOINT_HOLDOUT_SHARE) : 0 },
    ...(env.TOUCHPOINT_RATE_LIMITS ? { rateLimits: JSON.parse(env.TOUCHPOINT_RATE_LIMITS) } : {}),
    ...(env.TOUCHPOINT_STORE_TIMEOUTS ? { storeTimeouts: JSON.parse(env.TOUCHPOINT_STORE_TIMEOUTS) } : {}),
    ...(env.TOUCHPOINT_PROFILE_CACHE ? { profileCache: JSON.parse(env.TOUCHPOINT_PROFILE_CACHE) } : {}),
    ...(env.TOUCHPOINT_BUDGETS ? { budgets: JSON.parse(env.TOUCHPOINT_BUDGETS) } : {}),
    staffDirectory: env.TOUCHPOINT_STAFF_DIRECTORY ? JSON.parse(env.TOUCHPOINT_STAFF_DIRECTORY) : DEMO_STAFF_DIRECTORY,
  });
}
