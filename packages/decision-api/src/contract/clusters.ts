import { z } from '@hono/zod-openapi';

/** What staff may set when they train: both optional, the defaults are the domain's. */
export const ClusterTrainingRequest = z
  .strictObject({
    k: z.number().int().min(1).max(50).optional().openapi({
      description: 'A fixed number of clusters; without it k is chosen by silhouette from 2 to 10',
      example: 6,
    }),
    minClusterSize: z.number().int().min(1).max(1_000_000).optional().openapi({
      description: 'Smallest cluster kept; smaller ones are merged into the nearest (default 100)',
      example: 100,
    }),
  })
  .openapi('ClusterTrainingRequest');
export type ClusterTrainingRequest = z.infer<typeof ClusterTrainingRequest>;

export const ClusterName = z
  .strictObject({
    name: z.string().trim().min(1).max(80).openapi({ example: 'Pension planners' }),
  })
  .openapi('ClusterName');

export const DistinguishingFeature = z
  .object({
    feature: z.string().openapi({ example: 'focus.car_loan' }),
    difference: z.number().openapi({
      description: 'The cluster’s mean minus the population’s, in population standard deviations',
    }),
  })
  .openapi('DistinguishingFeature');

export const ClusterSummary = z
  .object({
    id: z.string().openapi({ example: 'cluster-3', description: 'Stable across retraining while the cluster stays' }),
    name: z.string().nullable().openapi({ description: 'The name staff gave the cluster, if any' }),
    size: z.number().int(),
    share: z.number().openapi({ description: 'Share of the customers trained on' }),
    distinguishing: z.array(DistinguishingFeature),
    centre: z.array(z.number()).openapi({
      description:
        'The cluster’s centre in standardised units (population standard deviations from the mean, capped at ±3), one value per `featureNames` entry: the heat map of what sets the clusters apart',
    }),
  })
  .openapi('ClusterSummary');

export const ClusterProjection = z
  .object({
    axes: z
      .array(
        z.object({
          explained: z.number().openapi({ description: 'Share of the weighted spread of the centres on this axis' }),
          loadings: z
            .array(z.object({ feature: z.string(), weight: z.number() }))
            .openapi({ description: 'The features that move along the axis most' }),
        }),
      )
      .length(2),
    points: z.array(z.object({ id: z.string(), x: z.number(), y: z.number() })),
  })
  .openapi('ClusterProjection', {
    description:
      'The cluster centres on their first two principal components, each centre weighted by its size: near means alike',
  });

export const ClusterModelSummary = z
  .object({
    version: z.number().int(),
    active: z.boolean(),
    createdAt: z.string(),
    trainedBy: z.string(),
    k: z.number().int(),
    silhouette: z.number(),
    customers: z.number().int(),
    featureNames: z.array(z.string()).openapi({ description: 'The features, in the order of each `centre`' }),
    clusters: z.array(ClusterSummary).openapi({ description: 'Largest first' }),
    projection: ClusterProjection,
  })
  .openapi('ClusterModelSummary');
export type ClusterModelSummary = z.infer<typeof ClusterModelSummary>;

export const ClusterComparison = z
  .object({
    previousVersion: z.number().int(),
    adjustedRandIndex: z.number().openapi({
      description: 'How alike the old and new model group the same customers: 1 alike, about 0 no more than chance',
    }),
    customersCompared: z.number().int(),
    customersMoved: z.number().int(),
    kept: z.array(z.string()),
    added: z.array(z.string()),
    gone: z.array(z.string()),
  })
  .openapi('ClusterComparison');

export const ClusterTrainingResult = z
  .object({
    model: ClusterModelSummary,
    tried: z.array(z.object({ k: z.number().int(), clusters: z.number().int(), silhouette: z.number() })),
    comparison: ClusterComparison.nullable().openapi({ description: 'Null for the first model' }),
    behaviourBackfilled: z.number().int().openapi({
      description: 'Profiles stored before behaviour was kept that were filled in from their history',
    }),
  })
  .openapi('ClusterTrainingResult');
export type ClusterTrainingResult = z.infer<typeof ClusterTrainingResult>;
