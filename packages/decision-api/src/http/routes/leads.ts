import type { OpenAPIHono } from '@hono/zod-openapi';
import { LeadList, LeadListQuery } from '../../contract/index.js';
import type { AppEnv } from '../env.js';
import { fieldErrors, ProblemError } from '../problem.js';
import type { Services } from '../services.js';
import { requireRole } from '../staff-token.js';
import { problemResponses, staffSecurity } from './openapi.js';

/** Bad query parameters name the parameter, as bad bodies name the field. */
export const invalidQuery = (errors: { path: string; message: string }[]) =>
  new ProblemError(422, 'invalid-query', 'The query is invalid', 'See errors for each parameter.', errors);

export function parseQuery<T>(
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } },
  query: Record<string, string>,
): T {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw invalidQuery(fieldErrors(parsed.error));
  return parsed.data;
}

const encodeCursor = (after: { score: number; customerId: string; product: string }) =>
  btoa(JSON.stringify([after.score, after.customerId, after.product]))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

function decodeCursor(cursor: string): { score: number; customerId: string; product: string } {
  try {
    const [score, customerId, product] = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/')));
    if (typeof score === 'number' && typeof customerId === 'string' && typeof product === 'string') {
      return { score, customerId, product };
    }
  } catch {}
  throw invalidQuery([{ path: '/cursor', message: 'not a cursor this API gave' }]);
}

export function leadRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/admin/leads',
    tags: ['Leads'],
    summary: 'Qualified leads, best score first',
    description:
      'A lead is a customer’s interest in a product, scored on ingest from the journey stage, how recently the customer was active on it and how many touchpoints it had: score = stage weight × recency × (0.7 + 0.3 × engagement), in [0, 1]. At or over the catalog’s `leads.qualifyAt` (default 0.6) the lead is qualified and, when a CRM is configured, sent to it. Keyset-paged: pass `nextCursor` back as `cursor`. Roles: viewer or advisor.',
    security: staffSecurity,
    request: { query: LeadListQuery },
    responses: {
      200: { description: 'A page of qualified leads', content: { 'application/json': { schema: LeadList } } },
      ...problemResponses(401, 403, 422),
    },
  });

  app.get('/v1/admin/leads', requireRole('viewer', 'advisor'), async (c) => {
    const query = parseQuery(LeadListQuery, c.req.query());
    const catalog = services.catalog.current();
    if (query.product !== undefined && !catalog.products.has(query.product)) {
      throw invalidQuery([{ path: '/product', message: 'not a catalog product' }]);
    }
    const page = await services.store.leads({
      limit: query.limit,
      ...(query.product !== undefined ? { product: query.product } : {}),
      ...(query.minScore !== undefined ? { minScore: query.minScore } : {}),
      ...(query.cursor !== undefined ? { after: decodeCursor(query.cursor) } : {}),
    });
    return c.json(
      LeadList.parse({
        leads: page.leads.map((lead) => ({
          customerId: lead.customerId,
          product: lead.product,
          score: lead.score,
          stage: lead.stage,
          reason: lead.reason[query.locale],
          branch: lead.branch,
          lastActivityAt: lead.lastActivityAt,
          qualifiedAt: lead.qualifiedAt,
        })),
        nextCursor: page.next ? encodeCursor(page.next) : null,
      }),
      200,
      { 'cache-control': 'no-store' },
    );
  });
}
