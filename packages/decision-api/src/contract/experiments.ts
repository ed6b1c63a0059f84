import { z } from '@hono/zod-openapi';
import { ClusterId, ContentVariant, JOURNEY_STAGES } from './catalog.js';
import { Channel, Slug } from './common.js';
import { BehaviouralPrinciple } from './principles.js';

export const PRIMARY_METRICS = ['click_through', 'conversion', 'advisor_outcome'] as const;
export const PrimaryMetric = z.enum(PRIMARY_METRICS).openapi('PrimaryMetric', {
  description:
    'Per exposed customer (the randomised unit): click_through: the share who clicked the offer; conversion: the share who converted; advisor_outcome: the share an advisor recorded a sale to; each within the attribution window after the customer’s first viewable impression.',
});
export type PrimaryMetric = z.infer<typeof PrimaryMetric>;

export const GUARDRAIL_METRICS = ['dismiss_rate', 'contact_pressure'] as const;
export const GuardrailMetric = z.enum(GUARDRAIL_METRICS).openapi('GuardrailMetric', {
  description:
    'dismiss_rate: the share of exposed customers who dismissed the offer; contact_pressure: viewable impressions per exposed customer (how hard the arm presses). Both per customer, the randomised unit.',
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
    // From 0.01 points up: a smaller effect needs more customers per arm than a plan can count.
    minimumEffect: z.number().gte(0.0001).lt(0.5).openapi({
      description:
        'The smallest absolute change of the primary metric worth detecting (0.02 = 2 points; at least 0.0001).',
    }),
    direction: z.enum(['increase', 'decrease']),
    attributionDays: z.number().int().min(1).max(90).default(7).openapi({
      description:
        'A customer counts as converted when the primary event comes within this many days after their first viewable impression.',
    }),
    principle: BehaviouralPrinciple,
    rationale: z
      .string()
      .trim()
      .min(20, 'must give the reasoning behind the change, in at least 20 characters')
      .max(2000),
  })
  .openapi('Hypothesis');
export type Hypothesis = z.infer<typeof Hypothesis>;

/** The non-inferiority margin a guardrail gets when none is set. */
export const DEFAULT_GUARDRAIL_MARGIN: Readonly<Record<GuardrailMetric, number>> = {
  dismiss_rate: 0.05,
  contact_pressure: 1,
};

export const Guardrail = z
  .strictObject({
    metric: GuardrailMetric,
    margin: z.number().gt(0).optional().openapi({
      description:
        'Non-inferiority margin: the largest increase over control (absolute: 0.05 = 5 points of customers dismissing; 1 = one impression more per customer) the hypothesis tolerates. A variant is shown non-inferior when the increase is significantly below it (one-sided); the experiment stops when the increase is significantly above it. Default 0.05 for dismiss_rate, 1 for contact_pressure.',
    }),
    maxIncrease: z.number().gt(0).optional().openapi({
      description: 'The margin’s former name, still read; `margin` wins when both are given.',
      deprecated: true,
    }),
  })
  .openapi('Guardrail');
export type Guardrail = z.infer<typeof Guardrail>;

export const Arm = z
  .strictObject({
    id: Slug,
    name: z.string().trim().min(1).max(100),
    // From 0.01 up, so the smallest arm's share (and the days it needs) stays a number.
    allocation: z
      .number()
      .gte(0.01)
      .max(100)
      .openapi({ description: 'Relative weight (1 and 1 split evenly), 0.01 to 100.' }),
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
        { metric: 'dismiss_rate', margin: DEFAULT_GUARDRAIL_MARGIN.dismiss_rate },
        { metric: 'contact_pressure', margin: DEFAULT_GUARDRAIL_MARGIN.contact_pressure },
      ]),
    arms: z.array(Arm).min(2).max(5).openapi({ description: 'The first arm is control.' }),
    layer: Slug.optional().openapi({
      description:
        'Experiments in one layer never share a customer; defaults to the first placement, so two experiments on the same placement never collide.',
    }),
    maxDurationDays: z.number().int().min(1).max(180).default(56),
    primaryArm: Slug.optional().openapi({
      description:
        'The variant whose comparison with control is this experiment’s pre-declared primary comparison, the one pooled across experiments. Defaults to the first variant.',
    }),
  })
  .superRefine((draft, ctx) => {
    if (draft.primaryArm !== undefined && !draft.arms.slice(1).some((arm) => arm.id === draft.primaryArm)) {
      ctx.addIssue({ code: 'custom', path: ['primaryArm'], message: 'must name one of the variants (not control)' });
    }
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

const PValue = z.number().nullable();

export const GuardrailResult = z
  .object({
    metric: GuardrailMetric,
    /** Per exposed customer. */
    value: z.number(),
    increase: z.number().nullable(),
    margin: z.number(),
    upperBound: z.number().nullable().openapi({ description: 'One-sided 95 % upper bound of the increase.' }),
    nonInferiorityPValue: PValue.openapi({
      description: 'One-sided test of H0: increase ≥ margin (fixed horizon); small means non-inferior.',
    }),
    adjustedPValue: PValue.openapi({ description: 'Holm-adjusted over every guardrail of every variant.' }),
    nonInferior: z.boolean(),
    breachPValue: PValue.openapi({
      description:
        'Always-valid one-sided test of H0: increase ≤ margin, Holm-adjusted; below 0.05 stops the experiment.',
    }),
    breached: z.boolean(),
  })
  .openapi('GuardrailResult');

export const CupedResult = z
  .object({
    lift: z.number(),
    interval: Interval,
    pValue: z.number(),
    adjustedPValue: z.number(),
    varianceReduction: z.number().openapi({
      description: 'The share of the lift’s variance the pre-exposure covariate removed (1 − adjusted/unadjusted).',
    }),
  })
  .openapi('CupedResult');

export const ArmResult = z
  .object({
    arm: z.string(),
    units: z
      .number()
      .int()
      .openapi({ description: 'Customers (or devices) exposed: at least one viewable impression.' }),
    impressions: z.number().int().openapi({ description: 'Viewable impressions of those units.' }),
    conversions: z.number().int().openapi({ description: 'Units whose primary event followed their first exposure.' }),
    rate: z.number().openapi({ description: 'conversions / units.' }),
    absoluteLift: z.number().nullable(),
    absoluteLiftInterval: Interval.nullable(),
    relativeLift: z.number().nullable(),
    relativeLiftInterval: Interval.nullable(),
    z: z.number().nullable(),
    pValue: PValue.openapi({ description: 'Fixed-horizon two-proportion z-test per unit: read once, at the end.' }),
    adjustedPValue: PValue.openapi({ description: 'The z-test’s p-value, Holm-adjusted over the variants.' }),
    alwaysValidPValue: PValue.openapi({
      description: 'mSPRT always-valid p-value per unit: stays valid when read every day.',
    }),
    adjustedAlwaysValidPValue: PValue.openapi({
      description: 'The always-valid p-value, Holm-adjusted over the variants.',
    }),
    cuped: CupedResult.nullable(),
    guardrails: z.array(GuardrailResult),
  })
  .openapi('ArmResult');

export const PowerPlan = z
  .object({
    unit: z
      .literal('customer')
      .openapi({ description: 'Samples and audiences count customers (or devices), the randomised unit.' }),
    baseline: z
      .number()
      .openapi({ description: 'Share of exposed customers converting, over the observation window.' }),
    baselineSource: z.enum(['observed', 'prior']),
    alpha: z
      .number()
      .openapi({ description: 'Per comparison: 0.05 over the variants (Bonferroni, Holm’s first step).' }),
    power: z.number(),
    test: z.literal('always-valid').openapi({ description: 'The plan is for the mSPRT that may stop the experiment.' }),
    samplePerArm: z.number().int().openapi({
      description: 'Customers in the smallest arm for the always-valid test with daily looks to reach the power.',
    }),
    fixedHorizonSamplePerArm: z.number().int().openapi({ description: 'The same for a single z-test at the end.' }),
    dailyAudience: z.number().openapi({
      description:
        'New eligible customers per day the experiment gets: distinct, consenting, outside the holdout, times its share of the layer.',
    }),
    expectedDays: z.number().nullable(),
    fixedHorizonDays: z.number().nullable(),
    maxDurationDays: z.number().int(),
    feasible: z.boolean(),
    method: z.string(),
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
    primaryArm: z.string().optional(),
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
    unit: z.literal('customer'),
    arms: z.array(ArmResult),
    sampleRatio: z.object({ chiSquare: z.number(), pValue: z.number(), mismatch: z.boolean() }).openapi({
      description: 'Units first exposed per arm against the allocation (Pearson χ², flagged at p < 0.001).',
    }),
    cuped: z
      .object({ covariate: z.string(), theta: z.number(), correlation: z.number() })
      .nullable()
      .openapi({ description: 'The pre-exposure covariate CUPED adjusted with; null when it did not vary.' }),
    plan: z
      .object({
        samplePerArm: z.number().int(),
        expectedDays: z.number().nullable(),
        unitsSoFar: z.number().int().openapi({ description: 'Units in the smallest arm so far.' }),
        daysSoFar: z.number().int(),
      })
      .nullable()
      .openapi({ description: 'The plan the experiment started with, against what it has reached.' }),
    conclusion: z.string().openapi({ description: 'What may be concluded today, in words.' }),
    method: z.string(),
  })
  .openapi('ExperimentResults');
export type ExperimentResults = z.infer<typeof ExperimentResults>;
