import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { CustomerDataExport, CustomerId, StaffErasureResult, WhyExplanation } from '../../contract/index.js';
import { explainDecision } from '../../domain/decision/why.js';
import type { AppEnv } from '../env.js';
import { refusePersonalDataInIds } from '../personal-data.js';
import { ProblemError } from '../problem.js';
import type { Services } from '../services.js';
import { requireRole } from '../staff-token.js';
import { problemResponses, staffSecurity } from './openapi.js';

/** Customer routes act for the customer of the verified token only: there is no customer id to give. */
const customerSecurity: Array<Record<string, string[]>> = [{ siteKey: [], customerToken: [] }];

/** How many of the customer's latest touchpoints before a decision are read to explain it. */
const WHY_HISTORY = 200;

export const whyPath = (decisionId: string) => `/v1/me/decisions/${decisionId}/why`;

export function privacyRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const { store, recorder } = services;

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/me/data',
    tags: ['Customer rights'],
    summary: 'Everything held about me',
    description:
      'The logged-in customer’s profile, linked devices, touchpoints and decisions (with their reasons and traces), the bank model’s scores and other rows kept about them, and any erasures, as one JSON document streamed a page at a time.',
    security: customerSecurity,
    responses: {
      200: { description: 'The data', content: { 'application/json': { schema: CustomerDataExport } } },
      ...problemResponses(401, 403),
    },
  });
  app.get('/v1/me/data', async (c) => {
    const customerId = requireCustomer(c);
    // Decisions still buffered belong to the customer too.
    await recorder.flush();
    const { subjects, customer, devices } = await store.privacy.customerSubjects(customerId);
    const profiles = new Map((await store.privacy.profiles(subjects)).map((row) => [row.subject, row.profile]));
    const head = {
      customerId,
      exportedAt: services.now().toISOString(),
      profile: profiles.get(customer) ?? null,
      devices: devices.map((device) => ({ ...device, profile: profiles.get(`a:${device.anonymousId}`) ?? null })),
      // Which staff member erased is the bank's record, not the customer's data.
      records: await store.privacy.customerRecords(customerId),
      erasures: (await store.privacy.erasures(customerId)).map(({ erasedAt, staffId }) => ({
        erasedAt,
        byStaff: staffId !== null,
      })),
    };
    const chunks = exportChunks(head, store.privacy.touchpoints(subjects), store.privacy.decisions(subjects));
    return c.body(streamOf(chunks), 200, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
  });

  app.openAPIRegistry.registerPath({
    method: 'delete',
    path: '/v1/me',
    tags: ['Customer rights'],
    summary: 'Erase everything held about me',
    description:
      'Deletes the logged-in customer’s touchpoints, profile, decisions, leads (and their CRM events, sent or waiting) and device links in one transaction; the next decision starts from nothing. Counts per offer and day stay: they name nobody. The erasure is logged by pseudonymous id and time only.',
    security: customerSecurity,
    responses: { 204: { description: 'Erased' }, ...problemResponses(401, 403) },
  });
  app.delete('/v1/me', async (c) => {
    const customerId = requireCustomer(c);
    await recorder.flush();
    await store.privacy.eraseCustomer(customerId, { staffId: null, at: services.now() });
    return c.body(null, 204);
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/me/decisions/{decisionId}/why',
    tags: ['Customer rights'],
    summary: 'Why am I seeing this?',
    description:
      'The customer-facing explanation of one of my decisions, in its language: the reason, the journey stage, the visits that led there and how to opt out. Another customer’s decision is not found.',
    security: customerSecurity,
    request: { params: z.object({ decisionId: z.uuid() }) },
    responses: {
      200: { description: 'The explanation', content: { 'application/json': { schema: WhyExplanation } } },
      ...problemResponses(401, 403, 404),
    },
  });
  app.get('/v1/me/decisions/:decisionId/why', async (c) => {
    const customerId = requireCustomer(c);
    await recorder.flush();
    const decision = await store.decision(c.req.param('decisionId'));
    const { subjects } = await store.privacy.customerSubjects(customerId);
    // Another customer's decision is answered exactly like one that does not exist.
    if (!decision || !subjects.includes(decision.subject)) {
      throw new ProblemError(404, 'not-found', 'Not found', 'You have no decision with this id.');
    }
    const catalog = services.catalog.current();
    const productId =
      productOfDecision(decision.trace, decision.offerId) ?? catalog.offers.get(decision.offerId ?? '')?.product;
    const product = productId ? catalog.products.get(productId) : undefined;
    const history = product ? await store.privacy.touchpointsBefore(subjects, decision.createdAt, WHY_HISTORY) : [];
    const explanation = explainDecision({ decision, product, history, productOfPage: catalog.productOfPage });
    return c.json(WhyExplanation.parse(explanation), 200, { 'cache-control': 'no-store' });
  });

  app.openAPIRegistry.registerPath({
    method: 'delete',
    path: '/v1/admin/customers/{customerId}',
    tags: ['Staff'],
    summary: 'Erase a customer on their request',
    description:
      'Role admin. The same erasure as DELETE /v1/me, for a customer who asked the bank; the erasure log records the staff member who did it.',
    security: staffSecurity,
    request: { params: z.object({ customerId: CustomerId }) },
    responses: {
      200: { description: 'Erased', content: { 'application/json': { schema: StaffErasureResult } } },
      ...problemResponses(401, 403, 422),
    },
  });
  app.delete('/v1/admin/customers/:customerId', requireRole('admin'), async (c) => {
    const parsed = CustomerId.safeParse(c.req.param('customerId'));
    if (parsed.success) refusePersonalDataInIds({ '/customerId': parsed.data });
    if (!parsed.success) {
      throw new ProblemError(422, 'invalid-path', 'The customer id is invalid', 'See errors.', [
        { path: '/customerId', message: 'must be a pseudonymous customer id' },
      ]);
    }
    await recorder.flush();
    const erasedAt = services.now();
    const { deleted } = await store.privacy.eraseCustomer(parsed.data, { staffId: c.get('staff').id, at: erasedAt });
    return c.json(
      StaffErasureResult.parse({ customerId: parsed.data, erasedAt: erasedAt.toISOString(), deleted }),
      200,
      {
        'cache-control': 'no-store',
      },
    );
  });
}

function requireCustomer(c: Context<AppEnv>): string {
  const customerId = c.get('customerId');
  if (customerId === null) {
    throw new ProblemError(
      401,
      'customer-token-required',
      'Customer token required',
      'Your own data is reached with "Authorization: Bearer <customer token>".',
      undefined,
      { 'www-authenticate': 'Bearer' },
    );
  }
  return customerId;
}

/** The product of the decision's winner, as the trace recorded it when the decision was made. */
function productOfDecision(trace: unknown, offerId: string | null): string | undefined {
  if (offerId === null) return undefined;
  const candidates = (trace as { candidates?: Array<{ offerId?: unknown; product?: unknown }> } | null)?.candidates;
  const product = candidates?.find((candidate) => candidate.offerId === offerId)?.product;
  return typeof product === 'string' ? product : undefined;
}

/** The export as JSON text, the lists written as they are read. */
async function* exportChunks(
  head: Record<string, unknown>,
  touchpoints: AsyncIterable<unknown>,
  decisions: AsyncIterable<unknown>,
): AsyncGenerator<string> {
  yield JSON.stringify(head).slice(0, -1);
  for (const [name, rows] of [
    ['touchpoints', touchpoints],
    ['decisions', decisions],
  ] as const) {
    yield `,${JSON.stringify(name)}:[`;
    let first = true;
    for await (const row of rows) {
      yield `${first ? '' : ','}${JSON.stringify(row)}`;
      first = false;
    }
    yield ']';
  }
  yield '}';
}

/** A byte stream of text chunks, gathered into pieces of about 64 KB. */
function streamOf(chunks: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let piece = '';
      while (piece.length < 65_536) {
        const next = await chunks.next();
        if (next.done) {
          if (piece) controller.enqueue(encoder.encode(piece));
          controller.close();
          return;
        }
        piece += next.value;
      }
      controller.enqueue(encoder.encode(piece));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
