import { describe, expect, it } from 'vitest';
import { advanceStage } from '../../../src/domain/journeys/journey.js';
import {
  applyTouchpoints,
  EMPTY_PROFILE,
  mergeProfiles,
  type ProfileTouchpoint,
} from '../../../src/domain/journeys/profile.js';

const productOfPage = (page: string) =>
  page.startsWith('/loans/car') ? 'car_loan' : page.startsWith('/pension') ? 'pension' : undefined;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 22, 10, minute)).toISOString();
const tp = (
  type: ProfileTouchpoint['type'],
  minute: number,
  fields: Partial<ProfileTouchpoint> = {},
): ProfileTouchpoint => ({
  type,
  occurredAt: at(minute),
  channel: 'netbank',
  ...fields,
});

describe('a customer’s journey through a product', () => {
  it('starts at aware on a product page and moves to compare after a price check', () => {
    const profile = applyTouchpoints(
      EMPTY_PROFILE,
      [tp('page_view', 1, { page: '/loans/car' }), tp('calculator_used', 2, { product: 'car_loan' })],
      productOfPage,
    );
    expect(profile.journeys.car_loan).toEqual({
      stage: 'compare',
      lastAt: at(2),
      seen: { page_view: at(1), calculator_used: at(2) },
    });
    expect(profile.touchpointCount).toBe(2);
    expect(profile.lastSeenAt).toBe(at(2));
  });

  it('does not move back when a shallower touchpoint follows, whatever order they arrive in', () => {
    const late = applyTouchpoints(
      EMPTY_PROFILE,
      [tp('page_view', 9, { page: '/pension' }), tp('application_started', 3, { product: 'pension' })],
      productOfPage,
    );
    expect(late.journeys.pension).toEqual({
      stage: 'apply',
      lastAt: at(9),
      seen: { application_started: at(3), page_view: at(9) },
    });
    expect(advanceStage('sign', 'aware')).toBe('sign');
  });

  it('remembers dismissals and conversions per offer, and a completed application as a product held', () => {
    const profile = applyTouchpoints(
      EMPTY_PROFILE,
      [
        tp('offer_dismiss', 1, { offer: 'car-loan-quote' }),
        tp('conversion', 2, { offer: 'pension-check' }),
        tp('application_completed', 3, { product: 'pension' }),
      ],
      productOfPage,
    );
    expect(profile.dismissed).toEqual({ 'car-loan-quote': at(1) });
    expect(profile.converted).toEqual({ 'pension-check': at(2) });
    expect(profile.productsHeld).toEqual(['pension']);
    expect(profile.journeys.pension?.stage).toBe('use');
  });

  it('ignores touchpoints that name no product and are not on a product page', () => {
    const profile = applyTouchpoints(EMPTY_PROFILE, [tp('page_view', 1, { page: '/dashboard' })], productOfPage);
    expect(profile.journeys).toEqual({});
    expect(profile.touchpointCount).toBe(1);
  });

  it('joins an anonymous device’s journey into the customer’s on login, keeping the furthest stage', () => {
    const customer = applyTouchpoints(EMPTY_PROFILE, [tp('product_view', 1, { product: 'car_loan' })], productOfPage);
    const device = applyTouchpoints(
      EMPTY_PROFILE,
      [tp('calculator_used', 5, { product: 'car_loan' }), tp('offer_dismiss', 6, { offer: 'x' })],
      productOfPage,
    );
    const merged = mergeProfiles({ ...customer, productsHeld: ['savings'] }, device);
    expect(merged.journeys.car_loan).toEqual({
      stage: 'compare',
      lastAt: at(5),
      seen: { product_view: at(1), calculator_used: at(5) },
    });
    expect(merged.dismissed).toEqual({ x: at(6) });
    expect(merged.productsHeld).toEqual(['savings']);
    expect(merged.touchpointCount).toBe(3);
    expect(merged.lastSeenAt).toBe(at(6));
  });
});
