import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  MAX_BATCH_BYTES,
  MAX_BATCH_ITEMS,
  Problem,
  Touchpoint,
  TouchpointBatch,
  TouchpointBatchResult,
} from '../../contract/index.js';
import { applyTouchpoints } from '../../domain/journeys/profile.js';
import { checkItems } from '../batch-items.js';
import { readJson } from '../body.js';
import type { AppEnv } from '../env.js';
import { refusePersonalData } from '../personal-data.js';
import { fieldErrors, invalidBody } from '../problem.js';
import type { Services } from '../services.js';
import { withinDeadline } from '../store-deadline.js';
import { problemResponses, securedBy } from './openapi.js';

/** The batch envelope is checked first; then every item on its own, so one bad item loses nothing else. */
const Envelope = z.strictObject({
  anonymousId: z.uuid(),
  touchpoints: z.array(z.unknown()).min(1).max(MAX_BATCH_ITEMS),
});

export function touchpointRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/touchpoints',
    tags: ['Touchpoints'],
    summary: 'Ingest a batch of touchpoints',
    description: `At most ${MAX_BATCH_ITEMS} touchpoints and ${MAX_BATCH_BYTES / 1024} KB. Idempotent by touchpoint id: a repeated id is acknowledged as a duplicate and never stored twice. Invalid items are refused one by one with reasons; the valid ones are kept. An item with personal data in any field (an e-mail address, a phone, CPR or account number, an IBAN) is refused naming the field and the kind of data, never the value, and nothing of it is stored. If no item is valid the answer is 422.`,
    security: securedBy,
    request: { body: { required: true, content: { 'application/json': { schema: TouchpointBatch } } } },
    responses: {
      200: {
        description: 'Stored, duplicates acknowledged, invalid items listed',
        content: { 'application/json': { schema: TouchpointBatchResult } },
      },
      ...problemResponses(400, 401, 403, 413, 415, 422, 429),
      503: {
        description: 'The store is unavailable; retry after Retry-After seconds with the same ids',
        content: { 'application/problem+json': { schema: Problem } },
      },
    },
  });

  app.post('/v1/touchpoints', async (c) => {
    const body = await readJson(c, MAX_BATCH_BYTES, { itemsAt: '/touchpoints' });
    const envelope = Envelope.safeParse(body);
    if (!envelope.success) {
      // Items are judged one by one below; here only the envelope's own fields.
      const isRecord = typeof body === 'object' && body !== null && !Array.isArray(body);
      refusePersonalData(isRecord ? { ...body, touchpoints: undefined } : body);
      throw invalidBody(fieldErrors(envelope.error));
    }
    const { anonymousId } = envelope.data;
    const channel = c.get('siteKey').channel;
    const { valid, rejected, repeated } = checkItems(envelope.data.touchpoints, Touchpoint, (touchpoint, path) =>
      touchpoint.channel === channel
        ? null
        : { path: `${path}/channel`, message: `the site key is for the ${channel}` },
    );

    const catalog = services.catalog.current();
    const customerId = c.get('customerId');
    const { learned = [], ...result } = await withinDeadline(
      (async () => {
        const subject = await services.subjectFor(customerId, anonymousId);
        return services.store.ingest(
          subject,
          anonymousId,
          valid,
          (profile, stored) => applyTouchpoints(profile, stored, catalog.productOfPage, catalog.journeyOf),
          { now: services.now(), halfLifeDays: catalog.source.learning.halfLifeDays },
          services.leadHook(),
        );
      })(),
      services.config.storeTimeouts.ingestMs,
    );
    services.learning.merge(learned);
    const stored = new Set(result.accepted);
    // Viewable impressions and conversions are spent from their budgets as they are stored; a failure here is logged
    // by the ledger and costs the batch nothing.
    await services.budgets
      .counted(
        valid.filter((touchpoint) => stored.has(touchpoint.id)),
        channel,
        services.now(),
      )
      .catch(() => undefined);
    return c.json(
      TouchpointBatchResult.parse({ ...result, duplicates: [...result.duplicates, ...repeated], rejected }),
    );
  });
}
