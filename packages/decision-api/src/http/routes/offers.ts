import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  Catalog,
  type CatalogOutline,
  type Offer,
  OfferDetail,
  OfferDraftEdit,
  OfferDraftRequest,
  OfferDraftStep,
  OfferList,
  OfferReviewRequest,
  OfferRollbackRequest,
  type OfferSummary,
  OfferVersion,
  Slug,
} from '../../contract/index.js';
import {
  catalogErrors,
  catalogVersionName,
  newVersion,
  type OfferState,
  offerState,
  withOffer,
} from '../../domain/decision/offer-versions.js';
import { type OfferStep, offerRoles, offerTransition } from '../../domain/decision/offer-workflow.js';
import { SYSTEM, staffActor } from '../../domain/workflow.js';
import { type OfferChange, OfferConflict } from '../../store/offers.js';
import { auditChange } from '../audit.js';
import { readJson } from '../body.js';
import type { AppEnv } from '../env.js';
import { fieldErrors, invalidBody, ProblemError, refused } from '../problem.js';
import type { Services } from '../services.js';
import { requireRole, type StaffMember } from '../staff-token.js';
import { problemResponses, staffSecurity } from './openapi.js';
import { whatIfReport } from './what-if.js';

const MAX_OFFER_BYTES = 64 * 1024;

/**
 * The what-if report stored with an approval is computed on this many customers (the screen's default is 2000): the
 * approval waits for it, and shares and the fairness table by band are still read on hundreds of customers.
 */
export const APPROVAL_WHAT_IF = { sample: 500, days: 28 } as const;

const IdParam = z.object({ id: Slug.openapi({ param: { name: 'id', in: 'path' }, example: 'car-loan-price' }) });
const VersionParams = IdParam.extend({
  version: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'version', in: 'path' }, example: 2 }),
});

const READERS = ['viewer', 'marketer', 'approver'] as const;

/**
 * Offers and their content, changed by four eyes: a marketer writes a draft and submits it, an approver who did not
 * write it approves, an approver publishes it into a new catalog version, which decisions use at once. Every version
 * is kept; a rollback brings an earlier one back as a new draft that goes through the same approval.
 */
export function offerRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const { store } = services;
  const json = (schema: z.ZodType, description: string) => ({
    description,
    content: { 'application/json': { schema } },
  });
  const body = (schema: z.ZodType) => ({
    body: { required: true, content: { 'application/json': { schema } } },
  });
  const register = (
    method: 'get' | 'post' | 'put',
    path: string,
    summary: string,
    responses: Record<number, unknown>,
    request: Record<string, unknown>,
  ) =>
    app.openAPIRegistry.registerPath({
      method,
      path,
      tags: ['Offers'],
      summary,
      security: staffSecurity,
      request,
      responses: responses as never,
    });

  const conflict = (detail: string) => new ProblemError(409, 'conflict', 'Conflict', detail);
  const notFound = (detail: string) => new ProblemError(404, 'not-found', 'Not found', detail);
  const now = () => services.now().toISOString();

  const outline = (): CatalogOutline => {
    const { source } = services.catalog.current();
    return {
      version: source.version,
      products: source.products.map(({ id, name }) => ({ id, name })),
      placements: source.placements,
      contentHosts: source.contentHosts,
    };
  };

  const parseBody = async <T>(c: Context<AppEnv>, schema: z.ZodType<T>): Promise<T> => {
    const parsed = schema.safeParse(await readJson(c, MAX_OFFER_BYTES));
    if (!parsed.success) throw invalidBody(fieldErrors(parsed.error));
    return parsed.data;
  };
  const params = (c: Context<AppEnv>) => {
    const id = c.req.param('id') ?? '';
    if (!Slug.safeParse(id).success) throw notFound(`No offer "${id}".`);
    const version = Number(c.req.param('version'));
    return { id, version };
  };

  /**
   * Runs a change of one offer in one transaction, against the newest stored catalog (not this process's copy, which
   * another instance may have outdated), with whatever the history lacks stored first.
   */
  const change = async <T>(
    id: string,
    fn: (state: OfferState, catalog: Catalog, tx: OfferChange) => Promise<T>,
  ): Promise<T> => {
    try {
      return await store.offers.change(id, async (tx) => {
        const catalog = Catalog.parse(await tx.lockedCatalog());
        const state = offerState(id, tx.versions, catalog.offers.find((o) => o.id === id) ?? null, now());
        if (state.pending) {
          if (state.pending.retire) await tx.replace(state.pending.retire);
          await tx.insert(state.pending.baseline);
        }
        return fn(state, catalog, tx);
      });
    } catch (error) {
      if (error instanceof OfferConflict) {
        throw conflict('Someone else changed this offer at the same moment; read it again.');
      }
      throw error;
    }
  };

  /** The open draft named by the path, at the revision the request saw. */
  const openDraft = (state: OfferState, id: string, version: number, revision: number): OfferVersion => {
    const draft = state.versions.find((v) => v.version === version);
    if (!draft) throw notFound(`No version ${version} of offer "${id}".`);
    if (draft !== state.draft)
      throw conflict(`Version ${version} of "${id}" is ${draft.status}, not a draft under way.`);
    if (draft.revision !== revision) {
      throw conflict(
        `Version ${version} of "${id}" was edited meanwhile (revision ${draft.revision}, you saw ${revision}); read it again.`,
      );
    }
    return draft;
  };

  /** The version after a step of its way to live, or the problem that refuses it. */
  const transition = (version: OfferVersion, taken: OfferStep, actor = SYSTEM, at = services.now()): OfferVersion => {
    const result = offerTransition(version, taken, actor, at);
    if ('refusal' in result) throw refused(result.refusal);
    return result.next;
  };

  const validate = (catalog: Catalog, offer: Offer, prefix: string) => {
    const errors = catalogErrors(withOffer(catalog, offer), offer.id, prefix);
    if (errors.length > 0) throw invalidBody(errors);
  };

  const stale = (id: string, saw: number | null, live: number | null) =>
    conflict(
      live === null
        ? `"${id}" is not live, so there is no version to change from (you sent ${saw}).`
        : `The live version of "${id}" is ${live}, not ${saw ?? 'none'}: someone published a change meanwhile; read it again.`,
    );

  // ——— Reading ———

  register(
    'get',
    '/v1/admin/offers',
    'Every offer: its live version and any change under way',
    { 200: json(OfferList, 'Offers'), ...problemResponses(401, 403) },
    {},
  );
  app.get('/v1/admin/offers', requireRole(...READERS), async (c) => {
    const catalog = services.catalog.current();
    const byOffer = new Map<string, OfferVersion[]>();
    for (const version of await store.offers.current()) {
      byOffer.set(version.offerId, [...(byOffer.get(version.offerId) ?? []), version]);
    }
    const ids = [...catalog.offers.keys(), ...[...byOffer.keys()].filter((id) => !catalog.offers.has(id)).sort()];
    const offers: OfferSummary[] = ids.map((id) => {
      const state = offerState(id, byOffer.get(id) ?? [], catalog.offers.get(id) ?? null, now());
      const shown = state.live ?? state.draft?.offer;
      return {
        id,
        product: shown?.product ?? null,
        headline: shown?.content.en.headline ?? id,
        liveVersion: state.liveVersion,
        draft: state.draft
          ? {
              version: state.draft.version,
              status: state.draft.status,
              revision: state.draft.revision,
              authors: state.draft.authors,
              kind: state.draft.kind,
            }
          : null,
      };
    });
    return c.json(OfferList.parse({ offers, catalog: outline() }), 200, { 'cache-control': 'no-store' });
  });

  register(
    'get',
    '/v1/admin/offers/{id}',
    'One offer: live, the change under way, and every version',
    { 200: json(OfferDetail, 'The offer'), ...problemResponses(401, 403, 404) },
    { params: IdParam },
  );
  app.get('/v1/admin/offers/:id', requireRole(...READERS), async (c) => {
    const { id } = params(c);
    const inCatalog = services.catalog.current().offers.get(id) ?? null;
    const stored = await store.offers.history(id);
    if (!inCatalog && stored.length === 0) throw notFound(`No offer "${id}".`);
    const state = offerState(id, stored, inCatalog, now());
    return c.json(
      OfferDetail.parse({
        id,
        live: state.live,
        liveVersion: state.liveVersion,
        draft: state.draft,
        versions: state.versions,
        catalog: outline(),
      }),
      200,
      { 'cache-control': 'no-store' },
    );
  });

  // ——— Writing a draft ———

  register(
    'post',
    '/v1/admin/offers/{id}/drafts',
    'Write a draft: a new offer, or a change of the live one',
    { 201: json(OfferVersion, 'The draft'), ...problemResponses(400, 401, 403, 409, 413, 415, 422) },
    { params: IdParam, ...body(OfferDraftRequest) },
  );
  app.post('/v1/admin/offers/:id/drafts', requireRole('marketer'), async (c) => {
    const request = await parseBody(c, OfferDraftRequest);
    const { id } = params(c);
    if (request.offer.id !== id) {
      throw invalidBody([{ path: '/offer/id', message: `must be the offer of the path, "${id}"` }]);
    }
    const staff = c.get('staff');
    const draft = await change(id, async (state, catalog, tx) => {
      if (state.draft) {
        throw conflict(
          `Version ${state.draft.version} of "${id}" is already under way (${state.draft.status}): edit that draft instead.`,
        );
      }
      if (request.baseVersion !== state.liveVersion) throw stale(id, request.baseVersion, state.liveVersion);
      validate(catalog, request.offer, '/offer');
      const next = newVersion(
        id,
        (state.versions[0]?.version ?? 0) + 1,
        state.live ? 'edit' : 'new',
        request.offer,
        staff.id,
        now(),
        { baseVersion: state.liveVersion },
      );
      await tx.insert(next);
      await auditChange(
        services,
        c,
        { action: 'offer.draft', target: `offer:${id}`, before: state.liveRecord, after: next },
        tx.client,
      );
      return next;
    });
    return c.json(OfferVersion.parse(draft), 201);
  });

  register(
    'put',
    '/v1/admin/offers/{id}/drafts/{version}',
    'Edit the draft under way; an edit needs approval again',
    { 200: json(OfferVersion, 'The draft'), ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422) },
    { params: VersionParams, ...body(OfferDraftEdit) },
  );
  app.put('/v1/admin/offers/:id/drafts/:version', requireRole(...offerRoles('edit')), async (c) => {
    const request = await parseBody(c, OfferDraftEdit);
    const { id, version } = params(c);
    if (request.offer.id !== id) {
      throw invalidBody([{ path: '/offer/id', message: `must be the offer of the path, "${id}"` }]);
    }
    const staff = c.get('staff');
    const edited = await change(id, async (state, catalog, tx) => {
      const draft = openDraft(state, id, version, request.revision);
      validate(catalog, request.offer, '/offer');
      const next = transition(draft, { action: 'edit', offer: request.offer }, staffActor(staff));
      await tx.replace(next);
      await auditChange(
        services,
        c,
        { action: 'offer.edit', target: `offer:${id}`, before: draft, after: next },
        tx.client,
      );
      return next;
    });
    return c.json(OfferVersion.parse(edited), 200);
  });

  /** A step of the draft's way to live: from one status to the next, checked and audited. */
  const step = <R extends { revision: number }>(
    name: 'submit' | 'approve' | 'publish' | 'reject' | 'send-back',
    apply: (
      draft: OfferVersion,
      ctx: { state: OfferState; catalog: Catalog; tx: OfferChange; staff: StaffMember; request: R },
    ) => Promise<OfferVersion>,
    options: {
      readonly schema?: z.ZodType<R>;
      /** What the step is judged on, read before its transaction and kept in its audit entry. */
      readonly details?: (id: string, version: number) => Promise<unknown>;
    } = {},
  ) =>
    async function offerStep(c: Context<AppEnv>) {
      const request = await parseBody(c, options.schema ?? (OfferDraftStep as unknown as z.ZodType<R>));
      const { id, version } = params(c);
      const staff = c.get('staff');
      const details = options.details ? await options.details(id, version) : undefined;
      const result = await change(id, async (state, catalog, tx) => {
        const draft = openDraft(state, id, version, request.revision);
        const next = await apply(draft, { state, catalog, tx, staff, request });
        if (name !== 'publish') await tx.replace(next);
        await auditChange(
          services,
          c,
          {
            action: `offer.${name}`,
            target: `offer:${id}`,
            before: name === 'publish' ? state.liveRecord : draft,
            after: next,
            ...(details === undefined ? {} : { details }),
          },
          tx.client,
        );
        return next;
      });
      // Decisions use the new catalog from the next request on.
      if (name === 'publish') await services.catalog.reload();
      return c.json(OfferVersion.parse(result), 200);
    };

  const stepDoc = (path: string, summary: string, statuses: number[]) =>
    register(
      'post',
      path,
      summary,
      { 200: json(OfferVersion, 'The version after the step'), ...problemResponses(400, 401, 403, 404, ...statuses) },
      { params: VersionParams, ...body(OfferDraftStep) },
    );

  stepDoc('/v1/admin/offers/{id}/drafts/{version}/submit', 'Submit a draft for approval', [409, 413, 415, 422]);
  app.post(
    '/v1/admin/offers/:id/drafts/:version/submit',
    requireRole(...offerRoles('submit')),
    step('submit', async (draft, { staff }) => transition(draft, { action: 'submit' }, staffActor(staff))),
  );

  stepDoc(
    '/v1/admin/offers/{id}/drafts/{version}/approve',
    `Approve a submitted draft (by someone who did not write it: four eyes); its what-if report (${APPROVAL_WHAT_IF.sample} customers, ${APPROVAL_WHAT_IF.days} days of decisions) is kept in the approval's audit entry`,
    [409, 413, 415, 422],
  );
  app.post(
    '/v1/admin/offers/:id/drafts/:version/approve',
    requireRole(...offerRoles('approve')),
    step('approve', async (draft, { staff }) => transition(draft, { action: 'approve' }, staffActor(staff)), {
      details: async (id, version) => ({ whatIf: await whatIfReport(services, id, version, APPROVAL_WHAT_IF) }),
    }),
  );

  const reviewDoc = (path: string, summary: string) =>
    register(
      'post',
      path,
      summary,
      {
        200: json(OfferVersion, 'The version after the review, its comment in reviews'),
        ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422),
      },
      { params: VersionParams, ...body(OfferReviewRequest) },
    );
  for (const [action, summary] of [
    ['reject', 'Reject a submitted draft with a comment: the version is closed (by someone who did not write it)'],
    ['send-back', 'Send a submitted draft back to its authors with a comment: it is a draft again'],
  ] as const) {
    reviewDoc(`/v1/admin/offers/{id}/drafts/{version}/${action}`, summary);
    app.post(
      `/v1/admin/offers/:id/drafts/:version/${action}`,
      requireRole(...offerRoles(action)),
      step<OfferReviewRequest>(
        action,
        async (draft, { staff, request }) => transition(draft, { action, comment: request.comment }, staffActor(staff)),
        { schema: OfferReviewRequest },
      ),
    );
  }

  stepDoc(
    '/v1/admin/offers/{id}/drafts/{version}/publish',
    'Publish an approved version: a new catalog version, which decisions use at once',
    [409, 413, 415, 422],
  );
  app.post(
    '/v1/admin/offers/:id/drafts/:version/publish',
    requireRole(...offerRoles('publish')),
    step('publish', async (draft, { state, catalog, tx, staff }) => {
      const at = services.now();
      const name = catalogVersionName(draft.offerId, draft.version, at);
      // The status first: only an approved version is judged against the catalog.
      const next = transition(draft, { action: 'publish', catalogVersion: name }, staffActor(staff), at);
      if (draft.baseVersion !== state.liveVersion) throw stale(draft.offerId, draft.baseVersion, state.liveVersion);
      // The catalog may have changed since the draft was approved (another offer, a placement removed): judged again.
      const candidate = withOffer(catalog, draft.offer, name);
      const errors = catalogErrors(candidate, draft.offerId, '/offer');
      if (errors.length > 0) throw invalidBody(errors);
      await tx.insertCatalog(Catalog.parse(candidate));
      if (state.liveRecord) await tx.replace(transition(state.liveRecord, { action: 'retire' }, SYSTEM, at));
      await tx.replace(next);
      return next;
    }),
  );

  // ——— Rolling back ———

  register(
    'post',
    '/v1/admin/offers/{id}/rollback',
    'Bring an earlier version back, as a draft that needs approval like any change',
    { 201: json(OfferVersion, 'The rollback draft'), ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422) },
    { params: IdParam, ...body(OfferRollbackRequest) },
  );
  app.post('/v1/admin/offers/:id/rollback', requireRole('marketer', 'approver'), async (c) => {
    const request = await parseBody(c, OfferRollbackRequest);
    const { id } = params(c);
    const staff = c.get('staff');
    const draft = await change(id, async (state, catalog, tx) => {
      if (state.versions.length === 0) throw notFound(`No offer "${id}".`);
      if (state.draft) {
        throw conflict(`Version ${state.draft.version} of "${id}" is already under way (${state.draft.status}).`);
      }
      if (request.baseVersion !== state.liveVersion) throw stale(id, request.baseVersion, state.liveVersion);
      const target = state.versions.find((v) => v.version === request.toVersion);
      if (!target) throw invalidBody([{ path: '/toVersion', message: `"${id}" has no version ${request.toVersion}` }]);
      if (target.version === state.liveVersion) {
        throw invalidBody([{ path: '/toVersion', message: `version ${target.version} is the live version` }]);
      }
      validate(catalog, target.offer, '/toVersion/offer');
      const next = newVersion(id, (state.versions[0]?.version ?? 0) + 1, 'rollback', target.offer, staff.id, now(), {
        baseVersion: state.liveVersion,
        rollbackOf: target.version,
      });
      await tx.insert(next);
      await auditChange(
        services,
        c,
        { action: 'offer.rollback', target: `offer:${id}`, before: state.liveRecord, after: next },
        tx.client,
      );
      return next;
    });
    return c.json(OfferVersion.parse(draft), 201);
  });
}
