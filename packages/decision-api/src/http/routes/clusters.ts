import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import {
  ClusterModelSummary,
  ClusterName,
  ClusterTrainingRequest,
  ClusterTrainingResult,
} from '../../contract/clusters.js';
import { projectPoints } from '../../domain/clustering/projection.js';
import { ClusterTrainingRefused, trainAndActivateClusters } from '../../jobs/cluster-training.js';
import type { StoredClusterModel } from '../../store/clusters.js';
import { auditChange } from '../audit.js';
import { readBody, readJson } from '../body.js';
import type { AppEnv } from '../env.js';
import { fieldErrors, invalidBody, ProblemError } from '../problem.js';
import type { Services } from '../services.js';
import { requireRole } from '../staff-token.js';
import { problemResponses, staffSecurity } from './openapi.js';

const MAX_BODY_BYTES = 4 * 1024;
const VersionParam = z.object({ version: z.string().openapi({ example: '2' }) });
const ClusterParams = VersionParam.extend({ clusterId: z.string().openapi({ example: 'cluster-3' }) });

/** Behavioural clusters for staff: train a new model, read the active one or any version, name clusters. */
export function clusterRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const json = (schema: z.ZodType, description: string) => ({
    description,
    content: { 'application/json': { schema } },
  });

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/admin/clusters/train',
    tags: ['Clusters'],
    summary: 'Train a new cluster model on the stored customers and make it the active one',
    description:
      'Role marketer or admin. Clusters that stay where they were keep their ids and names. With a previous model, the answer compares the two on the same customers. Written to the audit log.',
    security: staffSecurity,
    request: { body: { required: false, content: { 'application/json': { schema: ClusterTrainingRequest } } } },
    responses: {
      201: json(ClusterTrainingResult, 'The new, active model'),
      ...problemResponses(400, 401, 403, 409, 413, 415, 422),
    },
  });
  app.post('/v1/admin/clusters/train', requireRole('marketer'), async (c) => {
    // The body is optional: an empty one trains with the defaults.
    const empty = (await readBody(c, MAX_BODY_BYTES)).byteLength === 0;
    const parsed = ClusterTrainingRequest.safeParse(empty ? {} : await readJson(c, MAX_BODY_BYTES));
    if (!parsed.success) throw invalidBody(fieldErrors(parsed.error));
    try {
      const training = await trainAndActivateClusters(services.store, {
        now: services.now(),
        trainedBy: c.get('staff').id,
        ...parsed.data,
      });
      await services.clusters.reload();
      await auditChange(services, c, {
        action: 'cluster.train',
        target: `cluster-model:v${training.stored.model.version}`,
        before: training.comparison ? { version: training.comparison.previousVersion } : null,
        after: {
          version: training.stored.model.version,
          k: training.stored.model.k,
          customers: training.stored.model.customers,
          comparison: training.comparison,
        },
      });
      return c.json(
        ClusterTrainingResult.parse({
          model: summaryOf(training.stored),
          tried: training.tried,
          comparison: training.comparison,
          behaviourBackfilled: training.behaviourBackfilled,
        }),
        201,
        { 'cache-control': 'no-store' },
      );
    } catch (error) {
      if (!(error instanceof ClusterTrainingRefused)) throw error;
      const detail = error.message.replace(/^\[touchpoint\] /, '');
      if (error.field) throw invalidBody([{ path: `/${error.field}`, message: detail }]);
      throw new ProblemError(409, 'cluster-training-refused', 'Clusters cannot be trained', detail);
    }
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/admin/clusters',
    tags: ['Clusters'],
    summary: 'The active cluster model',
    description: 'Role viewer, marketer or admin. 404 before the first training.',
    security: staffSecurity,
    responses: { 200: json(ClusterModelSummary, 'The active model'), ...problemResponses(401, 403, 404) },
  });
  app.get('/v1/admin/clusters', requireRole('viewer', 'marketer'), (c) => {
    const active = services.clusters.current();
    if (!active) {
      throw new ProblemError(404, 'no-cluster-model', 'No cluster model', 'No cluster model has been trained yet.');
    }
    return c.json(ClusterModelSummary.parse(summaryOf(active)), 200, { 'cache-control': 'no-store' });
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/admin/clusters/{version}',
    tags: ['Clusters'],
    summary: 'One cluster model version, active or not',
    description: 'Role viewer, marketer or admin.',
    security: staffSecurity,
    request: { params: VersionParam },
    responses: { 200: json(ClusterModelSummary, 'The model'), ...problemResponses(401, 403, 404) },
  });
  app.get('/v1/admin/clusters/:version', requireRole('viewer', 'marketer'), async (c) => {
    const stored = await storedModel(services, c.req.param('version'));
    return c.json(ClusterModelSummary.parse(summaryOf(stored)), 200, { 'cache-control': 'no-store' });
  });

  app.openAPIRegistry.registerPath({
    method: 'put',
    path: '/v1/admin/clusters/{version}/{clusterId}/name',
    tags: ['Clusters'],
    summary: 'Name a cluster of a model',
    description:
      'Role marketer or admin. The name is kept with the model and carried to the next model while the cluster keeps its id. Written to the audit log.',
    security: staffSecurity,
    request: {
      params: ClusterParams,
      body: { required: true, content: { 'application/json': { schema: ClusterName } } },
    },
    responses: {
      200: json(ClusterModelSummary, 'The model with the name'),
      ...problemResponses(400, 401, 403, 404, 413, 415, 422),
    },
  });
  app.put('/v1/admin/clusters/:version/:clusterId/name', requireRole('marketer'), async (c) => {
    // The body first: a malformed request is refused as such, whatever it names.
    const parsed = ClusterName.safeParse(await readJson(c, MAX_BODY_BYTES));
    if (!parsed.success) throw invalidBody(fieldErrors(parsed.error));
    const stored = await storedModel(services, c.req.param('version'));
    const clusterId = c.req.param('clusterId');
    if (!stored.model.clusters.some((cluster) => cluster.id === clusterId)) {
      throw new ProblemError(
        404,
        'not-found',
        'Not found',
        `Cluster model v${stored.model.version} has no cluster ${clusterId}.`,
      );
    }
    const named = await services.store.nameCluster(stored.model.version, clusterId, parsed.data.name);
    if (!named) throw new Error(`[touchpoint] cluster model v${stored.model.version} went missing`);
    await auditChange(services, c, {
      action: 'cluster.name',
      target: `cluster:v${stored.model.version}/${clusterId}`,
      before: { name: stored.names[clusterId] ?? null },
      after: { name: parsed.data.name },
    });
    if (named.active) await services.clusters.reload();
    return c.json(ClusterModelSummary.parse(summaryOf(named)), 200, { 'cache-control': 'no-store' });
  });
}

async function storedModel(services: Services, versionParam: string): Promise<StoredClusterModel> {
  const version = /^[1-9][0-9]{0,8}$/.test(versionParam) ? Number(versionParam) : null;
  const stored = version === null ? null : await services.store.clusterModel(version);
  if (!stored) {
    throw new ProblemError(404, 'not-found', 'Not found', `No cluster model version ${versionParam}.`);
  }
  return stored;
}

function summaryOf({ model, names, trainedBy, active }: StoredClusterModel): ClusterModelSummary {
  return {
    version: model.version,
    active,
    createdAt: model.createdAt,
    trainedBy,
    k: model.k,
    silhouette: model.silhouette,
    customers: model.customers,
    featureNames: [...model.featureNames],
    clusters: model.clusters.map(({ id, size, share, distinguishing, centroid }) => ({
      id,
      name: names[id] ?? null,
      size,
      share,
      distinguishing: [...distinguishing],
      centre: [...centroid],
    })),
    projection: projectionOf(model),
  };
}

/** The centres' 2-D picture, each weighted by its cluster's size. */
function projectionOf(model: StoredClusterModel['model']): ClusterModelSummary['projection'] {
  const { axes, points } = projectPoints(
    model.clusters.map((cluster) => ({ id: cluster.id, vector: cluster.centroid, weight: cluster.size })),
    model.featureNames,
  );
  return {
    axes: axes.map(({ explained, loadings }) => ({ explained, loadings: [...loadings] })),
    points: [...points],
  };
}
