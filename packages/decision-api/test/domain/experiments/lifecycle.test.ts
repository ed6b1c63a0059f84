import { describe, expect, it } from 'vitest';
import { type Experiment, ExperimentDraft } from '../../../src/contract/index.js';
import {
  EXPERIMENT_TRANSITIONS,
  type ExperimentStep,
  experimentRoles,
  experimentTransition,
  newExperiment,
} from '../../../src/domain/experiments/lifecycle.js';
import { SYSTEM, staffActor } from '../../../src/domain/workflow.js';

const NOW = new Date('2026-11-02T09:00:00.000Z');
const DRAFT = {
  name: 'Loss framing on the car-loan hero',
  hypothesis: {
    change: 'Say what waiting costs per month instead of what the loan costs per month',
    audience: { placements: ['dashboard-hero'], product: 'car_loan', stages: ['compare'] },
    primaryMetric: 'click_through',
    minimumEffect: 0.02,
    direction: 'increase',
    principle: 'loss_aversion',
    rationale: 'Customers weigh a loss about twice as much as an equal gain (Kahneman & Tversky).',
  },
  arms: [
    { id: 'control', name: 'Today’s hero', allocation: 1 },
    { id: 'loss', name: 'Cost of waiting', allocation: 1, offer: 'car-loan-calculator', lever: 1.2 },
  ],
};
const draft = newExperiment(ExperimentDraft.parse(DRAFT), { id: crypto.randomUUID(), salt: 's' }, 'm.hansen', NOW);
const marketer = staffActor({ id: 'm.hansen', roles: ['marketer'] });
const approver = staffActor({ id: 'k.larsen', roles: ['approver'] });
const feasible = { feasible: true, reason: 'reachable in 9 days' };
const start: ExperimentStep = { action: 'start', plan: feasible, layerRange: { from: 0, to: 0.5 } };
const stop: ExperimentStep = { action: 'stop', decision: 'ship_variant', note: undefined };

function after(experiment: Experiment, step: ExperimentStep, actor = approver): Experiment {
  const result = experimentTransition(experiment, step, actor, NOW);
  if ('refusal' in result) throw new Error(result.refusal.message);
  return result.next;
}

describe('the experiment lifecycle', () => {
  it('goes draft → approved → running → stopped, each step stamped with who and when', () => {
    const approved = after(draft, { action: 'approve' });
    expect(approved).toMatchObject({ status: 'approved', approvedBy: 'k.larsen', approvedAt: NOW.toISOString() });
    const running = after(approved, start, marketer);
    expect(running).toMatchObject({
      status: 'running',
      startedAt: NOW.toISOString(),
      layerRange: { from: 0, to: 0.5 },
    });
    const stopped = after(running, stop, marketer);
    expect(stopped).toMatchObject({ status: 'stopped', decision: 'ship_variant', stopReason: 'stopped by staff' });
  });

  it('refuses every action from a status the table does not leave by it, naming the status', () => {
    const steps: ExperimentStep[] = [{ action: 'approve' }, start, stop, { action: 'guardrail-stop', breach: 'b' }];
    const statuses: Experiment['status'][] = ['draft', 'approved', 'running', 'stopped'];
    for (const status of statuses) {
      for (const step of steps) {
        const actor = step.action === 'guardrail-stop' ? SYSTEM : approver;
        const result = experimentTransition({ ...draft, status }, step, actor, NOW);
        const allowed = EXPERIMENT_TRANSITIONS.some((t) => t.from === status && t.action === step.action);
        if (allowed) expect(result).toHaveProperty('next.status');
        else expect(result).toEqual({ refusal: { kind: 'wrong-status', message: expect.stringContaining(status) } });
      }
    }
  });

  it('lets only the roles of the table take a step; admin holds them all; a guardrail stop is the system’s', () => {
    expect(experimentRoles('approve')).toEqual(['approver']);
    expect(experimentRoles('start')).toEqual(['marketer', 'approver']);
    expect(experimentTransition(draft, { action: 'approve' }, marketer, NOW)).toMatchObject({
      refusal: { kind: 'not-allowed' },
    });
    const admin = staffActor({ id: 'a.admin', roles: ['admin'] });
    expect(after(draft, { action: 'approve' }, admin).approvedBy).toBe('a.admin');
    const running = after(after(draft, { action: 'approve' }), start);
    expect(experimentTransition(running, { action: 'guardrail-stop', breach: 'b' }, approver, NOW)).toMatchObject({
      refusal: { kind: 'not-allowed' },
    });
    expect(after(running, { action: 'guardrail-stop', breach: 'conversion fell' }, SYSTEM)).toMatchObject({
      status: 'stopped',
      stopReason: 'conversion fell',
      decision: 'keep_control',
    });
  });

  it('starts only an audience that can reach the sample, in a layer with room', () => {
    const approved = after(draft, { action: 'approve' });
    const underpowered = { ...start, plan: { feasible: false, reason: 'needs 90 days' } } as ExperimentStep;
    expect(experimentTransition(approved, underpowered, approver, NOW)).toEqual({
      refusal: { kind: 'underpowered', message: 'needs 90 days' },
    });
    const full = { ...start, layerRange: null } as ExperimentStep;
    expect(experimentTransition(approved, full, approver, NOW)).toMatchObject({
      refusal: { kind: 'layer-full', message: expect.stringContaining('is full') },
    });
  });
});
