import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  JOURNEY_STAGES,
  PreviewInputs,
  PreviewRequest,
  PreviewResponse,
  type SyntheticProfile,
} from '../../contract/index.js';
import type { ClusterAssignment } from '../../domain/clustering/cluster-assignment.js';
import { decidePage } from '../../domain/decision/decide-page.js';
import { type CustomerProfile, EMPTY_PROFILE } from '../../domain/journeys/profile.js';
import { customerSubject } from '../../store/store.js';
import { readJson } from '../body.js';
import type { AppEnv } from '../env.js';
import { fieldErrors, invalidBody, ProblemError } from '../problem.js';
import type { Services } from '../services.js';
import { requireRole } from '../staff-token.js';
import { withAbsoluteImage } from './decisions.js';
import { problemResponses, staffSecurity } from './openapi.js';

const MAX_PREVIEW_BYTES = 16 * 1024;
/** Experiments bucket a synthetic profile by this id: the same profile always lands in the same arm. */
const SYNTHETIC_UNIT = 'preview-synthetic-profile';

/**
 * The preview: what a decision would be for a real customer or a composed profile, with the whole trace. It runs the
 * decisions route's own composition, without its writes (no decision kept, no impression, no cap counted, nothing
 * learnt) and without exploration (each learned propensity is its posterior mean), so the same input gives the same
 * answer.
 */
export function previewRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/admin/preview/inputs',
    tags: ['Preview'],
    summary: 'What a preview can be asked about',
    description:
      'Role viewer, marketer, approver or admin. The current catalog’s placements (with sizes) and products, the journey stages, and the active cluster model’s clusters with their names.',
    security: staffSecurity,
    responses: {
      200: { description: 'The inputs', content: { 'application/json': { schema: PreviewInputs } } },
      ...problemResponses(401, 403),
    },
  });
  app.get('/v1/admin/preview/inputs', requireRole('viewer', 'marketer', 'approver'), (c) => {
    const catalog = services.catalog.current();
    const active = services.clusters.current();
    const body = PreviewInputs.parse({
      catalogVersion: catalog.version,
      placements: [...catalog.placements.values()].map(({ id, name, channels, size }) => ({
        id,
        name,
        channels,
        size,
      })),
      products: [...catalog.products.values()].map((product) => ({ id: product.id, name: product.name.en })),
      stages: JOURNEY_STAGES,
      clusters: (active?.model.clusters ?? []).map((cluster) => ({
        id: cluster.id,
        name: active?.names[cluster.id] ?? null,
      })),
      clusterModelVersion: active?.model.version ?? null,
    });
    return c.json(body, 200, { 'cache-control': 'no-store' });
  });

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/admin/preview',
    tags: ['Preview'],
    summary: 'Preview the decision for a real customer or a synthetic profile, with its trace',
    description:
      'Role viewer, marketer, approver or admin. Give `customerId` (a real customer’s pseudonymous id: their stored profile is read; 404 when the store has none) or `profile` (a synthetic one: products held, stage per product, cluster, attributes), the context and the placements. Each placement gets the decision as POST /v1/decisions composes it (the offer’s content, size and reason) and the full trace. Nothing is written: no decision is kept, no impression or contact-cap count, nothing is learnt, and propensities are posterior means (no exploration), so the same input gives the same answer.',
    security: staffSecurity,
    request: { body: { required: true, content: { 'application/json': { schema: PreviewRequest } } } },
    responses: {
      200: {
        description: 'One preview per placement asked for',
        content: { 'application/json': { schema: PreviewResponse } },
      },
      ...problemResponses(400, 401, 403, 404, 413, 415, 422),
    },
  });

  app.post('/v1/admin/preview', requireRole('viewer', 'marketer', 'approver'), async (c) => {
    const parsed = PreviewRequest.safeParse(await readJson(c, MAX_PREVIEW_BYTES));
    if (!parsed.success) throw invalidBody(fieldErrors(parsed.error));
    const request = parsed.data;
    if (new Set(request.placements).size !== request.placements.length) {
      throw invalidBody([{ path: '/placements', message: 'each placement at most once' }]);
    }
    const now = request.at ? new Date(request.at) : services.now();
    const personalized = request.context.consent === 'granted';

    let profile: CustomerProfile = EMPTY_PROFILE;
    let bankScores: Awaited<ReturnType<Services['store']['bankScores']>> | undefined;
    let clusterAssignment: ClusterAssignment | undefined;
    if (request.customerId !== undefined) {
      // Read only: the decisions route would also link the customer's device here, which a preview must not.
      const stored = await services.store.storedProfile(customerSubject(request.customerId));
      if (!stored) {
        throw new ProblemError(404, 'not-found', 'Not found', `No customer ${request.customerId} is known.`);
      }
      // Without consent, as on the decisions route: no profile is read.
      if (personalized) {
        profile = stored;
        bankScores = await services.store.bankScores(request.customerId);
      }
    } else if (request.profile) {
      profile = syntheticProfile(request.profile, services, now);
      clusterAssignment = chosenCluster(request.profile, services);
    }

    const outcomes = decidePage(services.decisionSnapshot(now, { preview: true }), {
      profile,
      context: request.context,
      placements: request.placements,
      customerId: request.customerId ?? null,
      unitId: request.customerId ?? SYNTHETIC_UNIT,
      bankScores,
      now,
      ...(clusterAssignment ? { clusterAssignment } : {}),
    });
    const origin = new URL(c.req.url).origin;
    const body = PreviewResponse.parse({
      subject:
        request.customerId !== undefined ? { kind: 'customer', customerId: request.customerId } : { kind: 'synthetic' },
      at: now.toISOString(),
      previews: outcomes.map((outcome) => ({
        placement: outcome.placement,
        offer: outcome.content ? withAbsoluteImage(outcome.content, origin) : null,
        size: outcome.size,
        ttlSeconds: outcome.ttlSeconds,
        reason: outcome.reason,
        trace: outcome.trace,
      })),
    });
    return c.json(body, 200, { 'cache-control': 'no-store' });
  });
}

/**
 * A profile as staff compose it: each journey at its stage as of the preview's moment (so nothing has faded), the
 * products held and the bank's attributes. Products must be the catalog's, so a typo does not pass unnoticed.
 */
function syntheticProfile(input: SyntheticProfile, services: Services, now: Date): CustomerProfile {
  const { products } = services.catalog.current();
  const unknown = [
    ...input.productsHeld.flatMap((product, i) =>
      products.has(product) ? [] : [{ path: `/profile/productsHeld/${i}`, message: `no product ${product}` }],
    ),
    ...Object.keys(input.stages).flatMap((product) =>
      products.has(product) ? [] : [{ path: `/profile/stages/${product}`, message: `no product ${product}` }],
    ),
  ];
  if (unknown.length > 0) throw invalidBody(unknown);
  const at = now.toISOString();
  return {
    ...EMPTY_PROFILE,
    productsHeld: [...new Set(input.productsHeld)],
    journeys: Object.fromEntries(
      Object.entries(input.stages).map(([product, stage]) => [product, { stage, lastAt: at }]),
    ),
    ...(input.attributes ? { attributes: input.attributes } : {}),
  };
}

/** The cluster staff chose: one of the active model's, traced with that model's version. */
function chosenCluster(input: SyntheticProfile, services: Services): ClusterAssignment | undefined {
  if (input.cluster === undefined) return undefined;
  if (input.cluster === null) return { cluster: null, reason: 'no cluster, as chosen in the preview' };
  const model = services.clusters.current()?.model;
  if (!model) throw invalidBody([{ path: '/profile/cluster', message: 'no cluster model has been trained yet' }]);
  if (!model.clusters.some((cluster) => cluster.id === input.cluster)) {
    throw invalidBody([
      { path: '/profile/cluster', message: `model v${model.version} has no cluster ${input.cluster}` },
    ]);
  }
  return {
    cluster: { id: input.cluster, modelVersion: model.version },
    reason: `${input.cluster} of model v${model.version}, as chosen in the preview`,
  };
}
