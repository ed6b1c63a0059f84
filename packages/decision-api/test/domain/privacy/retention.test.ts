import { describe, expect, it } from 'vitest';
import { countOfferTouchpoints } from '../../../src/domain/kpis/offer-counts.js';
import { retentionCutoff } from '../../../src/domain/privacy/retention.js';

describe('daily offer counts', () => {
  it('counts touchpoints naming an offer by UTC day, offer, placement, channel and type (no decision: no cluster or stage), in key order', () => {
    const counts = countOfferTouchpoints([
      {
        type: 'offer_impression',
        occurredAt: '2026-11-22T23:30:00-02:00',
        channel: 'netbank',
        offer: 'b',
        placement: 'p',
      },
      { type: 'offer_impression', occurredAt: '2026-11-23T00:10:00Z', channel: 'netbank', offer: 'b', placement: 'p' },
      { type: 'offer_click', occurredAt: '2026-11-22T10:00:00Z', channel: 'mobilebank', offer: 'a' },
      { type: 'page_view', occurredAt: '2026-11-22T10:00:00Z', channel: 'netbank' },
    ]);
    expect(counts).toEqual([
      {
        day: '2026-11-22',
        offerId: 'a',
        placement: '',
        channel: 'mobilebank',
        type: 'offer_click',
        cluster: '',
        stage: '',
        count: 1,
      },
      {
        day: '2026-11-23',
        offerId: 'b',
        placement: 'p',
        channel: 'netbank',
        type: 'offer_impression',
        cluster: '',
        stage: '',
        count: 2,
      },
    ]);
  });
});

describe('retention', () => {
  it('keeps touchpoints of the last days given', () => {
    expect(retentionCutoff(new Date('2026-11-22T12:00:00Z'), 395).toISOString()).toBe('2025-10-23T12:00:00.000Z');
    expect(() => retentionCutoff(new Date(), 0)).toThrow(RangeError);
  });
});
