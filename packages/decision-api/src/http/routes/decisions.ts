import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  DEVELOPER_CANDIDATES,
  DecisionRequest,
  DecisionResponse,
  type DeveloperDecisionDetail,
  type OfferContent,
  Problem,
} from '../../contract/index.js';
import type { DecisionTrace } from '../../domain/decision/decide.js';
import { decidePage } from '../../domain/decision/decide-page.js';
import { EMPTY_PROFILE } from '../../domain/journeys/profile.js';
import { readJson } from '../body.js';
import type { AppEnv } from '../env.js';
import { refusePersonalData } from '../personal-data.js';
import { fieldErrors, invalidBody, ProblemError } from '../problem.js';
import type { Services } from '../services.js';
import { withinDeadline } from '../store-deadline.js';
import { problemResponses, securedBy } from './openapi.js';
import { whyPath } from './privacy.js';

const MAX_DECISION_BYTES = 16 * 1024;
const DEGRADED_TTL_SECONDS = 30;
/** The recorder writes about 5,000 records a second on the embedded store: a full backlog is gone in about 2 s. */
const RECORDS_RETRY_AFTER_SECONDS = 2;

/**
 * Shed, not served: a decision is answered only once its record is kept (the record is the bank's account of what it
 * showed whom, and what "why am I seeing this?" reads). The SDK shows its cached or default content meanwhile.
 */
const recordsBehind = () =>
  new ProblemError(
    503,
    'decisions-unrecorded',
    'Decisions cannot be recorded now',
    'The decision records are behind the store; ask again after Retry-After seconds.',
    undefined,
    { 'retry-after': String(RECORDS_RETRY_AFTER_SECONDS) },
  );

export function decisionRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/decisions',
    tags: ['Decisions'],
    summary: 'Decide the next best offer for placements on a page',
    description:
      'For each placement: a decision id, the chosen offer’s structured content (or none), the placement size, how long the SDK may cache it, and a short customer-facing reason. The full trace is kept for staff. A request with personal data in any field (an e-mail address, a phone, CPR or account number, an IBAN) is refused with 422 naming the field, never the value. When the store does not answer within its deadline the decision is generic content (as without consent), cached briefly, marked by the header X-Touchpoint-Degraded, and not kept.',
    security: securedBy,
    request: { body: { required: true, content: { 'application/json': { schema: DecisionRequest } } } },
    responses: {
      200: {
        description: 'One decision per placement asked for',
        content: { 'application/json': { schema: DecisionResponse } },
      },
      ...problemResponses(400, 401, 403, 413, 415, 422, 429),
      503: {
        description:
          'Decision records are behind the store (a decision is never served without its record); ask again after Retry-After seconds',
        content: { 'application/problem+json': { schema: Problem } },
      },
    },
  });

  app.post('/v1/decisions', async (c) => {
    const body = await readJson(c, MAX_DECISION_BYTES);
    refusePersonalData(body);
    const parsed = DecisionRequest.safeParse(body);
    if (!parsed.success) throw invalidBody(fieldErrors(parsed.error));
    const request = parsed.data;
    const siteKey = c.get('siteKey');
    if (request.context.channel !== siteKey.channel) {
      throw invalidBody([{ path: '/context/channel', message: `the site key is for the ${siteKey.channel}` }]);
    }
    if (new Set(request.placements).size !== request.placements.length) {
      throw invalidBody([{ path: '/placements', message: 'each placement at most once' }]);
    }

    // Without consent, generic content: no profile is read, nothing is linked, and the decision is not kept.
    // The same generic content when the store is away or slower than its deadline: a page never waits on it.
    const personalized = request.context.consent === 'granted';
    // Shed before any work when the records are already behind (checked again, without a wait, when recording).
    if (personalized && !services.recorder.admits(request.placements.length)) throw recordsBehind();
    const customerId = c.get('customerId');
    const generic = { subject: null, profile: EMPTY_PROFILE, degraded: false, bankScores: undefined };
    // The profile and a logged-in customer's bank-model scores: one read by key, within the deadline.
    const { subject, profile, degraded, bankScores } = personalized
      ? await withinDeadline(
          services.profileFor(customerId, request.anonymousId, { bankScores: true }),
          services.config.storeTimeouts.decisionMs,
        ).then(
          (found) => ({ ...found, degraded: false, bankScores: found.bankScores }),
          (error: unknown) => {
            if (!(error instanceof ProblemError && error.status === 503)) throw error;
            return { ...generic, degraded: true };
          },
        )
      : generic;
    const now = services.now();
    const outcomes = decidePage(services.decisionSnapshot(now), {
      profile,
      context: request.context,
      placements: request.placements,
      customerId,
      unitId: customerId ?? request.anonymousId,
      bankScores,
      now,
      // A fresh seed per request, kept in each trace: explores anew on every request, and replays exactly.
      seed: Math.floor(services.random() * 2 ** 32),
    });
    // In the same turn as the decision: the blocks it saw are spent before any other request can see them.
    services.budgets.spend(outcomes, request.context.channel, now);
    const origin = new URL(c.req.url).origin;
    const decided = outcomes.map((outcome) => ({ outcome, decisionId: services.newId() }));
    if (
      subject &&
      !services.recorder.record(
        decided.map(({ outcome, decisionId }) => ({
          id: decisionId,
          subject,
          placement: outcome.placement,
          offerId: outcome.offer?.id ?? null,
          channel: request.context.channel,
          page: request.context.page,
          locale: request.context.locale,
          reason: outcome.reason,
          trace: outcome.trace,
          createdAt: now,
        })),
      )
    )
      throw recordsBehind();
    const decisions = decided.map(({ outcome, decisionId }) => ({
      placement: outcome.placement,
      decisionId,
      offer: outcome.content ? withAbsoluteImage(outcome.content, origin) : null,
      size: outcome.size,
      // Generic content in place of a personal decision is cached briefly, so personalization returns soon.
      ttlSeconds: degraded ? Math.min(outcome.ttlSeconds, DEGRADED_TTL_SECONDS) : outcome.ttlSeconds,
      reason: outcome.reason,
      // A kept decision of a logged-in customer can be explained to them.
      ...(subject && c.get('customerId') !== null ? { why: `${origin}${whyPath(decisionId)}` } : {}),
      // Only a development key's decisions say why other offers did not win; production keys never do.
      ...(siteKey.development ? { debug: developerDetail(outcome.trace) } : {}),
    }));
    // Built to the contract's type, not parsed against its schema on every request: every field is the server's own
    // (the catalog's content and sizes were validated when the catalog was saved), and the parse of its own output
    // was a fifth of the route's JavaScript time. The API tests check the answers against the schema.
    const response: DecisionResponse = { decisions };
    return c.json(response, 200, {
      'cache-control': 'no-store',
      ...(degraded ? { 'x-touchpoint-degraded': 'store-unavailable' } : {}),
    });
  });
}

/** Offer images are served by the decision API; their catalog paths resolve against its own origin. */
export function withAbsoluteImage(content: OfferContent, origin: string): OfferContent {
  if (!content.image?.url.startsWith('/static/')) return content;
  return { ...content, image: { ...content.image, url: `${origin}${content.image.url}` } };
}

/**
 * Rules checked after the journey stage: an offer they exclude was meant for this customer's journey and was held back
 * by the contact policy or the page. These are the candidates a developer asks about ("why did the banner go?").
 */
const HELD_BACK = new Set([
  'converted',
  'dismissed',
  'offer-daily-cap',
  'offer-weekly-cap',
  'weekly-contact-cap',
  'one-credit-offer',
  'trigger-only',
  'shown-elsewhere',
]);

/**
 * The top candidates of a placement: the winner, then those held back by the contact policy or the page, then the
 * eligible ones by priority, then those the hard rules excluded; each with the rule that excluded it.
 */
export function developerDetail(trace: DecisionTrace): DeveloperDecisionDetail {
  const listed = trace.candidates.map((candidate) => {
    const excludedBy = candidate.excludedBy?.rule ?? (candidate.shownElsewhere ? 'shown-elsewhere' : null);
    const priority = candidate.score?.priority;
    const rank = candidate.offerId === trace.winner ? 0 : excludedBy === null ? 2 : HELD_BACK.has(excludedBy) ? 1 : 3;
    return { offerId: candidate.offerId, excludedBy, priority, rank };
  });
  listed.sort((a, b) => a.rank - b.rank || (b.priority ?? 0) - (a.priority ?? 0));
  return {
    candidates: listed.slice(0, DEVELOPER_CANDIDATES).map(({ offerId, excludedBy, priority }) => ({
      offerId,
      excludedBy,
      ...(priority !== undefined ? { priority: Number(priority.toPrecision(4)) } : {}),
    })),
  };
}
