import type { OpenAPIHono } from '@hono/zod-openapi';
import { PlacementList } from '../../contract/index.js';
import type { AppEnv } from '../env.js';
import type { Services } from '../services.js';
import { problemResponses, securedBy } from './openapi.js';

export function placementRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/placements',
    tags: ['Decisions'],
    summary: 'The placements of the site key’s channel with their sizes',
    security: securedBy,
    responses: {
      200: { description: 'Placements', content: { 'application/json': { schema: PlacementList } } },
      ...problemResponses(401, 403, 429),
    },
  });

  app.get('/v1/placements', (c) => {
    const channel = c.get('siteKey').channel;
    const placements = [...services.catalog.current().placements.values()]
      .filter((placement) => placement.channels.includes(channel))
      .map(({ id, name, channels, size }) => ({ id, name, channels, size }));
    return c.json(PlacementList.parse({ placements }), 200, { 'cache-control': 'public, max-age=300' });
  });
}
