import type { Experiment, ExperimentDraft, StaffRole } from '../../contract/index.js';
import { type Actor, type Refusal, type Transition, transitionOf, whoMay } from '../workflow.js';

type Status = Experiment['status'];
export type ExperimentAction = 'approve' | 'start' | 'stop' | 'guardrail-stop';

/** The lifecycle: which status may follow which, on which action, and who may take it. */
export const EXPERIMENT_TRANSITIONS: readonly Transition<Status, ExperimentAction, StaffRole | 'system'>[] = [
  { from: 'draft', action: 'approve', to: 'approved', who: ['approver'] },
  { from: 'approved', action: 'start', to: 'running', who: ['marketer', 'approver'] },
  { from: 'running', action: 'stop', to: 'stopped', who: ['marketer', 'approver'] },
  // A breached guardrail stops the experiment: done by the system, whoever was looking.
  { from: 'running', action: 'guardrail-stop', to: 'stopped', who: ['system'] },
];

/** What each action brings with it, read or decided by the caller. */
export type ExperimentStep =
  | { readonly action: 'approve' }
  | {
      readonly action: 'start';
      /** Whether the audience can reach the sample, by the power plan. */
      readonly plan: { readonly feasible: boolean; readonly reason: string };
      /** The layer's buckets free for it; null when the layer is full. */
      readonly layerRange: Experiment['layerRange'];
    }
  | { readonly action: 'stop'; readonly decision: Experiment['decision']; readonly note: string | undefined }
  | { readonly action: 'guardrail-stop'; readonly breach: string };

const WRONG_STATUS: Record<ExperimentAction, (status: Status) => string> = {
  approve: (status) => `Only a draft is approved; this experiment is ${status}.`,
  start: (status) => `Only an approved experiment starts; this one is ${status}.`,
  stop: (status) => `Only a running experiment stops; this one is ${status}.`,
  'guardrail-stop': (status) => `Only a running experiment stops; this one is ${status}.`,
};

/**
 * The experiment after the step, or why it may not be taken: the status the table requires, four eyes (the approver
 * is never the person who wrote the experiment), and, to start, an audience that can reach the sample and a layer
 * with room left.
 */
export function experimentTransition(
  experiment: Experiment,
  step: ExperimentStep,
  actor: Actor,
  now: Date,
): { readonly next: Experiment } | { readonly refusal: Refusal } {
  const found = transitionOf(
    EXPERIMENT_TRANSITIONS,
    experiment.status,
    step.action,
    actor.roles,
    WRONG_STATUS[step.action],
  );
  if ('refusal' in found) return found;
  const at = now.toISOString();
  const status = found.to;
  switch (step.action) {
    case 'approve':
      if (experiment.createdBy === actor.id) {
        return {
          refusal: {
            kind: 'four-eyes',
            message: 'An experiment is approved by a different staff member than the one who created it (four eyes).',
          },
        };
      }
      return { next: { ...experiment, status, approvedBy: actor.id, approvedAt: at } };
    case 'start':
      if (!step.plan.feasible) return { refusal: { kind: 'underpowered', message: step.plan.reason } };
      if (!step.layerRange) {
        return {
          refusal: {
            kind: 'layer-full',
            message: `The layer "${experiment.layer}" is full: two experiments already run there. Stop one, or use another layer.`,
          },
        };
      }
      return { next: { ...experiment, status, startedAt: at, layerRange: step.layerRange } };
    case 'stop':
      return {
        next: {
          ...experiment,
          status,
          stoppedAt: at,
          stopReason: step.note ?? 'stopped by staff',
          decision: step.decision,
        },
      };
    case 'guardrail-stop':
      return { next: { ...experiment, status, stoppedAt: at, stopReason: step.breach, decision: 'keep_control' } };
  }
}

/** The staff roles that may take the action (the route's role check). */
export function experimentRoles(action: ExperimentAction): StaffRole[] {
  return whoMay(EXPERIMENT_TRANSITIONS, action).filter((who): who is StaffRole => who !== 'system');
}

/** A new experiment from a validated draft. */
export function newExperiment(
  draft: ExperimentDraft,
  ids: { id: string; salt: string },
  createdBy: string,
  now: Date,
): Experiment {
  return {
    id: ids.id,
    name: draft.name,
    status: 'draft',
    hypothesis: draft.hypothesis,
    guardrails: draft.guardrails,
    arms: draft.arms,
    layer: draft.layer ?? (draft.hypothesis.audience.placements[0] as string),
    salt: ids.salt,
    maxDurationDays: draft.maxDurationDays,
    createdBy,
    createdAt: now.toISOString(),
    approvedBy: null,
    approvedAt: null,
    startedAt: null,
    stoppedAt: null,
    stopReason: null,
    decision: null,
    layerRange: null,
  };
}
