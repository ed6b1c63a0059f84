import { describe, expect, it } from 'vitest';
import {
  applyStandardisation,
  FEATURE_NAMES,
  type FeatureTouchpoint,
  featuresOf,
  HALF_LIFE_DAYS,
  RECENCY_CAP_DAYS,
  standardise,
} from '../../../src/domain/journeys/features.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const DAY_MS = 86_400_000;
const productOfPage = (page: string) =>
  page.startsWith('/loans/car') ? 'car_loan' : page.startsWith('/pension') ? 'pension' : undefined;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS).toISOString();
const tp = (
  type: FeatureTouchpoint['type'],
  days: number,
  fields: Partial<FeatureTouchpoint> = {},
): FeatureTouchpoint => ({ type, occurredAt: daysAgo(days), channel: 'netbank', ...fields });

/** The vector as named features, for reading. */
const named = (vector: readonly number[]) => Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, vector[i]]));

describe('a customer’s behaviour as features', () => {
  it('has a stable list of named features, one value each', () => {
    expect(FEATURE_NAMES).toHaveLength(35);
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_NAMES.length);
    expect(FEATURE_NAMES.slice(0, 3)).toEqual([
      'interest.car_loan.looking',
      'interest.car_loan.pricing',
      'interest.car_loan.acting',
    ]);
    expect(featuresOf([], [], NOW, productOfPage)).toHaveLength(FEATURE_NAMES.length);
  });

  it('shows a customer who priced a car loan yesterday as pricing car loans, on the car loan alone', () => {
    const features = named(featuresOf([tp('calculator_used', 1, { product: 'car_loan' })], [], NOW, productOfPage));
    expect(features['interest.car_loan.pricing']).toBeCloseTo(Math.log1p(0.5 ** (1 / HALF_LIFE_DAYS)), 12);
    expect(features['interest.car_loan.looking']).toBe(0);
    expect(features['focus.car_loan']).toBe(1);
    expect(features['focus.pension']).toBe(0);
    expect(features['activity.recency']).toBeCloseTo(Math.log1p(1), 12);
  });

  it('counts a touchpoint half after one half-life, and reads the product from the page it was on', () => {
    const features = named(
      featuresOf(
        [tp('page_view', HALF_LIFE_DAYS, { page: '/pension/payout' }), tp('product_view', 0, { product: 'pension' })],
        [],
        NOW,
        productOfPage,
      ),
    );
    expect(features['interest.pension.looking']).toBeCloseTo(Math.log1p(1.5), 12);
    expect(features['focus.pension']).toBe(1);
  });

  it('splits focus between products by their time-weighted touchpoints', () => {
    const features = named(
      featuresOf(
        [
          tp('product_view', 0, { product: 'pension' }),
          tp('application_started', 0, { product: 'car_loan' }),
          tp('application_submitted', 0, { product: 'car_loan' }),
          tp('page_view', 0, { page: '/dashboard' }),
        ],
        [],
        NOW,
        productOfPage,
      ),
    );
    expect(features['focus.car_loan']).toBeCloseTo(2 / 3, 12);
    expect(features['focus.pension']).toBeCloseTo(1 / 3, 12);
    expect(features['interest.car_loan.acting']).toBeCloseTo(Math.log1p(2), 12);
  });

  it('measures how often and where the customer comes: touchpoints in 30 and 90 days, active days, mobile share', () => {
    const features = named(
      featuresOf(
        [
          tp('page_view', 2, { channel: 'mobilebank' }),
          tp('page_view', 2.01, { channel: 'mobilebank' }),
          tp('page_view', 40, { channel: 'mobilebank' }),
          tp('page_view', 120),
        ],
        [],
        NOW,
        productOfPage,
      ),
    );
    expect(features['activity.touchpoints_30d']).toBeCloseTo(Math.log1p(2), 12);
    expect(features['activity.touchpoints_90d']).toBeCloseTo(Math.log1p(3), 12);
    expect(features['activity.active_days_90d']).toBeCloseTo(Math.log1p(2), 12);
    expect(features['channel.mobile_share']).toBe(0.75);
    expect(features['activity.recency']).toBeCloseTo(Math.log1p(2), 12);
  });

  it('marks the products held, and ignores products it does not know', () => {
    const features = named(featuresOf([], ['savings', 'pension', 'crypto'], NOW, productOfPage));
    expect(features['held.savings']).toBe(1);
    expect(features['held.pension']).toBe(1);
    expect(features['held.mortgage']).toBe(0);
  });

  it('treats a customer never seen as cold, with no channel preference', () => {
    const features = named(featuresOf([], [], NOW, productOfPage));
    expect(features['activity.recency']).toBeCloseTo(Math.log1p(RECENCY_CAP_DAYS), 12);
    expect(features['channel.mobile_share']).toBe(0.5);
    expect(features['activity.touchpoints_90d']).toBe(0);
    expect(features['focus.savings']).toBe(0);
  });

  it('sees only what had happened by `now`, so a past vector can be recomputed', () => {
    const history = [
      tp('calculator_used', 10, { product: 'car_loan' }),
      tp('product_view', -5, { product: 'pension' }),
    ];
    const features = named(featuresOf(history, [], NOW, productOfPage));
    expect(features['interest.pension.looking']).toBe(0);
    expect(features['activity.recency']).toBeCloseTo(Math.log1p(10), 12);
    expect(featuresOf(history, [], NOW, productOfPage)).toEqual(
      featuresOf(history.slice(0, 1), [], NOW, productOfPage),
    );
  });

  it('rejects an invalid `now` and skips a touchpoint with an unreadable time', () => {
    expect(() => featuresOf([], [], new Date('nonsense'), productOfPage)).toThrow(RangeError);
    const features = named(
      featuresOf([tp('page_view', 1), { ...tp('page_view', 1), occurredAt: 'soon' }], [], NOW, productOfPage),
    );
    expect(features['activity.touchpoints_30d']).toBeCloseTo(Math.log1p(1), 12);
  });
});

describe('putting features on one scale', () => {
  const matrix = [
    [1, 10, 5],
    [3, 30, 5],
  ];

  it('centres each feature and scales it to unit deviation, leaving a constant feature at 0', () => {
    const { z, means, stds } = standardise(matrix);
    expect(means).toEqual([2, 20, 5]);
    expect(stds).toEqual([1, 10, 1]);
    expect(z).toEqual([
      [-1, -1, 0],
      [1, 1, 0],
    ]);
  });

  it('applies the saved means and deviations to a new customer’s vector', () => {
    const scaling = standardise(matrix);
    expect(applyStandardisation(scaling, [4, 0, 6])).toEqual([2, -2, 1]);
    expect(applyStandardisation(scaling, matrix[0] as number[])).toEqual(scaling.z[0]);
  });

  it('rejects an empty population and vectors of another length', () => {
    expect(() => standardise([])).toThrow(RangeError);
    expect(() => standardise([[1, 2], [3]])).toThrow(/2 features/);
    expect(() => applyStandardisation(standardise(matrix), [1, 2])).toThrow(/expected 3 features/);
  });
});
