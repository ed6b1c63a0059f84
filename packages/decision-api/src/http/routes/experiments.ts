import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import {
  Arm,
  BehaviouralPrinciple,
  type Experiment,
  ExperimentDraft,
  ExperimentResults,
  Experiment as ExperimentSchema,
  foreignContentUrls,
  Hypothesis,
  PowerPlan,
  Slug,
  StopExperiment,
} from '../../contract/index.js';
import {
  allocateLayerRange,
  COVARIATE,
  compareExperiments,
  conclusion,
  type ExperimentStep,
  experimentRoles,
  experimentTransition,
  newExperiment,
  POOLING_METHOD,
  planPower,
  RESULTS_METHOD,
  type RegistryEntry,
  summariseResults,
} from '../../domain/experiments/experiments.js';
import { staffActor } from '../../domain/workflow.js';
import { stopForGuardrail } from '../../jobs/guardrails.js';
import { readJson } from '../body.js';
import type { AppEnv } from '../env.js';
import { fieldErrors, invalidBody, ProblemError, refused } from '../problem.js';
import type { Services } from '../services.js';
import { requireRole, type StaffMember } from '../staff-token.js';
import { problemResponses, staffSecurity } from './openapi.js';

const MAX_EXPERIMENT_BYTES = 64 * 1024;
/** The window of past traffic a power plan reads. */
export const OBSERVATION_DAYS = 28;
const DAY_MS = 86_400_000;

const PowerRequest = z
  .strictObject({
    hypothesis: Hypothesis,
    arms: z
      .array(Arm.pick({ allocation: true }).strict())
      .min(2)
      .max(5),
    maxDurationDays: z.number().int().min(1).max(180).default(56),
  })
  .openapi('PowerRequest');

const ExperimentWithPlan = z
  .object({ experiment: ExperimentSchema, plan: PowerPlan.nullable() })
  .openapi('ExperimentWithPlan');

const PooledSchema = z.object({
  estimate: z.number(),
  standardError: z.number(),
  interval: z.object({ low: z.number(), high: z.number() }),
  pValue: z.number(),
});
const RegistryComparison = z
  .object({
    experiments: z.number().int(),
    effects: z.array(
      z.object({
        experimentId: z.string(),
        name: z.string(),
        arm: z.string().openapi({ description: 'The pre-declared primary variant.' }),
        estimate: z.number(),
        standardError: z.number(),
      }),
    ),
    pooled: z
      .object({
        experiments: z.number().int(),
        fixed: PooledSchema,
        random: PooledSchema.extend({
          predictionInterval: z.object({ low: z.number(), high: z.number() }).nullable(),
        }),
        tauSquared: z.number(),
        q: z.number(),
        iSquared: z.number(),
      })
      .nullable(),
    method: z.string(),
  })
  .openapi('RegistryComparison');

const IdParam = z.object({
  id: z
    .string()
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export function experimentRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const { store } = services;
  const json = (schema: z.ZodType, description: string) => ({
    description,
    content: { 'application/json': { schema } },
  });
  const register = (
    method: 'get' | 'post',
    path: string,
    summary: string,
    responses: Record<number, unknown>,
    extra: Record<string, unknown> = {},
  ) =>
    app.openAPIRegistry.registerPath({
      method,
      path,
      tags: ['Experiments'],
      summary,
      security: staffSecurity,
      ...extra,
      responses: responses as never,
    });

  const load = async (id: string): Promise<Experiment> => {
    if (!z.string().uuid().safeParse(id).success) {
      throw invalidBody([{ path: '/id', message: 'must be an experiment id (a UUID)' }]);
    }
    const experiment = await store.experiments.get(id);
    if (!experiment) throw new ProblemError(404, 'not-found', 'Not found', `No experiment ${id}.`);
    return experiment;
  };
  const plan = async (experiment: {
    hypothesis: Experiment['hypothesis'];
    arms: ReadonlyArray<{ allocation: number }>;
    maxDurationDays: number;
  }) => {
    const since = new Date(services.now().getTime() - OBSERVATION_DAYS * DAY_MS);
    const measured = await store.experiments.audienceHistory(experiment.hypothesis, { since, days: OBSERVATION_DAYS });
    // Visitors include the global holdout, who never enter an experiment; decisions already leave it out.
    const holdout = services.config.holdout.share;
    const history =
      measured.source === 'visits' ? { ...measured, dailyNewUnits: measured.dailyNewUnits * (1 - holdout) } : measured;
    const result = planPower(experiment.hypothesis, experiment.arms, history, experiment.maxDurationDays);
    const source =
      history.source === 'decisions'
        ? `Audience measured from decisions of the last ${OBSERVATION_DAYS} days (distinct consenting customers outside the holdout).`
        : `No decisions for this audience yet: estimated from distinct customers visiting in the last ${OBSERVATION_DAYS} days${holdout > 0 ? `, less the ${Math.round(holdout * 100)} % holdout` : ''}.`;
    return { ...result, reason: `${result.reason} ${source}` };
  };
  const conflict = (detail: string) => new ProblemError(409, 'conflict', 'Conflict', detail);
  /** The experiment after a step of its lifecycle, or the problem that refuses it. */
  const step = (experiment: Experiment, taken: ExperimentStep, staff: StaffMember): Experiment => {
    const result = experimentTransition(experiment, taken, staffActor(staff), services.now());
    if ('refusal' in result) throw refused(result.refusal);
    return result.next;
  };
  const change = async (
    experiment: Experiment,
    next: Experiment,
    staffId: string,
    action: string,
    detail?: unknown,
  ): Promise<Experiment> => {
    const ok = await store.experiments.update(
      next,
      experiment.status,
      { staffId, action, detail },
      { staffId, action: `experiment.${action}` },
    );
    if (!ok) throw conflict('The experiment was changed by someone else meanwhile; read it again.');
    await services.experiments.reload();
    return next;
  };

  register(
    'post',
    '/v1/admin/experiments/power',
    'Plan the sample and duration of a hypothesis',
    {
      200: json(PowerPlan, 'The power plan'),
      ...problemResponses(400, 401, 403, 415, 422),
    },
    { request: { body: { required: true, content: { 'application/json': { schema: PowerRequest } } } } },
  );
  app.post('/v1/admin/experiments/power', requireRole('marketer', 'approver', 'viewer'), async (c) => {
    const parsed = PowerRequest.safeParse(await readJson(c, MAX_EXPERIMENT_BYTES));
    if (!parsed.success) throw invalidBody(fieldErrors(parsed.error));
    return c.json(PowerPlan.parse(await plan(parsed.data)), 200);
  });

  register(
    'post',
    '/v1/admin/experiments',
    'Write an experiment (a draft) from its hypothesis',
    {
      201: json(ExperimentWithPlan, 'The draft, with its power plan'),
      ...problemResponses(400, 401, 403, 413, 415, 422),
    },
    { request: { body: { required: true, content: { 'application/json': { schema: ExperimentDraft } } } } },
  );
  app.post('/v1/admin/experiments', requireRole('marketer'), async (c) => {
    const parsed = ExperimentDraft.safeParse(await readJson(c, MAX_EXPERIMENT_BYTES));
    if (!parsed.success) throw invalidBody(fieldErrors(parsed.error));
    const draft = parsed.data;
    const placements = services.catalog.current().placements;
    const offers = services.catalog.current().offers;
    const errors = [
      ...draft.hypothesis.audience.placements.flatMap((placement, i) =>
        placements.has(placement)
          ? []
          : [{ path: `/hypothesis/audience/placements/${i}`, message: `unknown placement "${placement}"` }],
      ),
      ...draft.arms.flatMap((arm, i) =>
        arm.offer === undefined || offers.has(arm.offer)
          ? []
          : [{ path: `/arms/${i}/offer`, message: `unknown offer "${arm.offer}"` }],
      ),
      // A variant's links obey the catalog's hosts, as the catalog's own content does.
      ...draft.arms.flatMap((arm, i) =>
        arm.content
          ? foreignContentUrls(arm.content, services.catalog.current().source.contentHosts).map(
              ({ path, message }) => ({
                path: `/arms/${i}/content/${path.join('/')}`,
                message,
              }),
            )
          : [],
      ),
    ];
    if (errors.length > 0) throw invalidBody(errors);
    const staff = c.get('staff');
    const experiment = newExperiment(draft, { id: services.newId(), salt: services.newId() }, staff.id, services.now());
    await store.experiments.insert(experiment, staff.id, { staffId: staff.id, action: 'experiment.create' });
    return c.json(ExperimentWithPlan.parse({ experiment, plan: await plan(experiment) }), 201);
  });

  register('get', '/v1/admin/experiments', 'The registry: every experiment, newest first', {
    200: json(z.object({ experiments: z.array(ExperimentSchema) }), 'Experiments'),
    ...problemResponses(401, 403),
  });
  app.get('/v1/admin/experiments', requireRole('viewer', 'marketer', 'approver'), async (c) =>
    c.json({ experiments: await store.experiments.list() }, 200, { 'cache-control': 'no-store' }),
  );

  const CompareQuery = z.object({
    principle: BehaviouralPrinciple.optional(),
    cluster: z.string().max(64).optional(),
    placement: Slug.optional(),
    product: Slug.optional(),
  });
  register(
    'get',
    '/v1/admin/experiments/compare',
    'Pool the effects of experiments by principle, cluster, placement, product',
    {
      200: json(RegistryComparison, 'Pooled effect (inverse-variance weighting)'),
      ...problemResponses(401, 403, 422),
    },
    { request: { query: CompareQuery } },
  );
  app.get('/v1/admin/experiments/compare', requireRole('viewer', 'marketer', 'approver'), async (c) => {
    const query = CompareQuery.safeParse(c.req.query());
    if (!query.success) throw invalidBody(fieldErrors(query.error, '/query'));
    const entries: RegistryEntry[] = [];
    for (const experiment of await store.experiments.list()) {
      // Conclusions only: a running experiment's interim numbers would pull the pooled effect around.
      if (experiment.status !== 'stopped') continue;
      const summary = summariseResults(experiment, await store.experiments.unitCohorts(experiment));
      const [control, ...variants] = summary.arms;
      if (!control) continue;
      entries.push({
        experiment,
        control: { exposures: control.units, conversions: control.conversions },
        variants: variants.map((arm) => ({
          arm: arm.arm,
          counts: { exposures: arm.units, conversions: arm.conversions },
        })),
      });
    }
    const result = compareExperiments(entries, {
      ...(query.data.principle ? { principle: query.data.principle } : {}),
      ...(query.data.cluster ? { cluster: query.data.cluster } : {}),
      ...(query.data.placement ? { placement: query.data.placement } : {}),
      ...(query.data.product ? { product: query.data.product } : {}),
    });
    return c.json(
      RegistryComparison.parse({
        ...result,
        method: POOLING_METHOD,
      }),
      200,
    );
  });

  register(
    'get',
    '/v1/admin/experiments/{id}',
    'One experiment, its power plan and its history',
    {
      200: json(
        ExperimentWithPlan.extend({
          events: z.array(z.object({ at: z.string(), staffId: z.string(), action: z.string(), detail: z.unknown() })),
        }),
        'The experiment',
      ),
      ...problemResponses(401, 403, 404, 422),
    },
    { request: { params: IdParam } },
  );
  app.get('/v1/admin/experiments/:id', requireRole('viewer', 'marketer', 'approver'), async (c) => {
    const experiment = await load(c.req.param('id'));
    const planned = experiment.status === 'draft' || experiment.status === 'approved' ? await plan(experiment) : null;
    return c.json({ experiment, plan: planned, events: await store.experiments.events(experiment.id) }, 200, {
      'cache-control': 'no-store',
    });
  });

  register(
    'post',
    '/v1/admin/experiments/{id}/approve',
    'Approve a draft (by someone other than its author)',
    {
      200: json(ExperimentSchema, 'Approved'),
      ...problemResponses(401, 403, 404, 409),
    },
    { request: { params: IdParam } },
  );
  app.post('/v1/admin/experiments/:id/approve', requireRole(...experimentRoles('approve')), async (c) => {
    const experiment = await load(c.req.param('id'));
    const staff = c.get('staff');
    const next = step(experiment, { action: 'approve' }, staff);
    return c.json(await change(experiment, next, staff.id, 'approve'), 200);
  });

  register(
    'post',
    '/v1/admin/experiments/{id}/start',
    'Start an approved experiment, if its audience can reach the sample',
    {
      200: json(ExperimentWithPlan, 'Running'),
      ...problemResponses(401, 403, 404, 409),
    },
    { request: { params: IdParam } },
  );
  app.post('/v1/admin/experiments/:id/start', requireRole(...experimentRoles('start')), async (c) => {
    const experiment = await load(c.req.param('id'));
    const staff = c.get('staff');
    // Only an approved experiment is planned and given a layer range: the status is judged first.
    const approved = experiment.status === 'approved';
    const planned = approved ? await plan(experiment) : { feasible: false, reason: '' };
    const taken = approved
      ? (await store.experiments.running())
          .filter((other) => other.layer === experiment.layer && other.layerRange)
          .map((other) => other.layerRange as { from: number; to: number })
      : [];
    const next = step(experiment, { action: 'start', plan: planned, layerRange: allocateLayerRange(taken) }, staff);
    return c.json(
      { experiment: await change(experiment, next, staff.id, 'start', { plan: planned }), plan: planned },
      200,
    );
  });

  register(
    'post',
    '/v1/admin/experiments/{id}/stop',
    'Stop a running experiment with the decision taken',
    {
      200: json(ExperimentSchema, 'Stopped'),
      ...problemResponses(400, 401, 403, 404, 409, 422),
    },
    {
      request: {
        params: IdParam,
        body: { required: true, content: { 'application/json': { schema: StopExperiment } } },
      },
    },
  );
  app.post('/v1/admin/experiments/:id/stop', requireRole(...experimentRoles('stop')), async (c) => {
    const parsed = StopExperiment.safeParse(await readJson(c, MAX_EXPERIMENT_BYTES));
    if (!parsed.success) throw invalidBody(fieldErrors(parsed.error));
    const experiment = await load(c.req.param('id'));
    const staff = c.get('staff');
    const next = step(experiment, { action: 'stop', decision: parsed.data.decision, note: parsed.data.note }, staff);
    return c.json(await change(experiment, next, staff.id, 'stop', parsed.data), 200);
  });

  register(
    'get',
    '/v1/admin/experiments/{id}/results',
    'Results per arm; a breached guardrail stops the experiment',
    {
      200: json(ExperimentResults, 'Results'),
      ...problemResponses(401, 403, 404, 422),
    },
    { request: { params: IdParam } },
  );
  app.get('/v1/admin/experiments/:id/results', requireRole('viewer', 'marketer', 'approver'), async (c) => {
    let experiment = await load(c.req.param('id'));
    const summary = summariseResults(experiment, await store.experiments.unitCohorts(experiment));
    if (experiment.status === 'running' && summary.guardrailBreach) {
      experiment = await stopForGuardrail(services, experiment, summary.guardrailBreach);
    }
    // The plan the experiment started with (kept with its start event), against the smallest arm so far.
    const started = (await store.experiments.events(experiment.id)).find((event) => event.action === 'start');
    const startPlan = (started?.detail as { plan?: { samplePerArm?: number; expectedDays?: number | null } } | null)
      ?.plan;
    const end = experiment.stoppedAt ? new Date(experiment.stoppedAt) : services.now();
    const progress =
      startPlan?.samplePerArm !== undefined && experiment.startedAt
        ? {
            samplePerArm: startPlan.samplePerArm,
            expectedDays: startPlan.expectedDays ?? null,
            unitsSoFar: Math.min(...summary.arms.map((arm) => arm.units)),
            daysSoFar: Math.max(0, Math.floor((end.getTime() - new Date(experiment.startedAt).getTime()) / DAY_MS)),
          }
        : null;
    return c.json(
      ExperimentResults.parse({
        experiment,
        metric: experiment.hypothesis.primaryMetric,
        unit: 'customer',
        arms: summary.arms,
        sampleRatio: summary.sampleRatio,
        cuped: summary.cuped ? { covariate: COVARIATE, ...summary.cuped } : null,
        plan: progress,
        conclusion: conclusion(summary, experiment.hypothesis.direction, progress),
        method: RESULTS_METHOD,
      }),
      200,
      { 'cache-control': 'no-store' },
    );
  });
}
