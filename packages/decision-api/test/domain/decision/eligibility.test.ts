import { describe, expect, it } from 'vitest';
import { Catalog, type CatalogInput, type Offer, type OfferRules } from '../../../src/contract/index.js';
import { type CompiledCatalog, compileCatalog } from '../../../src/domain/decision/catalog.js';
import { decide } from '../../../src/domain/decision/decide.js';
import { checkEligibility, ELIGIBILITY_RULES } from '../../../src/domain/decision/eligibility.js';
import { possibleAges } from '../../../src/domain/journeys/age.js';
import {
  applyTouchpoints,
  type CustomerAttributes,
  type CustomerProfile,
  EMPTY_PROFILE,
  type ProfileTouchpoint,
} from '../../../src/domain/journeys/profile.js';
import { demoCatalog } from '../../support/harness.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const catalog = compileCatalog(demoCatalog);

const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const pricedCarLoan: ProfileTouchpoint = {
  type: 'calculator_used',
  occurredAt: minutesAgo(5),
  channel: 'netbank',
  product: 'car_loan',
  page: '/loans/car',
};
const viewed = (product: string, minutes = 10): ProfileTouchpoint => ({
  type: 'product_view',
  occurredAt: minutesAgo(minutes),
  channel: 'netbank',
  product,
});

function customer(
  touchpoints: ProfileTouchpoint[],
  attributes?: CustomerAttributes,
  productsHeld: string[] = [],
): CustomerProfile {
  return applyTouchpoints(
    { ...EMPTY_PROFILE, productsHeld, ...(attributes ? { attributes } : {}) },
    touchpoints,
    catalog.productOfPage,
  );
}

function heroFor(profile: CustomerProfile, options: { catalog?: CompiledCatalog; cluster?: string | null } = {}) {
  const [hero] = decide({
    catalog: options.catalog ?? catalog,
    profile,
    context: { channel: 'netbank', page: '/dashboard', locale: 'en' },
    placements: ['dashboard-hero'],
    now: NOW,
    ...(options.cluster !== undefined ? { cluster: options.cluster } : {}),
  });
  if (!hero) throw new Error('one placement asked, one decision expected');
  return hero;
}

const exclusionOf = (hero: ReturnType<typeof heroFor>, offerId: string) =>
  hero.trace.candidates.find((c) => c.offerId === offerId)?.excludedBy;

/** The demo catalog with some offers given other rules, parsed as staff would publish it. */
function withRules(rules: Record<string, OfferRules>): CompiledCatalog {
  const input: CatalogInput = structuredClone(demoCatalog);
  for (const offer of input.offers) {
    const replacement = rules[offer.id];
    if (replacement) offer.rules = replacement;
  }
  return compileCatalog(Catalog.parse(input));
}

const ADULT = { birthYear: 1985 };

describe('credit suitability', () => {
  it('a customer in arrears who priced a car loan is shown no car-loan offer, and the trace says why', () => {
    const hero = heroFor(customer([pricedCarLoan], { ...ADULT, arrears: true, vulnerable: false }));
    expect(hero.offer?.credit).toBe(false);
    expect(hero.offer?.id).toBe('house-savings-goal');
    expect(exclusionOf(hero, 'car-loan-quote')).toEqual({
      rule: 'credit-suitability',
      detail: 'credit offer; the customer is in arrears',
    });
  });

  it('a customer the bank flags as vulnerable is likewise shown no credit offer', () => {
    const hero = heroFor(customer([pricedCarLoan, viewed('mortgage')], { ...ADULT, vulnerable: true }));
    expect(hero.offer?.credit).toBe(false);
    expect(exclusionOf(hero, 'car-loan-quote')?.rule).toBe('credit-suitability');
    expect(exclusionOf(hero, 'mortgage-price')?.rule).toBe('credit-suitability');
    expect(exclusionOf(hero, 'car-loan-quote')?.detail).toBe('credit offer; the customer is flagged vulnerable');
  });

  it('names both flags when both are set', () => {
    const hero = heroFor(customer([pricedCarLoan], { vulnerable: true, arrears: true }));
    expect(exclusionOf(hero, 'car-loan-quote')?.detail).toBe(
      'credit offer; the customer is flagged vulnerable and in arrears',
    );
  });

  it('the same customer without flags sees the car-loan quote', () => {
    const hero = heroFor(customer([pricedCarLoan], { ...ADULT, vulnerable: false, arrears: false }));
    expect(hero.offer?.id).toBe('car-loan-quote');
  });

  it('still lets a customer in arrears see offers that are not credit, such as a pension check', () => {
    const hero = heroFor(customer([pricedCarLoan, viewed('pension')], { ...ADULT, arrears: true }));
    expect(hero.offer?.id).toBe('pension-check');
    expect(exclusionOf(hero, 'car-loan-quote')?.rule).toBe('credit-suitability');
  });

  it('is traced ahead of journey and contact rules: a dismissed credit offer is still traced as unsuitable', () => {
    const dismissed: ProfileTouchpoint = {
      type: 'offer_dismiss',
      occurredAt: minutesAgo(1),
      channel: 'netbank',
      offer: 'car-loan-quote',
    };
    const hero = heroFor(customer([pricedCarLoan, dismissed], { arrears: true }));
    expect(exclusionOf(hero, 'car-loan-quote')?.rule).toBe('credit-suitability');
  });

  it('passes a visitor whose flags the bank has not supplied: an anonymous visitor who priced a car loan', () => {
    expect(heroFor(customer([pricedCarLoan])).offer?.id).toBe('car-loan-quote');
    expect(heroFor(customer([pricedCarLoan], { birthYear: 1990 })).offer?.id).toBe('car-loan-quote');
  });
});

describe('age', () => {
  it('a 17-year-old who priced a car loan gets no car-loan offer', () => {
    const hero = heroFor(customer([pricedCarLoan], { birthYear: 2009 }));
    expect(hero.offer?.product).not.toBe('car_loan');
    expect(exclusionOf(hero, 'car-loan-quote')).toEqual({
      rule: 'age',
      detail: 'born 2009, aged 16 or 17; offer is for 18 and older',
    });
  });

  it('keeps a car loan from a customer who may not have turned 18 yet, and shows it once they surely have', () => {
    expect(exclusionOf(heroFor(customer([pricedCarLoan], { birthYear: 2008 })), 'car-loan-quote')?.rule).toBe('age');
    expect(heroFor(customer([pricedCarLoan], { birthYear: 2007 })).offer?.id).toBe('car-loan-quote');
  });

  it('offers a pension check from the age of 25', () => {
    const young = heroFor(customer([viewed('pension')], { birthYear: 2002 }));
    expect(young.offer?.id).toBe('house-savings-goal');
    expect(exclusionOf(young, 'pension-check')?.rule).toBe('age');
    expect(heroFor(customer([viewed('pension')], { birthYear: 2000 })).offer?.id).toBe('pension-check');
  });

  it('keeps an offer with a top age from a customer who may be older', () => {
    const youngSavers = withRules({ 'savings-buffer': { maxAge: 30 } });
    const older = heroFor(customer([viewed('savings')], { birthYear: 1995 }), { catalog: youngSavers });
    expect(exclusionOf(older, 'savings-buffer')).toEqual({
      rule: 'age',
      detail: 'born 1995, aged 30 or 31; offer is for 30 and younger',
    });
    const younger = heroFor(customer([viewed('savings')], { birthYear: 1996 }), { catalog: youngSavers });
    expect(younger.offer?.id).toBe('savings-buffer');
  });

  it('passes a customer whose age is unknown', () => {
    const offer = catalog.offers.get('car-loan-quote') as Offer;
    const profile = customer([pricedCarLoan], { arrears: false });
    expect(checkEligibility({ offer, profile, channel: 'netbank', now: NOW })).toBeNull();
  });

  it('is worked out from the birth year and the moment of the decision', () => {
    expect(possibleAges(2008, NOW)).toEqual({ youngest: 17, oldest: 18 });
    expect(possibleAges(2008, new Date('2027-01-01T00:00:00Z'))).toEqual({ youngest: 18, oldest: 19 });
  });
});

describe('products held', () => {
  const forHomeowners = withRules({
    'home-insurance-price': { requiresProducts: ['mortgage'] },
    'investments-start': { excludesProducts: ['pension'] },
  });

  it('shows an offer that requires a product only to customers who hold it', () => {
    const renter = heroFor(customer([viewed('home_insurance')]), { catalog: forHomeowners });
    expect(exclusionOf(renter, 'home-insurance-price')).toEqual({
      rule: 'requires-product',
      detail: 'does not hold mortgage; offer requires it',
    });
    const owner = heroFor(customer([viewed('home_insurance')], undefined, ['mortgage']), { catalog: forHomeowners });
    expect(owner.offer?.id).toBe('home-insurance-price');
  });

  it('keeps an offer from customers who hold a product it excludes', () => {
    const saver = heroFor(customer([viewed('investments')], undefined, ['pension', 'savings']), {
      catalog: forHomeowners,
    });
    expect(exclusionOf(saver, 'investments-start')).toEqual({
      rule: 'excludes-product',
      detail: 'holds pension; offer excludes it',
    });
    expect(heroFor(customer([viewed('investments')]), { catalog: forHomeowners }).offer?.id).toBe('investments-start');
  });
});

describe('cluster targeting', () => {
  const targeted = withRules({ 'investments-start': { clusters: ['cluster-2', 'cluster-5'], minAge: 18 } });
  const browsing = customer([viewed('investments')], ADULT);

  it('shows a cluster-targeted offer to a customer of a cluster it targets', () => {
    expect(heroFor(browsing, { catalog: targeted, cluster: 'cluster-5' }).offer?.id).toBe('investments-start');
  });

  it('does not show it to a customer of another cluster', () => {
    const hero = heroFor(browsing, { catalog: targeted, cluster: 'cluster-1' });
    expect(hero.offer?.id).toBe('house-savings-goal');
    expect(exclusionOf(hero, 'investments-start')).toEqual({
      rule: 'cluster',
      detail: 'in cluster-1; offer is for cluster-2, cluster-5',
    });
  });

  it('does not show it when the customer’s cluster is unknown', () => {
    for (const cluster of [null, undefined]) {
      const hero = heroFor(browsing, { catalog: targeted, cluster });
      expect(exclusionOf(hero, 'investments-start')?.rule).toBe('cluster');
    }
  });

  it('leaves offers without cluster targeting open to every cluster and to customers without one', () => {
    expect(heroFor(customer([pricedCarLoan], ADULT), { catalog: targeted, cluster: 'cluster-1' }).offer?.id).toBe(
      'car-loan-quote',
    );
    expect(heroFor(customer([pricedCarLoan], ADULT), { catalog: targeted }).offer?.id).toBe('car-loan-quote');
  });
});

describe('the eligibility rules', () => {
  it('run in a stable, documented order: where and when, the law, whom for, the journey, contact policy', () => {
    expect(ELIGIBILITY_RULES.map((rule) => rule.name)).toEqual([
      'channel',
      'validity',
      'credit-suitability',
      'age',
      'product-held',
      'requires-product',
      'excludes-product',
      'cluster',
      'journey-stage',
      'converted',
      'dismissed',
      'offer-daily-cap',
      'offer-weekly-cap',
      'weekly-contact-cap',
    ]);
  });
});
