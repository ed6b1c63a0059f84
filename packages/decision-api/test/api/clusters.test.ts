import { describe, expect, it } from 'vitest';
import { type Catalog, Catalog as CatalogSchema } from '../../src/contract/index.js';
import { generateDemoBank } from '../../src/demo/index.js';
import { seedDemoBank } from '../../src/demo/seed.js';
import type { TracedCluster } from '../../src/domain/clustering/cluster-assignment.js';
import { assignCluster, type ClusterModel } from '../../src/domain/clustering/clusters.js';
import { adjustedRandIndex } from '../../src/domain/clustering/rand-index.js';
import { compileCatalog } from '../../src/domain/decision/catalog.js';
import { featuresOfBehaviour } from '../../src/domain/journeys/behaviour.js';
import { featuresOf } from '../../src/domain/journeys/features.js';
import { behaviourOf } from '../../src/domain/journeys/profile.js';
import { customerSubject } from '../../src/store/store.js';
import {
  customerToken,
  decisionRequest,
  demoCatalog,
  engines,
  type Harness,
  NOW,
  staffToken,
  touchpointOf,
  useHarness,
} from '../support/harness.js';

interface ClusterView {
  id: string;
  name: string | null;
  size: number;
  share: number;
  distinguishing: Array<{ feature: string; difference: number }>;
}
interface ModelView {
  version: number;
  active: boolean;
  trainedBy: string;
  k: number;
  silhouette: number;
  customers: number;
  clusters: ClusterView[];
}
interface TrainingView {
  model: ModelView;
  tried: Array<{ k: number; clusters: number; silhouette: number }>;
  comparison: {
    previousVersion: number;
    adjustedRandIndex: number;
    customersCompared: number;
    customersMoved: number;
    kept: string[];
    added: string[];
    gone: string[];
  } | null;
  behaviourBackfilled: number;
}
interface Problem {
  status: number;
  detail?: string;
  errors?: Array<{ path: string; message: string }>;
}

const ADMIN = '/v1/admin/clusters';

/** A request as staff make it: the staff token only, no site key. */
function staffRequest(
  h: Harness,
  method: string,
  path: string,
  { token, body, rawBody }: { token?: string; body?: unknown; rawBody?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined || rawBody !== undefined) headers['content-type'] = 'application/json';
  return h.touchpoint.app.request(`http://touchpoint.test${path}`, {
    method,
    headers,
    ...(rawBody !== undefined ? { body: rawBody } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

async function train(h: Harness, body?: unknown, roles: Parameters<typeof staffToken>[0] = ['marketer']) {
  const response = await staffRequest(h, 'POST', `${ADMIN}/train`, {
    token: await staffToken(roles),
    ...(body !== undefined ? { body } : {}),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as TrainingView;
}

/** The stored trace of a logged-in customer's dashboard decision. */
async function decisionTrace(h: Harness, customerId: string, consent = 'granted') {
  const request = decisionRequest(['dashboard-hero']);
  const response = await h.post(
    '/v1/decisions',
    { ...request, context: { ...request.context, consent } },
    { token: await customerToken(customerId) },
  );
  expect(response.status).toBe(200);
  const [decision] = ((await response.json()) as { decisions: Array<{ decisionId: string; offer: unknown }> })
    .decisions;
  await h.touchpoint.flush();
  const stored = await h.store.decision(decision?.decisionId ?? '');
  return {
    offer: decision?.offer ?? null,
    trace: stored?.trace as { cluster: TracedCluster | null; clusterReason: string } | undefined,
  };
}

/** The demo catalog with every dashboard-hero offer for one cluster only. */
function heroOnlyFor(cluster: string): Catalog {
  const input = structuredClone(demoCatalog) as Catalog;
  for (const offer of input.offers) {
    if (offer.placements.includes('dashboard-hero')) offer.rules = { ...offer.rules, clusters: [cluster] };
  }
  return CatalogSchema.parse({ ...input, version: `${demoCatalog.version}-for-${cluster}` });
}

describe.each(engines)('behavioural clusters through the API, on $name', (engine) => {
  const h = useHarness(engine);

  it('finds the demo bank’s hidden segments, decides with them, and keeps cluster ids and names across retraining', async () => {
    const customers = 1_500;
    await seedDemoBank(h.store, { catalog: demoCatalog, now: NOW, customers });
    const bank = generateDemoBank({ now: NOW, customers });

    const first = await train(h);
    expect(first.comparison).toBeNull();
    expect(first.model).toMatchObject({ version: 1, active: true, trainedBy: 'staff-1', customers });
    expect(first.model.clusters.reduce((sum, cluster) => sum + cluster.size, 0)).toBe(customers);
    expect(first.model.clusters.map((cluster) => cluster.name)).toEqual(first.model.clusters.map(() => null));
    expect(first.behaviourBackfilled).toBe(0);

    // Each customer's cluster as a decision gets it, from the behaviour the profile keeps, against the segment the
    // generator drew them from.
    const stored = await h.store.clusterModel(1);
    const model = stored?.model as ClusterModel;
    const clusterOf = new Map<string, string>();
    for (const customer of bank.customers) {
      const profile = await h.store.profile(customerSubject(customer.id));
      const behaviour = behaviourOf(profile);
      expect(behaviour?.touchpoints).toBeGreaterThan(0);
      if (behaviour)
        clusterOf.set(customer.id, assignCluster(model, featuresOfBehaviour(behaviour, profile.productsHeld, NOW)));
    }
    const assigned = bank.customers.map((customer) => clusterOf.get(customer.id) as string);
    expect(
      adjustedRandIndex(
        bank.customers.map((customer) => customer.segment),
        assigned,
      ),
    ).toBeGreaterThanOrEqual(0.8);
    // The profile's vector is the history's: the nearest centre is the same either way.
    const someone = bank.customers[7];
    if (!someone) throw new Error('the demo bank has customers');
    const history = bank.touchpoints.filter((touchpoint) => touchpoint.customerId === someone.id);
    const profile = await h.store.profile(customerSubject(someone.id));
    expect(
      assignCluster(model, featuresOf(history, profile.productsHeld, NOW, compileCatalog(demoCatalog).productOfPage)),
    ).toBe(clusterOf.get(someone.id));

    // A decision names the customer's cluster and the model version in its trace.
    const { trace } = await decisionTrace(h, someone.id);
    expect(trace?.cluster).toEqual({ id: clusterOf.get(someone.id), modelVersion: 1 });
    expect(trace?.clusterReason).toContain('model v1');

    // Staff name a cluster; the name is kept with the model.
    const named = first.model.clusters[0] as ClusterView;
    const put = await staffRequest(h, 'PUT', `${ADMIN}/1/${named.id}/name`, {
      token: await staffToken(['marketer']),
      body: { name: '  Quiet savers ' },
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as ModelView).clusters[0]?.name).toBe('Quiet savers');

    // Retrained on the same customers, every cluster stays where it was: same ids, same name, the same grouping.
    const second = await train(h, {}, ['admin']);
    expect(second.model.version).toBe(2);
    expect(second.model.clusters.map((cluster) => cluster.id).sort()).toEqual(
      first.model.clusters.map((cluster) => cluster.id).sort(),
    );
    expect(second.comparison).toMatchObject({ previousVersion: 1, customersCompared: customers, added: [], gone: [] });
    expect(second.comparison?.kept.sort()).toEqual(first.model.clusters.map((cluster) => cluster.id).sort());
    expect(second.comparison?.adjustedRandIndex).toBeGreaterThanOrEqual(0.99);
    const active = (await (
      await staffRequest(h, 'GET', ADMIN, { token: await staffToken(['viewer']) })
    ).json()) as ModelView;
    expect(active.version).toBe(2);
    expect(active.clusters.find((cluster) => cluster.id === named.id)?.name).toBe('Quiet savers');
    const old = (await (
      await staffRequest(h, 'GET', `${ADMIN}/1`, { token: await staffToken(['viewer']) })
    ).json()) as ModelView;
    expect(old).toMatchObject({ version: 1, active: false });
    expect((await decisionTrace(h, someone.id)).trace?.cluster).toEqual({
      id: clusterOf.get(someone.id),
      modelVersion: 2,
    });
  }, 240_000);

  it('gives a customer who opted out of profiling no cluster, so no offer targeted at their cluster', async () => {
    await seedDemoBank(h.store, { catalog: demoCatalog, now: NOW, customers: 300 });
    const { customers } = generateDemoBank({ now: NOW, customers: 300 });
    await train(h, { minClusterSize: 20 });
    const customer = customers[3]?.id as string;
    const consented = await decisionTrace(h, customer);
    const cluster = consented.trace?.cluster?.id as string;
    expect(cluster).toMatch(/^cluster-\d+$/);

    await h.touchpoint.catalog.publish(heroOnlyFor(cluster));
    expect((await decisionTrace(h, customer)).offer).not.toBeNull();
    for (const consent of ['denied', 'pending']) {
      const before = (await h.rowCounts()).decisions;
      const optedOut = await decisionTrace(h, customer, consent);
      expect(optedOut.offer).toBeNull();
      expect(optedOut.trace).toBeUndefined();
      expect((await h.rowCounts()).decisions).toBe(before);
    }
  }, 120_000);

  it('assigns an anonymous visitor with a history of their own; a newcomer gets none, and the trace says why', async () => {
    await seedDemoBank(h.store, { catalog: demoCatalog, now: NOW, customers: 300 });
    const anonymousTrace = async (anonymousId: string) => {
      const response = await h.post('/v1/decisions', decisionRequest(['dashboard-hero'], '/dashboard', anonymousId));
      const [decision] = ((await response.json()) as { decisions: Array<{ decisionId: string }> }).decisions;
      await h.touchpoint.flush();
      return (await h.store.decision(decision?.decisionId ?? ''))?.trace as {
        cluster: TracedCluster | null;
        clusterReason: string;
      };
    };
    const visitor = crypto.randomUUID();
    const touchpoints = [
      touchpointOf('product_view', { product: 'pension', page: '/pension' }),
      touchpointOf('calculator_used', { product: 'pension', page: '/pension' }),
    ];
    expect((await h.post('/v1/touchpoints', { anonymousId: visitor, touchpoints })).status).toBe(200);

    expect(await anonymousTrace(visitor)).toMatchObject({
      cluster: null,
      clusterReason: 'no cluster model has been trained yet',
    });
    const { model } = await train(h, { k: 4, minClusterSize: 10 });
    expect(model.k).toBeLessThanOrEqual(4);
    const seen = await anonymousTrace(visitor);
    expect(model.clusters.map((cluster) => cluster.id)).toContain(seen.cluster?.id);
    expect(seen.cluster?.modelVersion).toBe(1);
    expect(await anonymousTrace(crypto.randomUUID())).toMatchObject({
      cluster: null,
      clusterReason: expect.stringContaining('no touchpoints'),
    });
  }, 120_000);

  it('fills in the behaviour of profiles stored before it was kept when it trains', async () => {
    await seedDemoBank(h.store, { catalog: demoCatalog, now: NOW, customers: 200 });
    const { customers } = generateDemoBank({ now: NOW, customers: 200 });
    const subject = customerSubject(customers[0]?.id as string);
    const { behaviour, ...old } = await h.store.profile(subject);
    await h.store.putProfiles([{ subject, profile: old }]);
    expect((await decisionTrace(h, customers[0]?.id as string)).trace?.clusterReason).toBe(
      'no cluster model has been trained yet',
    );

    const trained = await train(h, { minClusterSize: 20 });
    expect(trained.behaviourBackfilled).toBe(1);
    expect((await h.store.profile(subject)).behaviour).toEqual(behaviour);
    expect((await decisionTrace(h, customers[0]?.id as string)).trace?.cluster?.modelVersion).toBe(1);
  }, 120_000);

  it('lets only marketers and admins train and name, viewers read, and nobody without a staff token', async () => {
    await seedDemoBank(h.store, { catalog: demoCatalog, now: NOW, customers: 200 });
    const viewer = await staffToken(['viewer']);
    const refused = await staffRequest(h, 'POST', `${ADMIN}/train`, { token: viewer });
    expect(refused.status).toBe(403);
    expect(await h.store.activeClusterModel()).toBeNull();
    expect((await staffRequest(h, 'POST', `${ADMIN}/train`, { token: await customerToken('c-1') })).status).toBe(401);
    expect((await staffRequest(h, 'POST', `${ADMIN}/train`)).status).toBe(401);
    expect((await staffRequest(h, 'GET', ADMIN, { token: await customerToken('c-1') })).status).toBe(401);
    expect((await staffRequest(h, 'GET', ADMIN, { token: await staffToken(['advisor']) })).status).toBe(403);

    const { model } = await train(h, { minClusterSize: 20 });
    expect((await staffRequest(h, 'GET', ADMIN, { token: viewer })).status).toBe(200);
    const name = (token: string) =>
      staffRequest(h, 'PUT', `${ADMIN}/1/${model.clusters[0]?.id}/name`, { token, body: { name: 'Browsers' } });
    expect((await name(viewer)).status).toBe(403);
    expect((await name(await staffToken(['admin']))).status).toBe(200);
  }, 120_000);

  it('gives each centre and a 2-D projection of the centres, and writes training and naming to the audit log', async () => {
    await seedDemoBank(h.store, { catalog: demoCatalog, now: NOW, customers: 200 });
    const { model } = (await train(h, { k: 3, minClusterSize: 20 })) as unknown as {
      model: Omit<ModelView, 'clusters'> & {
        featureNames: string[];
        clusters: Array<ClusterView & { centre: number[] }>;
        projection: { axes: Array<{ explained: number }>; points: Array<{ id: string; x: number; y: number }> };
      };
    };
    const stored = await h.store.clusterModel(model.version);
    expect(model.featureNames).toEqual(stored?.model.featureNames);
    expect(model.clusters.map((c) => c.centre)).toEqual(stored?.model.clusters.map((c) => c.centroid));
    expect(model.projection.points.map((p) => p.id)).toEqual(model.clusters.map((c) => c.id));
    const explained = model.projection.axes.map((a) => a.explained);
    expect(explained[0]).toBeGreaterThanOrEqual(explained[1] as number);
    // Three centres lie in a plane: the two axes show all of their spread.
    expect((explained[0] as number) + (explained[1] as number)).toBeCloseTo(1, 6);

    const clusterId = model.clusters[1]?.id as string;
    const named = await staffRequest(h, 'PUT', `${ADMIN}/${model.version}/${clusterId}/name`, {
      token: await staffToken(['marketer'], { id: 'm.namer' }),
      body: { name: 'Pension planners' },
    });
    expect(named.status).toBe(200);
    const { entries } = await h.store.audit.list({ limit: 10 });
    expect(entries.map((e) => [e.action, e.target, e.staffId])).toEqual([
      ['cluster.name', `cluster:v${model.version}/${clusterId}`, 'm.namer'],
      ['cluster.train', `cluster-model:v${model.version}`, 'staff-1'],
    ]);
    expect(entries[0]).toMatchObject({ before: { name: null }, after: { name: 'Pension planners' } });
  }, 120_000);

  it('refuses bad bodies naming the field, and training with no customers with a clear conflict', async () => {
    const marketer = await staffToken(['marketer']);
    const empty = await staffRequest(h, 'POST', `${ADMIN}/train`, { token: marketer });
    expect(empty.status).toBe(409);
    expect(empty.headers.get('content-type')).toContain('application/problem+json');
    expect(((await empty.json()) as Problem).detail).toMatch(/no customers with touchpoints/);
    expect((await staffRequest(h, 'GET', ADMIN, { token: marketer })).status).toBe(404);

    const problemOf = async (body: unknown) => {
      const response = await staffRequest(h, 'POST', `${ADMIN}/train`, { token: marketer, body });
      expect(response.status).toBe(422);
      return ((await response.json()) as Problem).errors?.map((error) => error.path);
    };
    expect(await problemOf({ k: 0 })).toEqual(['/k']);
    expect(await problemOf({ k: 2.5, minClusterSize: 'big' })).toEqual(['/k', '/minClusterSize']);
    expect(await problemOf({ minClusterSize: -1 })).toEqual(['/minClusterSize']);
    expect(await problemOf({ clusters: 5 })).toEqual(['/clusters']);
    expect(await problemOf([])).toEqual(['']);
    const malformed = await staffRequest(h, 'POST', `${ADMIN}/train`, { token: marketer, rawBody: '{"k":' });
    expect(malformed.status).toBe(400);

    await h.post(
      '/v1/touchpoints',
      {
        anonymousId: crypto.randomUUID(),
        touchpoints: [touchpointOf('page_view', { page: '/dashboard' })],
      },
      { token: await customerToken('c-1') },
    );
    expect(await problemOf({ k: 3 })).toEqual(['/k']);
    expect(await h.store.activeClusterModel()).toBeNull();

    const { model } = await train(h, {});
    expect(model.k).toBe(1);
    for (const path of [`${ADMIN}/2`, `${ADMIN}/abc`, `${ADMIN}/0`]) {
      expect((await staffRequest(h, 'GET', path, { token: marketer })).status).toBe(404);
    }
    const put = (path: string, body: unknown) => staffRequest(h, 'PUT', path, { token: marketer, body });
    expect((await put(`${ADMIN}/1/cluster-99/name`, { name: 'x' })).status).toBe(404);
    expect((await put(`${ADMIN}/7/cluster-1/name`, { name: 'x' })).status).toBe(404);
    const blank = await put(`${ADMIN}/1/cluster-1/name`, { name: '   ' });
    expect(blank.status).toBe(422);
    expect(((await blank.json()) as Problem).errors?.map((error) => error.path)).toEqual(['/name']);
    expect((await put(`${ADMIN}/1/cluster-1/name`, { name: 'x'.repeat(81) })).status).toBe(422);
  });

  it('lists the cluster routes in the OpenAPI document under Clusters', async () => {
    const document = (await (await h.get('/openapi.json', { key: null })).json()) as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    expect(document.paths['/v1/admin/clusters/train']?.post?.tags).toEqual(['Clusters']);
    expect(document.paths['/v1/admin/clusters']?.get?.tags).toEqual(['Clusters']);
    expect(document.paths['/v1/admin/clusters/{version}']?.get?.tags).toEqual(['Clusters']);
    expect(document.paths['/v1/admin/clusters/{version}/{clusterId}/name']?.put?.tags).toEqual(['Clusters']);
  });
});
