import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { AppEnv } from '../env.js';
import type { Services } from '../services.js';
import { STAFF_ROLES } from '../staff-token.js';
import { problemResponses, staffSecurity } from './openapi.js';

export const StaffMemberBody = z
  .object({
    id: z.string(),
    displayName: z.string().optional().openapi({ description: 'When the staff directory knows the member.' }),
    roles: z.array(z.enum(STAFF_ROLES)),
    branch: z.string().nullable(),
  })
  .openapi('StaffMember');

/** Who the staff token speaks for: the console shows it and hides what the roles do not allow. */
export function staffRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
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
  app.get('/v1/admin/me', (c) => {
    const staff = c.get('staff');
    const displayName = services.config.staffDirectory.find((account) => account.id === staff.id)?.displayName;
    return c.json(StaffMemberBody.parse({ ...staff, ...(displayName ? { displayName } : {}) }), 200, {
      'cache-control': 'no-store',
    });
  });
}
