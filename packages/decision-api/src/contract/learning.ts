import { z } from '@hono/zod-openapi';
import { CustomerId, ProblemFieldError, Slug } from './common.js';

export const MAX_SCORES_PER_UPLOAD = 10_000;
export const MAX_SCORE_UPLOAD_BYTES = 2 * 1024 * 1024;

export const BankModelScore = z
  .strictObject({
    customerId: CustomerId,
    offerId: Slug,
    score: z
      .number()
      .min(0)
      .max(1)
      .openapi({ description: 'The model’s chance that the customer converts on the offer.' }),
  })
  .openapi('BankModelScore');
export type BankModelScore = z.infer<typeof BankModelScore>;

const ModelLabel = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be 1–64 letters, digits, _ . : or -');

export const ScoreUpload = z
  .strictObject({
    modelName: ModelLabel.openapi({ example: 'mortgage-propensity' }),
    modelVersion: ModelLabel.openapi({ example: '2026.11' }),
    scores: z.array(BankModelScore).min(1).max(MAX_SCORES_PER_UPLOAD),
  })
  .openapi('ScoreUpload');
export type ScoreUpload = z.infer<typeof ScoreUpload>;

export const RejectedScore = z
  .object({ index: z.number().int(), errors: z.array(ProblemFieldError) })
  .openapi('RejectedScore');

export const ScoreUploadResult = z
  .object({
    stored: z
      .number()
      .int()
      .openapi({ description: 'Scores stored; each replaces an earlier one for its customer × offer.' }),
    rejected: z
      .array(RejectedScore)
      .openapi({ description: 'Invalid items with their reasons; the rest were stored.' }),
  })
  .openapi('ScoreUploadResult');
export type ScoreUploadResult = z.infer<typeof ScoreUploadResult>;

export const OfferLearning = z
  .object({
    cluster: z.string().openapi({ description: 'The behavioural cluster, or "*" for customers without one.' }),
    offerId: Slug,
    impressions: z.number().openapi({ description: 'Impressions, faded by the half-life to now.' }),
    clicks: z.number(),
    conversions: z.number(),
    prior: z.number().openapi({ description: 'The offer’s journey-stage prior.' }),
    pooledMean: z.number().openapi({
      description:
        'The prior of this cluster’s rate: the offer’s rate in the other clusters, with the journey-stage prior worth priorStrength impressions added.',
    }),
    pooledStrength: z.number().openapi({
      description:
        'How many impressions the pooled rate is worth to one cluster: fitted per offer to how much the clusters agree (empirical Bayes).',
    }),
    alpha: z.number(),
    beta: z.number(),
    mean: z.number().openapi({
      description:
        'The posterior mean conversion rate decisions use: α / (α + β), α = pooledMean × pooledStrength + conversions.',
    }),
    updatedAt: z.iso.datetime(),
  })
  .openapi('OfferLearning');

export const LearningStatistics = z
  .object({
    at: z.iso.datetime(),
    halfLifeDays: z.number(),
    priorStrength: z.number(),
    statistics: z.array(OfferLearning),
  })
  .openapi('LearningStatistics');
export type LearningStatistics = z.infer<typeof LearningStatistics>;
