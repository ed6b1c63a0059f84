import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  AdvisorKpiQuery,
  AdvisorKpis,
  AdvisorOutcomeBody,
  AdvisorOutcomeRequest,
  AdvisorQueue,
  AdvisorQueueQuery,
} from '../../contract/index.js';
import { advisorKpis } from '../../domain/advisors/advisor-kpis.js';
import { applyAdvisorOutcome } from '../../domain/advisors/advisor-outcome.js';
import { advisorQueue } from '../../domain/advisors/advisor-queue.js';
import { auditChange } from '../audit.js';
import { readJson } from '../body.js';
import type { AppEnv } from '../env.js';
import { refusePersonalDataInIds } from '../personal-data.js';
import { fieldErrors, invalidBody, ProblemError } from '../problem.js';
import type { Services } from '../services.js';
import { requireRole } from '../staff-token.js';
import { invalidQuery, parseQuery } from './leads.js';
import { problemResponses, staffSecurity } from './openapi.js';

const DAY_MS = 86_400_000;
/** Qualified leads of one branch read to build its queue; a branch has far fewer. */
const MAX_BRANCH_LEADS = 5_000;
const MAX_OUTCOME_BYTES = 8 * 1024;

export function advisorRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/advisor/queue',
    tags: ['Advisors'],
    summary: 'The next customers for the signed-in advisor to contact',
    description:
      'The branch’s qualified leads (the branch from the staff token; `?branch=` for admins), best lead score now first, one entry per customer with the reason in words. Kept out, by the contact policy: a customer without consent to be contacted, a product the customer holds, a credit product for a customer flagged vulnerable or in arrears, a customer an advisor reached within `leads.advisorCoolDownDays`, a customer at the weekly contact cap (in-app impressions and advisor contacts together), a product dismissed within the dismissal cool-down. The customers shown are noted for the advisor action rate. Role: advisor.',
    security: staffSecurity,
    request: { query: AdvisorQueueQuery },
    responses: {
      200: { description: 'The queue', content: { 'application/json': { schema: AdvisorQueue } } },
      ...problemResponses(401, 403, 422),
    },
  });

  app.get('/v1/advisor/queue', requireRole('advisor'), async (c) => {
    const query = parseQuery(AdvisorQueueQuery, c.req.query());
    const staff = c.get('staff');
    if (query.branch !== undefined && query.branch !== staff.branch && !staff.roles.includes('admin')) {
      throw new ProblemError(
        403,
        'other-branch',
        'Another branch’s queue',
        `An advisor sees the queue of their own branch${staff.branch ? ` (${staff.branch})` : ''}; only admins name another.`,
      );
    }
    const branch = query.branch ?? staff.branch;
    if (!branch) {
      throw invalidQuery([{ path: '/branch', message: 'the staff token names no branch: name one' }]);
    }
    const catalog = services.catalog.current();
    const now = services.now();
    const { entries, excluded } = advisorQueue({
      candidates: await services.store.branchLeads(branch, MAX_BRANCH_LEADS),
      products: catalog.products,
      offers: catalog.offers.values(),
      contactPolicy: catalog.source.contactPolicy,
      leadPolicy: catalog.source.leads,
      locale: query.locale,
      now,
      limit: query.limit,
    });
    // An admin looking at another branch's queue is not presenting it to that branch's advisors.
    if (branch === staff.branch) {
      await services.store.recordPresentations(
        { advisorId: staff.id, branch, at: now, windowDays: catalog.source.leads.actionWindowDays },
        entries,
      );
    }
    return c.json(AdvisorQueue.parse({ branch, generatedAt: now.toISOString(), entries, excluded }), 200, {
      'cache-control': 'no-store',
    });
  });

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/advisor/outcomes',
    tags: ['Advisors'],
    summary: 'Record what came of contacting a customer, in one call',
    description:
      'Idempotent by the client’s id: a repeated id records nothing and answers the outcome stored first (200). Reaching the customer (any outcome but `not_reached`) counts toward the weekly contact cap across placements and advisors and starts the advisor cool-down; `sold` is the conversion (the product is held, its journey at use); `not_relevant` rests the product for the dismissal cool-down in the queue and in the in-app placements. The stored outcome (customer, product, outcome) is what learning reads. Role: advisor.',
    security: staffSecurity,
    request: { body: { required: true, content: { 'application/json': { schema: AdvisorOutcomeRequest } } } },
    responses: {
      201: { description: 'Recorded', content: { 'application/json': { schema: AdvisorOutcomeBody } } },
      200: {
        description: 'Recorded before under this id',
        content: { 'application/json': { schema: AdvisorOutcomeBody } },
      },
      ...problemResponses(400, 401, 403, 404, 415, 422),
    },
  });

  app.post('/v1/advisor/outcomes', requireRole('advisor'), async (c) => {
    const parsed = AdvisorOutcomeRequest.safeParse(await readJson(c, MAX_OUTCOME_BYTES));
    if (!parsed.success) throw invalidBody(fieldErrors(parsed.error));
    const request = parsed.data;
    refusePersonalDataInIds({ '/customerId': request.customerId });
    const catalog = services.catalog.current();
    if (!catalog.products.has(request.product)) {
      throw invalidBody([{ path: '/product', message: 'not a catalog product' }]);
    }
    const staff = c.get('staff');
    const recordedAt = services.now().toISOString();
    const offersOfProduct = [...catalog.offers.values()]
      .filter((offer) => offer.product === request.product)
      .map((offer) => offer.id);
    const result = await services.store.recordAdvisorOutcome(
      {
        id: request.id,
        customerId: request.customerId,
        product: request.product,
        outcome: request.outcome,
        note: request.note ?? null,
        advisorId: staff.id,
        branch: staff.branch ?? 'none',
        recordedAt,
      },
      (profile) =>
        applyAdvisorOutcome(
          profile,
          { product: request.product, outcome: request.outcome, at: recordedAt },
          offersOfProduct,
        ),
      services.leadScoring(),
    );
    if (result.status === 'unknown-customer') {
      throw new ProblemError(
        404,
        'customer-unknown',
        'Unknown customer',
        `No customer ${request.customerId} is known.`,
      );
    }
    // Right after the outcome's transaction (a repeated id records nothing, and is not audited again); the note is
    // the advisor's free text and stays out of the log.
    if (result.status === 'recorded') {
      await auditChange(services, c, {
        action: 'advisor.outcome',
        target: `customer:${request.customerId}`,
        before: null,
        after: { id: request.id, product: request.product, outcome: request.outcome, branch: staff.branch },
      });
    }
    return c.json(AdvisorOutcomeBody.parse(result.outcome), result.status === 'recorded' ? 201 : 200);
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/admin/kpis/advisors',
    tags: ['Advisors'],
    summary: 'Advisor action rate and outcomes, per advisor and per branch',
    description:
      'Over the last `days` days. A presentation is a customer shown in an advisor’s queue, noted once per action window (`leads.actionWindowDays`, default 7). The advisor acted on it when the advisor recorded an outcome for that customer within the window after it. Action rate = acted ÷ (presented − pending), where pending presentations have no outcome yet and an open window; null when nothing is settled. Per branch: the branch whose queue it was. Outcome counts are of outcomes recorded in the period, by the branch of the customer. Role: viewer or approver.',
    security: staffSecurity,
    request: { query: AdvisorKpiQuery },
    responses: {
      200: { description: 'The KPIs', content: { 'application/json': { schema: AdvisorKpis } } },
      ...problemResponses(401, 403, 422),
    },
  });

  app.get('/v1/admin/kpis/advisors', requireRole('viewer', 'approver'), async (c) => {
    const { days } = parseQuery(AdvisorKpiQuery, c.req.query());
    const now = services.now();
    const since = new Date(now.getTime() - days * DAY_MS);
    const actionWindowDays = services.catalog.current().source.leads.actionWindowDays;
    const { presentations, outcomes } = await services.store.advisorActivity(since, now, actionWindowDays);
    return c.json(
      AdvisorKpis.parse({ since: since.toISOString(), actionWindowDays, ...advisorKpis(presentations, outcomes) }),
      200,
      { 'cache-control': 'no-store' },
    );
  });
}
