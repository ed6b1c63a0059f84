import { z } from '@hono/zod-openapi';
import { ClusterId, ContentVariant, JOURNEY_STAGES } from './catalog.js';
import { Channel, Slug } from './common.js';
import { BehaviouralPrinciple } from './principles.js';

export const PRIMARY_METRICS = ['click_through', 'conversion', 'advisor_outcome'] as const;
export const PrimaryMetric = z.enum(PRIMARY_METRICS).openapi('PrimaryMetric', {
  description:
    'click_through: clicks per viewable impression; conversion: conversions per viewable impression; advisor_outcome: sales recorded by advisors per customer exposed.',
});
export type PrimaryMetric = z.infer<typeof PrimaryMetric>;

export const GUARDRAIL_METRICS = ['dismiss_rate', 'contact_pressure'] as const;
export const GuardrailMetric = z.enum(GUARDRAIL_METRICS).openapi('GuardrailMetric', {
  description:
    'dismiss_rate: dismissals per viewable impression; contact_pressure: viewable impressions per exposed customer (how hard the arm presses).',
});
export type GuardrailMetric = z.infer<typeof GuardrailMetric>;

export const Hypothesis = z
  .strictObject({
    change: z
      .string()
      .trim()
      .min(10, 'must say what changes, in at least 10 characters')
      .max(500)
      .openapi({ example: 'Show the car-loan hero with the monthly cost of waiting instead of the monthly payment' }),
    audience: z
      .strictObject({
        placements: z.array(Slug).min(1).max(10),
        channels: z.array(Channel).max(2).default([]).openapi({ description: 'Empty means both channels.' }),
        clusters: z.array(ClusterId).max(50).default([]).openapi({ description: 'Empty means every cluster.' }),
        stages: z.array(z.enum(JOURNEY_STAGES)).max(6).default([]).openapi({ description: 'Empty means any stage.' }),
        product: Slug.nullable().default(null).openapi({ description: 'The product whose stage counts.' }),
      })
      .openapi({ description: 'Who is in the experiment: placements, channels, clusters, journey stages.' }),
    primaryMetric: PrimaryMetric,
    minimumEffect: z.number().gt(0).lt(0.5).openapi({
      description: 'The smallest absolute change of the primary metric worth detecting (0.02 = 2 points).',
    }),
    direction: z.enum(['increase', 'decrease']),
    principle: BehaviouralPrinciple,
    rationale: z
      .string()
      .trim()
      .min(20, 'must give the reasoning behind the change, in at least 20 characters')
      .max(2000),
  })
  .openapi('Hypothesis');
export type Hypothesis = z.infer<typeof Hypothesis>;

export const Guardrail = z
  .strictObject({
    metric: GuardrailMetric,
    maxIncrease: z
      .number()
      .gt(0)
      .openapi({ description: 'The largest absolute increase over control tolerated before the experiment stops.' }),
  })
  .openapi('Guardrail');
export type Guardrail = z.infer<typeof Guardrail>;

export const Arm = z
  .strictObject({
    id: Slug,
    name: z.string().trim().min(1).max(100),
    allocation: z.number().positive().max(100).openapi({ description: 'Relative weight (1 and 1 split evenly).' }),
    offer: Slug.optional().openapi({ description: 'A content variant: the offer whose content this arm changes.' }),
    content: z
      .strictObject({ da: ContentVariant, en: ContentVariant })
      .optional()
      .openapi({ description: 'The variant content, in Danish and English.' }),
    lever: z.number().positive().max(10).optional().openapi({
      description: 'A policy change: the business lever applied to the offer in this arm.',
    }),
  })
  .openapi('ExperimentArm');
export type Arm = z.infer<typeof Arm>;

export const ExperimentDraft = z
  .strictObject({
    name: z.string().trim().min(3).max(120),
    hypothesis: Hypothesis,
    guardrails: z
      .array(Guardrail)
      .max(4)
      .default([
        { metric: 'dismiss_rate', maxIncrease: 0.05 },
        { metric: 'contact_pressure', maxIncrease: 1 },
      ]),
    arms: z.array(Arm).min(2).max(5).openapi({ description: 'The first arm is control.' }),
    layer: Slug.optional().openapi({
      description:
        'Experiments in one layer never share a customer; defaults to the first placement, so two experiments on the same placement never collide.',
    }),
    maxDurationDays: z.number().int().min(1).max(180).default(56),
  })
  .superRefine((draft, ctx) => {
    const ids = new Set<string>();
    draft.arms.forEach((arm, i) => {
      if (ids.has(arm.id))
        ctx.addIssue({ code: 'custom', path: ['arms', i, 'id'], message: `duplicate arm "${arm.id}"` });
      ids.add(arm.id);
      if (i > 0 && arm.offer === undefined && arm.lever === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['arms', i],
          message: 'a variant changes something: give it an offer with content, or a lever',
        });
      }
      if (arm.content !== undefined && arm.offer === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['arms', i, 'offer'],
          message: 'variant content needs the offer it replaces',
        });
      }
    });
  })
  .openapi('ExperimentDraft');
export type ExperimentDraft = z.infer<typeof ExperimentDraft>;
export type ExperimentDraftInput = z.input<typeof ExperimentDraft>;

export const EXPERIMENT_STATUSES = ['draft', 'approved', 'running', 'stopped'] as const;
export const ExperimentStatus = z.enum(EXPERIMENT_STATUSES).openapi('ExperimentStatus');
export type ExperimentStatus = z.infer<typeof ExperimentStatus>;

export const StopExperiment = z
  .strictObject({
    decision: z.enum(['ship_variant', 'keep_control', 'inconclusive']),
    note: z.string().trim().max(2000).optional(),
  })
  .openapi('StopExperiment');

export const Interval = z.object({ low: z.number(), high: z.number() });

export const ArmResult = z
  .object({
    arm: z.string(),
    exposures: z.number().int(),
    conversions: z.number().int(),
    rate: z.number(),
    absoluteLift: z.number().nullable(),
    absoluteLiftInterval: Interval.nullable(),
    relativeLift: z.number().nullable(),
    relativeLiftInterval: Interval.nullable(),
    z: z.number().nullable(),
    pValue: z
      .number()
      .nullable()
      .openapi({ description: 'Fixed-horizon two-proportion z-test: read once, at the end.' }),
    alwaysValidPValue: z.number().nullable().openapi({
      description: 'mSPRT always-valid p-value: stays valid when read every day.',
    }),
    guardrails: z.array(
      z.object({ metric: GuardrailMetric, value: z.number(), increase: z.number().nullable(), breached: z.boolean() }),
    ),
  })
  .openapi('ArmResult');

export const PowerPlan = z
  .object({
    baseline: z.number(),
    baselineSource: z.enum(['observed', 'prior']),
    samplePerArm: z.number().int(),
    dailyAudience: z.number(),
    expectedDays: z.number().nullable(),
    maxDurationDays: z.number().int(),
    feasible: z.boolean(),
    reason: z.string(),
  })
  .openapi('PowerPlan');
export type PowerPlan = z.infer<typeof PowerPlan>;

export const Experiment = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    status: ExperimentStatus,
    hypothesis: Hypothesis,
    guardrails: z.array(Guardrail),
    arms: z.array(Arm),
    layer: z.string(),
    salt: z.string(),
    maxDurationDays: z.number().int(),
    createdBy: z.string(),
    createdAt: z.string(),
    approvedBy: z.string().nullable(),
    approvedAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    stoppedAt: z.string().nullable(),
    stopReason: z.string().nullable(),
    decision: z.string().nullable(),
    layerRange: z
      .object({ from: z.number().int(), to: z.number().int() })
      .nullable()
      .openapi({ description: 'The layer buckets the running experiment owns.' }),
  })
  .openapi('Experiment');
export type Experiment = z.infer<typeof Experiment>;

export const ExperimentResults = z
  .object({
    experiment: Experiment,
    metric: PrimaryMetric,
    arms: z.array(ArmResult),
    sampleRatio: z.object({ chiSquare: z.number(), pValue: z.number(), mismatch: z.boolean() }),
    method: z.string(),
  })
  .openapi('ExperimentResults');
export type ExperimentResults = z.infer<typeof ExperimentResults>;
