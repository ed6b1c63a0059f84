import { describe, expect, it } from 'vitest';
import type { OfferVersion, OfferVersionStatus } from '../../../src/contract/index.js';
import { newVersion } from '../../../src/domain/decision/offer-versions.js';
import {
  OFFER_TRANSITIONS,
  type OfferStep,
  offerRoles,
  offerTransition,
} from '../../../src/domain/decision/offer-workflow.js';
import { SYSTEM, staffActor } from '../../../src/domain/workflow.js';
import { demoCatalog } from '../../support/harness.js';

const NOW = new Date('2026-11-02T09:00:00.000Z');
const offer = demoCatalog.offers[0]!;
const marketer = staffActor({ id: 'm.hansen', roles: ['marketer'] });
const approver = staffActor({ id: 'k.larsen', roles: ['approver'] });
const draft = newVersion(offer.id, 2, 'edit', offer, 'm.hansen', '2026-11-01T09:00:00.000Z', { baseVersion: 1 });

function after(version: OfferVersion, step: OfferStep, actor = approver): OfferVersion {
  const result = offerTransition(version, step, actor, NOW);
  if ('refusal' in result) throw new Error(result.refusal.message);
  return result.next;
}

describe('an offer version on its way to live', () => {
  it('goes draft → submitted → approved → live by four eyes, and the version it replaces is retired', () => {
    const submitted = after(draft, { action: 'submit' }, marketer);
    expect(submitted).toMatchObject({ status: 'submitted', submittedBy: 'm.hansen', submittedAt: NOW.toISOString() });
    const approved = after(submitted, { action: 'approve' });
    expect(approved).toMatchObject({ status: 'approved', approvedBy: 'k.larsen' });
    const live = after(approved, { action: 'publish', catalogVersion: 'v-2' });
    expect(live).toMatchObject({ status: 'live', publishedBy: 'k.larsen', catalogVersion: 'v-2' });
    expect(after(live, { action: 'retire' }, SYSTEM)).toMatchObject({
      status: 'retired',
      updatedAt: NOW.toISOString(),
    });
  });

  it('is never approved by someone who wrote or edited it, even when they hold the approver role', () => {
    const submitted = after(draft, { action: 'submit' }, marketer);
    const author = staffActor({ id: 'm.hansen', roles: ['marketer', 'approver'] });
    expect(offerTransition(submitted, { action: 'approve' }, author, NOW)).toEqual({
      refusal: { kind: 'four-eyes', message: expect.stringContaining('four eyes') },
    });
  });

  it('goes back to draft when edited, to be approved again, with the editor among its authors', () => {
    const approved = after(after(draft, { action: 'submit' }, marketer), { action: 'approve' });
    const edited = after(approved, { action: 'edit', offer }, staffActor({ id: 'j.berg', roles: ['marketer'] }));
    expect(edited).toMatchObject({ status: 'draft', revision: 2, approvedBy: null, submittedBy: null });
    expect(edited.authors).toEqual(['m.hansen', 'j.berg']);
    const rollback = { ...draft, kind: 'rollback' as const, rollbackOf: 1 };
    expect(after(rollback, { action: 'edit', offer }, marketer)).toMatchObject({ kind: 'edit', rollbackOf: null });
  });

  it('refuses a step from any status the table does not leave by it, naming both statuses', () => {
    const statuses: OfferVersionStatus[] = ['draft', 'submitted', 'approved', 'live', 'retired', 'rejected'];
    const steps: OfferStep[] = [
      { action: 'submit' },
      { action: 'approve' },
      { action: 'reject', comment: 'No.' },
      { action: 'send-back', comment: 'Again.' },
      { action: 'publish', catalogVersion: 'v' },
    ];
    for (const status of statuses) {
      for (const step of steps) {
        const result = offerTransition({ ...draft, status }, step, approver, NOW);
        if (OFFER_TRANSITIONS.some((t) => t.from === status && t.action === step.action)) {
          expect(result).toHaveProperty('next');
        } else {
          expect(result).toEqual({
            refusal: { kind: 'wrong-status', message: expect.stringMatching(new RegExp(`version 2 is ${status}\\.$`)) },
          });
        }
      }
    }
  });

  it('is rejected for good, or sent back to its authors as a draft, by another person, the comment kept either way', () => {
    const submitted = after(draft, { action: 'submit' }, marketer);
    const rejected = after(submitted, { action: 'reject', comment: 'The 21–44 bands get nothing.' });
    expect(rejected).toMatchObject({
      status: 'rejected',
      updatedAt: NOW.toISOString(),
      reviews: [
        {
          action: 'reject',
          by: 'k.larsen',
          at: NOW.toISOString(),
          revision: 1,
          comment: 'The 21–44 bands get nothing.',
        },
      ],
    });
    // Closed: nothing takes it further, not even an edit.
    for (const step of [{ action: 'edit', offer }, { action: 'submit' }, { action: 'approve' }] as OfferStep[]) {
      expect(offerTransition(rejected, step, step.action === 'approve' ? approver : marketer, NOW)).toMatchObject({
        refusal: { kind: 'wrong-status' },
      });
    }
    const sent = after(submitted, { action: 'send-back', comment: 'Try a lever of 1.2.' });
    expect(sent).toMatchObject({ status: 'draft', submittedBy: null, submittedAt: null, authors: ['m.hansen'] });
    expect(sent.reviews.map((r) => r.action)).toEqual(['send-back']);
    // Edited and submitted again, it keeps what the reviewer said, and gathers the next review after it.
    const resubmitted = after(after(sent, { action: 'edit', offer }, marketer), { action: 'submit' }, marketer);
    const again = after(resubmitted, { action: 'send-back', comment: 'Closer.' });
    expect(again.reviews.map((r) => [r.revision, r.comment])).toEqual([
      [1, 'Try a lever of 1.2.'],
      [2, 'Closer.'],
    ]);
    const author = staffActor({ id: 'm.hansen', roles: ['marketer', 'approver'] });
    for (const action of ['reject', 'send-back'] as const) {
      expect(offerTransition(submitted, { action, comment: 'Mine.' }, author, NOW)).toMatchObject({
        refusal: { kind: 'four-eyes' },
      });
    }
  });

  it('names who may take each step, and refuses anyone else', () => {
    expect(offerRoles('reject')).toEqual(['approver']);
    expect(offerRoles('send-back')).toEqual(['approver']);
    expect(offerRoles('edit')).toEqual(['marketer']);
    expect(offerRoles('submit')).toEqual(['marketer', 'approver']);
    expect(offerRoles('publish')).toEqual(['approver']);
    expect(offerRoles('retire')).toEqual([]);
    const approved = after(after(draft, { action: 'submit' }, marketer), { action: 'approve' });
    expect(offerTransition(approved, { action: 'publish', catalogVersion: 'v' }, marketer, NOW)).toMatchObject({
      refusal: { kind: 'not-allowed' },
    });
  });
});
