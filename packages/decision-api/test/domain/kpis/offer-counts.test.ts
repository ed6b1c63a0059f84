import { describe, expect, it } from 'vitest';
import { countOfferTouchpointsOfDecisions, type ServedDecision } from '../../../src/domain/kpis/offer-counts.js';

const served: ServedDecision = {
  offerId: 'house-savings-goal',
  placement: 'dashboard-hero',
  channel: 'netbank',
  day: '2026-11-21',
  attribution: { cluster: 'cluster-1', stage: 'explore' },
};
const decisions = new Map([['d-1', served]]);
const none = () => ({ cluster: '', stage: '' });
const touch = (type: string, decisionId: string | null, occurredAt = '2026-11-22T08:00:00Z') => ({
  type,
  occurredAt,
  channel: 'netbank',
  offer: 'house-savings-goal',
  placement: 'dashboard-hero',
  decisionId,
});
const of = (rows: ReturnType<typeof countOfferTouchpointsOfDecisions>, type: string) =>
  rows.filter((r) => r.type === type).map((r) => [r.day, r.count]);

describe('offer counts that add up to what was served', () => {
  it('counts a decision seen three times (again from the cache) as one viewable impression, on the day it was served', () => {
    const rows = countOfferTouchpointsOfDecisions(
      [touch('offer_impression', 'd-1'), touch('offer_impression', 'd-1'), touch('offer_impression', 'd-1')],
      decisions,
      new Map(),
      none,
    );
    expect(of(rows, 'offer_impression')).toEqual([['2026-11-21', 1]]);
    expect(rows[0]?.cluster).toBe('cluster-1');
  });

  it('counts nothing for a decision the store did not keep (shown before consent), nor for another offer than it served', () => {
    const rows = countOfferTouchpointsOfDecisions(
      [touch('offer_impression', 'never-kept'), { ...touch('offer_click', 'd-1'), offer: 'car-loan-quote' }],
      decisions,
      new Map(),
      none,
    );
    expect(rows).toEqual([]);
  });

  it('counts a click once, with an impression when none was counted: the offer was seen', () => {
    const rows = countOfferTouchpointsOfDecisions(
      [touch('offer_click', 'd-1'), touch('offer_click', 'd-1'), touch('offer_impression', 'd-1')],
      decisions,
      new Map(),
      none,
    );
    expect(of(rows, 'offer_impression')).toEqual([['2026-11-21', 1]]);
    expect(of(rows, 'offer_click')).toEqual([['2026-11-21', 1]]);
  });

  it('adds nothing for what an earlier batch already counted', () => {
    const rows = countOfferTouchpointsOfDecisions(
      [touch('offer_impression', 'd-1'), touch('offer_click', 'd-1')],
      decisions,
      new Map([['d-1', { viewable: true, clicked: true }]]),
      none,
    );
    expect(rows).toEqual([]);
  });

  it('counts dismissals, and touchpoints naming no decision, as they come', () => {
    const rows = countOfferTouchpointsOfDecisions(
      [touch('offer_dismiss', 'd-1'), touch('offer_impression', null)],
      decisions,
      new Map(),
      none,
    );
    expect(of(rows, 'offer_dismiss')).toEqual([['2026-11-22', 1]]);
    expect(of(rows, 'offer_impression')).toEqual([['2026-11-22', 1]]);
  });
});
