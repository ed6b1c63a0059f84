import type { Offer, OfferReviewAction, OfferVersion, OfferVersionStatus, StaffRole } from '../../contract/index.js';
import { type Actor, type Refusal, type Transition, transitionOf, whoMay } from '../workflow.js';
import { approvalRefusal } from './offer-versions.js';

export type OfferAction = 'edit' | 'submit' | 'approve' | 'reject' | 'send-back' | 'publish' | 'retire';

/**
 * An offer version's way to live, by four eyes: a marketer writes a draft (an edit sends it back to draft, to be
 * approved again) and submits it, an approver who did not write it approves, an approver publishes it, and the live
 * version it replaces is retired. Instead of approving, that approver may reject it (closed for good) or send it back
 * to its authors as a draft, with a comment either way. A rollback is a new draft like any other (see newVersion).
 */
export const OFFER_TRANSITIONS: readonly Transition<OfferVersionStatus, OfferAction, StaffRole | 'system'>[] = [
  { from: 'draft', action: 'edit', to: 'draft', who: ['marketer'] },
  { from: 'submitted', action: 'edit', to: 'draft', who: ['marketer'] },
  { from: 'approved', action: 'edit', to: 'draft', who: ['marketer'] },
  { from: 'draft', action: 'submit', to: 'submitted', who: ['marketer', 'approver'] },
  { from: 'submitted', action: 'approve', to: 'approved', who: ['approver'] },
  { from: 'submitted', action: 'reject', to: 'rejected', who: ['approver'] },
  { from: 'submitted', action: 'send-back', to: 'draft', who: ['approver'] },
  { from: 'approved', action: 'publish', to: 'live', who: ['approver'] },
  { from: 'live', action: 'retire', to: 'retired', who: ['system'] },
];

export type OfferStep =
  | { readonly action: 'edit'; readonly offer: Offer }
  | { readonly action: 'submit' }
  | { readonly action: 'approve' }
  | { readonly action: OfferReviewAction; readonly comment: string }
  | { readonly action: 'publish'; readonly catalogVersion: string }
  | { readonly action: 'retire' };

const DONE: Record<OfferAction, string> = {
  edit: 'edited',
  submit: 'submitted',
  approve: 'approved',
  reject: 'rejected',
  'send-back': 'sent back',
  publish: 'published',
  retire: 'retired',
};

/** The version after the step, or why it may not be taken (four eyes is judged before the status). */
export function offerTransition(
  version: OfferVersion,
  step: OfferStep,
  actor: Actor,
  now: Date,
): { readonly next: OfferVersion } | { readonly refusal: Refusal } {
  // A review is the second pair of eyes, whatever its verdict.
  if (step.action === 'approve' || step.action === 'reject' || step.action === 'send-back') {
    const refusal = approvalRefusal(version, actor.id);
    if (refusal) return { refusal: { kind: 'four-eyes', message: refusal } };
  }
  const found = transitionOf(OFFER_TRANSITIONS, version.status, step.action, actor.roles, () => {
    const from = OFFER_TRANSITIONS.find((t) => t.action === step.action)?.from;
    return `Only a version that is ${from} can be ${DONE[step.action]}; version ${version.version} is ${version.status}.`;
  });
  if ('refusal' in found) return found;
  const at = now.toISOString();
  const status = found.to;
  switch (step.action) {
    case 'edit':
      return {
        next: {
          ...version,
          status,
          // An edited rollback is a change like any other.
          kind: version.kind === 'rollback' ? 'edit' : version.kind,
          rollbackOf: version.kind === 'rollback' ? null : version.rollbackOf,
          revision: version.revision + 1,
          offer: step.offer,
          authors: version.authors.includes(actor.id) ? version.authors : [...version.authors, actor.id],
          updatedAt: at,
          submittedBy: null,
          submittedAt: null,
          approvedBy: null,
          approvedAt: null,
        },
      };
    case 'submit':
      return { next: { ...version, status, submittedBy: actor.id, submittedAt: at, updatedAt: at } };
    case 'approve':
      return { next: { ...version, status, approvedBy: actor.id, approvedAt: at, updatedAt: at } };
    case 'reject':
    case 'send-back': {
      const review = { action: step.action, by: actor.id, at, revision: version.revision, comment: step.comment };
      const reviews = [...version.reviews, review];
      return step.action === 'reject'
        ? { next: { ...version, status, reviews, updatedAt: at } }
        : { next: { ...version, status, reviews, submittedBy: null, submittedAt: null, updatedAt: at } };
    }
    case 'publish':
      return {
        next: {
          ...version,
          status,
          publishedBy: actor.id,
          publishedAt: at,
          catalogVersion: step.catalogVersion,
          updatedAt: at,
        },
      };
    case 'retire':
      return { next: { ...version, status, updatedAt: at } };
  }
}

/** The staff roles that may take the action (the route's role check). */
export function offerRoles(action: OfferAction): StaffRole[] {
  return whoMay(OFFER_TRANSITIONS, action).filter((who): who is StaffRole => who !== 'system');
}
