import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  BankModelScore,
  LearningStatistics,
  MAX_SCORE_UPLOAD_BYTES,
  MAX_SCORES_PER_UPLOAD,
  ScoreUpload,
  ScoreUploadResult,
} from '../../contract/index.js';
import { learnedModel } from '../../domain/decision/learned-model.js';
import { describeEvidence, evidenceKey } from '../../domain/decision/learning.js';
import { readJson } from '../body.js';
import type { AppEnv } from '../env.js';
import { findPersonalDataInIds, personalDataErrors } from '../personal-data.js';
import { fieldErrors, invalidBody, ProblemError } from '../problem.js';
import type { Services } from '../services.js';
import { requireRole } from '../staff-token.js';
import { findUnstorableText } from '../stored-text.js';
import { problemResponses, staffSecurity } from './openapi.js';

/** The upload's envelope is checked first; then every score on its own, so one bad item loses nothing else. */
const Envelope = z.strictObject({
  modelName: ScoreUpload.shape.modelName,
  modelVersion: ScoreUpload.shape.modelVersion,
  scores: z.array(z.unknown()).min(1).max(MAX_SCORES_PER_UPLOAD),
});

/** What arbitration has learnt, for the console; and the bank's own model scores, uploaded by its data scientists. */
export function learningRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/admin/learning',
    tags: ['Staff'],
    summary: 'Learned propensity per cluster × offer',
    description:
      'Every behavioural cluster × offer with evidence: impressions, clicks and conversions faded to now by the catalog’s half-life, and the Beta posterior (α, β, mean) arbitration samples from. Cluster "*" pools customers without a cluster. Role viewer.',
    security: staffSecurity,
    responses: {
      200: { description: 'The statistics', content: { 'application/json': { schema: LearningStatistics } } },
      ...problemResponses(401, 403),
    },
  });
  app.get('/v1/admin/learning', requireRole('viewer'), async (c) => {
    const catalog = services.catalog.current();
    const now = services.now();
    const rows = await services.store.learnedEvidence();
    // The posteriors as decisions make them, pooled across clusters, from the statistics as stored now.
    const model = learnedModel(
      new Map(rows.map((row) => [evidenceKey(row.cluster, row.offerId), row.evidence])),
      now,
      0,
    );
    const policy = catalog.source.learning;
    const statistics = rows.flatMap(({ cluster, offerId, evidence }) => {
      const offer = catalog.offers.get(offerId);
      if (!offer) return [];
      return [
        {
          cluster,
          offerId,
          ...describeEvidence(offer, model.posterior(offer, cluster, policy), evidence, policy, now),
        },
      ];
    });
    return c.json(LearningStatistics.parse({ at: now.toISOString(), ...catalog.source.learning, statistics }), 200, {
      'cache-control': 'no-store',
    });
  });

  app.openAPIRegistry.registerPath({
    method: 'put',
    path: '/v1/admin/scores',
    tags: ['Staff'],
    summary: 'Upload the bank’s own model scores',
    description: `At most ${MAX_SCORES_PER_UPLOAD} scores (0–1) of customer × offer from the bank’s own propensity model. A decision for a customer with a score for an offer uses it as the offer’s propensity instead of the learned one, and its trace says so (source "bank-model"). A later upload replaces a customer × offer’s score. Invalid items are refused one by one with reasons (an offer the catalog does not know, a customer × offer given twice); the valid ones are stored. Role admin.`,
    security: staffSecurity,
    request: { body: { required: true, content: { 'application/json': { schema: ScoreUpload } } } },
    responses: {
      200: {
        description: 'Stored, invalid items listed',
        content: { 'application/json': { schema: ScoreUploadResult } },
      },
      ...problemResponses(400, 401, 403, 413, 415, 422),
    },
  });
  app.put('/v1/admin/scores', requireRole('admin'), async (c) => {
    const envelope = Envelope.safeParse(await readJson(c, MAX_SCORE_UPLOAD_BYTES, { itemsAt: '/scores' }));
    if (!envelope.success) throw invalidBody(fieldErrors(envelope.error));
    const { modelName, modelVersion } = envelope.data;
    const catalog = services.catalog.current();
    const valid: BankModelScore[] = [];
    const rejected: Array<{ index: number; errors: Array<{ path: string; message: string }> }> = [];
    const seen = new Map<string, number>();
    envelope.data.scores.forEach((item, index) => {
      const path = `/scores/${index}`;
      const unstorable = findUnstorableText(item, path);
      if (unstorable.length > 0) {
        rejected.push({ index, errors: unstorable });
        return;
      }
      const parsed = BankModelScore.safeParse(item);
      if (!parsed.success) {
        rejected.push({ index, errors: fieldErrors(parsed.error, path) });
        return;
      }
      const { customerId, offerId } = parsed.data;
      const pair = `${customerId}\u0000${offerId}`;
      const first = seen.get(pair);
      const personal = findPersonalDataInIds({ [`${path}/customerId`]: customerId });
      if (personal.length > 0) {
        rejected.push({ index, errors: personalDataErrors(personal) });
      } else if (!catalog.offers.has(offerId)) {
        rejected.push({ index, errors: [{ path: `${path}/offerId`, message: `unknown offer "${offerId}"` }] });
      } else if (first !== undefined) {
        rejected.push({ index, errors: [{ path, message: `customer × offer given before, at /scores/${first}` }] });
      } else {
        seen.set(pair, index);
        valid.push(parsed.data);
      }
    });
    if (valid.length === 0) {
      throw new ProblemError(
        422,
        'invalid-scores',
        'No score in the upload is valid',
        'See errors for each item.',
        rejected.flatMap((item) => item.errors),
      );
    }
    const at = services.now();
    // Audited in the upload's transaction: who uploaded which model, how many scores; no customer is named.
    const stored = await services.store.saveBankScores({ name: modelName, version: modelVersion }, valid, at, {
      at: at.toISOString(),
      staffId: c.get('staff').id,
      action: 'scores.upload',
      target: `model:${modelName}@${modelVersion}`,
      before: null,
      after: { modelName, modelVersion, sent: valid.length + rejected.length, rejected: rejected.length },
    });
    return c.json(ScoreUploadResult.parse({ stored, rejected }), 200, { 'cache-control': 'no-store' });
  });
}
