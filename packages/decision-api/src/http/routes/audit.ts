import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { AppEnv } from '../env.js';
import { fieldErrors, invalidBody } from '../problem.js';
import type { Services } from '../services.js';
import { requireRole } from '../staff-token.js';
import { problemResponses, staffSecurity } from './openapi.js';

const AuditQuery = z.strictObject({
  target: z.string().min(1).max(200).optional().openapi({ example: 'experiment:6f1c…' }),
  before: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .openapi({ description: 'The `next` cursor of the page before.' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const AuditEntryBody = z
  .object({
    id: z.number().int(),
    at: z.string(),
    staffId: z.string(),
    action: z.string(),
    target: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    details: z.unknown().openapi({
      description:
        'What the change was judged on, or null: an offer approval holds the what-if report the approver read.',
    }),
  })
  .openapi('AuditEntry');

const AuditPageBody = z
  .object({
    entries: z.array(AuditEntryBody),
    next: z.number().int().nullable().openapi({ description: 'Pass as `before` for the next, older page.' }),
  })
  .openapi('AuditPage');

/** The audit log: every change made by staff, newest first; compliance reads it. */
export function auditRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/admin/audit',
    tags: ['Staff'],
    summary: 'The audit log of staff changes, newest first, by page',
    security: staffSecurity,
    request: { query: AuditQuery },
    responses: {
      200: { description: 'A page of entries', content: { 'application/json': { schema: AuditPageBody } } },
      ...problemResponses(401, 403, 422),
    },
  });
  app.get('/v1/admin/audit', requireRole('viewer', 'approver'), async (c) => {
    const query = AuditQuery.safeParse(c.req.query());
    if (!query.success) throw invalidBody(fieldErrors(query.error, '/query'));
    const page = await services.store.audit.list({
      limit: query.data.limit,
      ...(query.data.target ? { target: query.data.target } : {}),
      ...(query.data.before ? { before: query.data.before } : {}),
    });
    return c.json(AuditPageBody.parse(page), 200, { 'cache-control': 'no-store' });
  });
}
