import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  MAX_BATCH_BYTES,
  MAX_BATCH_ITEMS,
  PartnerTouchpoint,
  PartnerTouchpointBatch,
  Problem,
  TouchpointBatchResult,
} from '../../contract/index.js';
import { applyExternalTouchpoints } from '../../domain/journeys/external-touchpoints.js';
import { customerSubject, EXTERNAL_CHANNEL, type TouchpointRow } from '../../store/store.js';
import { checkItems } from '../batch-items.js';
import { readJson } from '../body.js';
import type { AppEnv } from '../env.js';
import {
  PARTNER_HEADER,
  partnerSignatures,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  TIMESTAMP_HEADER,
} from '../partner-signature.js';
import { fieldErrors, invalidBody } from '../problem.js';
import type { Services } from '../services.js';
import { withinDeadline } from '../store-deadline.js';
import { problemResponses } from './openapi.js';

/** The routes for partners' servers: signed, never behind a site key. */
export const PARTNER_PATHS = '/v1/partner/*';

const Envelope = z.strictObject({ touchpoints: z.array(z.unknown()).min(1).max(MAX_BATCH_ITEMS) });

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});

export function partnerRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.use(
    PARTNER_PATHS,
    partnerSignatures({
      partners: services.config.partners,
      now: services.now,
      maxBodyBytes: MAX_BATCH_BYTES,
      limits: services.store.limits,
      storeDeadlineMs: services.config.storeTimeouts.ingestMs,
    }),
  );

  app.openAPIRegistry.registerComponent('securitySchemes', 'partnerSignature', {
    type: 'apiKey',
    in: 'header',
    name: SIGNATURE_HEADER,
    description: `A partner's request signature, server to server: \`v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">\` under the partner's secret, with the partner id in ${PARTNER_HEADER} and the Unix time in seconds in ${TIMESTAMP_HEADER} (at most ${SIGNATURE_TOLERANCE_SECONDS} s from the API's clock). Each signature is accepted once. Site keys, customer tokens and browsers (an Origin header) are refused.`,
  });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/partner/touchpoints',
    tags: ['Partners'],
    summary: 'Report customers’ visits to external sites',
    description: `For partners’ servers (a car marketplace, a property portal). Sign the exact body: ${SIGNATURE_HEADER}: v1=hex(HMAC-SHA256(secret, timestamp + "." + body)), with ${TIMESTAMP_HEADER}: the Unix time in seconds and ${PARTNER_HEADER}: the partner id. A retry is signed afresh. Customers are named by the bank’s pseudonymous customer id. At most ${MAX_BATCH_ITEMS} touchpoints and ${MAX_BATCH_BYTES / 1024} KB; idempotent by touchpoint id; invalid items are refused one by one with reasons, the valid ones kept; an item with personal data in any field (an e-mail address, a phone, CPR or account number, an IBAN) is refused naming the field, never the value. A visit moves the product’s journey to at least its first stage.`,
    security: [{ partnerSignature: [] }],
    request: {
      headers: z.object({
        [PARTNER_HEADER]: z.string().openapi({ description: 'The partner id', example: 'car-marketplace' }),
        [TIMESTAMP_HEADER]: z.string().openapi({ description: 'Unix time in seconds', example: '1795867200' }),
        [SIGNATURE_HEADER]: z.string().openapi({ description: 'v1=<64 hex digits>' }),
      }),
      body: { required: true, content: { 'application/json': { schema: PartnerTouchpointBatch } } },
    },
    responses: {
      200: {
        description: 'Stored, duplicates acknowledged, invalid items listed',
        content: { 'application/json': { schema: TouchpointBatchResult } },
      },
      ...problemResponses(400, 413, 415, 422),
      401: problem('Unknown partner; missing, malformed, wrong or replayed signature; timestamp out of tolerance'),
      403: problem('The request came from a browser (it has an Origin header)'),
      429: problem('Too many signed requests within the tolerance window; retry after Retry-After seconds'),
      503: problem('The store is unavailable; retry after Retry-After seconds, signed afresh, with the same ids'),
    },
  });

  app.post('/v1/partner/touchpoints', async (c) => {
    const envelope = Envelope.safeParse(await readJson(c, MAX_BATCH_BYTES, { itemsAt: '/touchpoints' }));
    if (!envelope.success) throw invalidBody(fieldErrors(envelope.error));
    const catalog = services.catalog.current();
    const { valid, rejected, repeated } = checkItems(
      envelope.data.touchpoints,
      PartnerTouchpoint,
      (touchpoint, path) =>
        catalog.products.has(touchpoint.product) ? null : { path: `${path}/product`, message: 'not a catalog product' },
    );
    const partnerId = c.get('partnerId');
    const result = await withinDeadline(
      services.store.ingestForSubjects(
        valid.map((touchpoint) => ({
          subject: customerSubject(touchpoint.customerId),
          touchpoint: storedRow(touchpoint, partnerId),
        })),
        (profile, stored) => applyExternalTouchpoints(profile, stored, catalog.journeyOf),
        services.leadHook(),
      ),
      services.config.storeTimeouts.ingestMs,
    );
    return c.json(
      TouchpointBatchResult.parse({ ...result, duplicates: [...result.duplicates, ...repeated], rejected }),
    );
  });
}

/**
 * The stored row, built field by field: the SDK's Touchpoint speaks only of the bank's own channels, so an external
 * visit is stored with the external channel, the site and the reporting partner in its properties.
 */
function storedRow(touchpoint: PartnerTouchpoint, partnerId: string) {
  return {
    id: touchpoint.id,
    type: touchpoint.type,
    occurredAt: touchpoint.occurredAt,
    channel: EXTERNAL_CHANNEL,
    product: touchpoint.product,
    properties: { site: touchpoint.site, partner: partnerId },
  } satisfies TouchpointRow;
}
