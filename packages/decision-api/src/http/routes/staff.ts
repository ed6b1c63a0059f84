import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { AppEnv } from '../env.js';
import { STAFF_ROLES } from '../staff-token.js';
import { problemResponses, staffSecurity } from './openapi.js';

export const StaffMemberBody = z
  .object({
    id: z.string(),
    roles: z.array(z.enum(STAFF_ROLES)),
    branch: z.string().nullable(),
  })
  .openapi('StaffMember');

/** Who the staff token speaks for: the console shows it and hides what the roles do not allow. */
export function staffRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/admin/me',
    tags: ['Staff'],
    summary: 'The signed-in staff member and their roles',
    security: staffSecurity,
    responses: {
      200: { description: 'The staff member', content: { 'application/json': { schema: StaffMemberBody } } },
      ...problemResponses(401),
    },
  });
  app.get('/v1/admin/me', (c) => c.json(StaffMemberBody.parse(c.get('staff')), 200, { 'cache-control': 'no-store' }));
}
