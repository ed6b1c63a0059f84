import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Hono, Next } from 'hono';
import { z } from 'zod';
import type { ApiConfig } from '../config.js';
import { customerTokenVerifier } from './customer-token.js';
import { DOCS_CSS, renderDocsPage } from './docs-page.js';
import type { AppEnv } from './env.js';
import { problemResponse } from './problem.js';
import { clientAddress, type RateRule, rateLimiter } from './rate-limit.js';
import { advisorRoutes } from './routes/advisors.js';
import { auditRoutes } from './routes/audit.js';
import { clusterRoutes } from './routes/clusters.js';
import { decisionRoutes } from './routes/decisions.js';
import { experimentRoutes } from './routes/experiments.js';
import { kpiRoutes } from './routes/kpis.js';
import { leadRoutes } from './routes/leads.js';
import { learningRoutes } from './routes/learning.js';
import { offerRoutes } from './routes/offers.js';
import { PARTNER_PATHS, partnerRoutes } from './routes/partner.js';
import { placementRoutes } from './routes/placements.js';
import { previewRoutes } from './routes/preview.js';
import { privacyRoutes } from './routes/privacy.js';
import { SESSION_PATH, sessionRoutes } from './routes/session.js';
import { staffRoutes } from './routes/staff.js';
import { touchpointRoutes } from './routes/touchpoints.js';
import { whatIfRoutes } from './routes/what-if.js';
import type { Services } from './services.js';
import { SITE_KEY_HEADER, siteKeys } from './site-key.js';
import { csrfTokens, STAFF_PATHS, staffAuthentication, staffTokenVerifier } from './staff-token.js';
import { withinDeadline } from './store-deadline.js';
import { unless } from './unless.js';
import { unmatchedRoute } from './unmatched.js';
import { refuseUnstorableUrl } from './url-text.js';

export const API_VERSION = '0.1.0';

export interface HttpAppOptions {
  /** The connection's peer address, as the runtime knows it; without it requests are not limited per address. */
  readonly peerAddress?: (c: Context) => string | undefined;
}

/** The decision API as a Web-standard fetch handler: runs on Node and on edge runtimes alike. */
export function createHttpApp(services: Services, options: HttpAppOptions = {}): Hono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  const config: ApiConfig = services.config;
  const limits = config.rateLimits;
  const verifyCustomerToken = customerTokenVerifier(config.customerToken, services.now);

  app.use('*', async function securityHeaders(c, next) {
    await next();
    c.res.headers.set('x-content-type-options', 'nosniff');
    c.res.headers.set('referrer-policy', 'no-referrer');
    if (!c.res.headers.has('content-security-policy')) {
      c.res.headers.set(
        'content-security-policy',
        "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'",
      );
    }
  });

  app.use('*', refuseUnstorableUrl);

  // Liveness only: the process answers. No store read, so an orchestrator does not restart instances for a store
  // outage (that is /healthz), and the benchmark has a constant route to compare the decision path with.
  app.get('/livez', (c) => c.json({ status: 'ok' }));

  app.get('/healthz', async (c) => {
    await withinDeadline(services.store.ping(), services.config.storeTimeouts.decisionMs * 3);
    return c.json({ status: 'ok', store: services.store.engine, catalogVersion: services.catalog.current().version });
  });

  // The rate limits live where every instance sees them (PostgreSQL), or in memory on the embedded store; a request
  // is counted against all its limits in one round trip.
  const checkRateLimits = rateLimiter({
    limits: services.store.limits,
    now: services.now,
    deadlineMs: config.storeTimeouts.decisionMs,
  });
  const perAddress = (c: Context<AppEnv>): RateRule | null => {
    const address = clientAddress(options.peerAddress?.(c), c.req.header('x-forwarded-for'), limits.trustedProxies);
    return limits.perAddress && address ? { scope: 'address', key: address, limit: limits.perAddress } : null;
  };

  // Partner routes authenticate by their signature alone, staff routes by a staff token alone: a site key or a
  // customer token never counts there, and they are limited per address before they authenticate.
  const notForCustomers = [PARTNER_PATHS, ...STAFF_PATHS];
  for (const path of notForCustomers) {
    app.use(path, async function addressLimit(c, next) {
      await checkRateLimits([perAddress(c)]);
      await next();
    });
  }
  // Every other /v1 route: the site key (checked in memory, so a request without a valid one costs no round trip),
  // the customer token, then the limits per address, site key and customer together. A request whose token is refused
  // still counts against its address and site key, so a flood of forged tokens is limited like any other.
  app.use(
    '/v1/*',
    unless(
      notForCustomers,
      siteKeys(config.siteKeys),
      async function customerTokenAndLimits(c: Context<AppEnv>, next: Next) {
        let customerId: string | null = null;
        let refused: unknown;
        try {
          customerId = await verifyCustomerToken(c.req.header('authorization'));
        } catch (error) {
          refused = error;
        }
        await checkRateLimits([
          perAddress(c),
          limits.perSiteKey ? { scope: 'site key', key: c.get('siteKey').key, limit: limits.perSiteKey } : null,
          limits.perCustomer && customerId !== null
            ? { scope: 'customer', key: customerId, limit: limits.perCustomer }
            : null,
        ]);
        if (refused !== undefined) throw refused;
        c.set('customerId', customerId);
        await next();
      },
    ),
  );
  for (const path of STAFF_PATHS) {
    // Signing in and out is where a session begins and ends: those routes authenticate by themselves.
    app.use(
      path,
      unless(
        [SESSION_PATH],
        staffAuthentication(staffTokenVerifier(config.staffToken, services.now), csrfTokens(config.staffToken)),
      ),
    );
  }

  touchpointRoutes(app, services);
  decisionRoutes(app, services);
  placementRoutes(app, services);
  partnerRoutes(app, services);
  privacyRoutes(app, services);
  staffRoutes(app, services);
  sessionRoutes(app, services);
  auditRoutes(app, services);
  leadRoutes(app, services);
  advisorRoutes(app, services);
  kpiRoutes(app, services);
  clusterRoutes(app, services);
  experimentRoutes(app, services);
  learningRoutes(app, services);
  offerRoutes(app, services);
  previewRoutes(app, services);
  whatIfRoutes(app, services);

  app.openAPIRegistry.registerComponent('securitySchemes', 'siteKey', {
    type: 'apiKey',
    in: 'header',
    name: SITE_KEY_HEADER,
    description: 'Publishable site key of a channel; its allowed origins drive CORS.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'customerToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The bank backend’s signed customer token; its subject is the pseudonymous customer id.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'staffToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A staff token from the bank’s staff sign-in (separate secret and audience from customer tokens), with the staff member’s roles: viewer, marketer, approver, advisor, admin.',
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/healthz',
    tags: ['Operations'],
    summary: 'Readiness: the process and its store answer',
    responses: {
      200: {
        description: 'Healthy',
        content: {
          'application/json': {
            schema: z.object({ status: z.literal('ok'), store: z.string(), catalogVersion: z.string() }),
          },
        },
      },
      503: { description: 'The store does not answer' },
    },
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/livez',
    tags: ['Operations'],
    summary: 'Liveness: the process answers (the store is not asked)',
    responses: {
      200: {
        description: 'Alive',
        content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
      },
    },
  });

  const document = () =>
    app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Touchpoint decision API',
        version: API_VERSION,
        description:
          'Ingests touchpoints from the bank’s own channels and picks the next best offer per placement. Errors are RFC 9457 problem+json.',
      },
    });
  app.get('/openapi.json', (c) => c.json(document()));
  app.get('/docs', (c) => c.html(renderDocsPage(document())));
  app.get('/docs/style.css', (c) => c.body(DOCS_CSS, 200, { 'content-type': 'text/css; charset=utf-8' }));

  app.notFound(unmatchedRoute(app));
  app.onError((error, c) => problemResponse(c, error));
  return app;
}
