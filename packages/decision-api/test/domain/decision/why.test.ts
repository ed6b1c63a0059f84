import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../../src/domain/decision/catalog.js';
import { explainDecision } from '../../../src/domain/decision/why.js';
import { demoCatalog } from '../../support/harness.js';

const catalog = compileCatalog(demoCatalog);
const carLoan = catalog.products.get('car_loan');
const at = (iso: string) => ({ occurredAt: iso, channel: 'netbank', product: null, page: null });
const decision = {
  id: '5b0c8c2e-3d0f-4a51-9a51-0d3f1b2c4d5e',
  offerId: 'car-loan-green',
  locale: 'en',
  reason: 'Because you recently priced car loan.',
  createdAt: new Date('2026-11-22T12:00:00Z'),
  trace: { stages: { car_loan: 'compare' }, candidates: [{ offerId: 'car-loan-green', score: { priority: 0.3 } }] },
};

describe('why a customer sees a decision', () => {
  it('tells only the journey touchpoints of the offer’s product from before the decision, the latest five, oldest first', () => {
    const history = [
      { ...at('2026-11-01T10:00:00Z'), type: 'page_view', page: '/loans/car' },
      { ...at('2026-11-02T10:00:00Z'), type: 'page_view', page: '/pension' },
      { ...at('2026-11-03T10:00:00Z'), type: 'offer_impression', product: 'car_loan' },
      ...[4, 5, 6, 7, 8].map((day) => ({
        ...at(`2026-11-0${day}T10:00:00Z`),
        type: 'product_view',
        product: 'car_loan',
      })),
      { ...at('2026-11-09T10:00:00Z'), type: 'external_visit', product: 'car_loan', channel: 'external' },
      { ...at('2026-11-23T10:00:00Z'), type: 'calculator_used', product: 'car_loan' },
    ];
    const why = explainDecision({ decision, product: carLoan, history, productOfPage: catalog.productOfPage });
    expect(why.journey).toEqual({
      product: 'Car loan',
      stage: 'compare',
      description: 'You are comparing prices of car loan.',
    });
    expect(why.touchpoints.map((t) => t.at.slice(0, 10))).toEqual([
      '2026-11-05',
      '2026-11-06',
      '2026-11-07',
      '2026-11-08',
      '2026-11-09',
    ]);
    expect(why.touchpoints.at(-1)?.description).toBe('You looked at car loan on a partner’s website.');
    expect(JSON.stringify(why)).not.toMatch(/priority|score/);
  });

  it('says general content is not based on the customer’s activity, and tells no visits', () => {
    const why = explainDecision({
      decision: { ...decision, offerId: 'house-budget', reason: 'A general suggestion.', trace: { stages: {} } },
      product: undefined,
      history: [{ ...at('2026-11-01T10:00:00Z'), type: 'product_view', product: 'car_loan' }],
      productOfPage: catalog.productOfPage,
    });
    expect(why.journey).toBeNull();
    expect(why.touchpoints).toEqual([]);
    expect(why.optOut).toMatch(/privacy settings/);
  });
});
