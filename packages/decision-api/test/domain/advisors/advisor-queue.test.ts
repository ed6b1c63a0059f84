import { describe, expect, it } from 'vitest';
import { advisorKpis } from '../../../src/domain/advisors/advisor-kpis.js';
import { applyAdvisorOutcome } from '../../../src/domain/advisors/advisor-outcome.js';
import { advisorQueue, type QueueCandidate } from '../../../src/domain/advisors/advisor-queue.js';
import { compileCatalog } from '../../../src/domain/decision/catalog.js';
import { decide } from '../../../src/domain/decision/decide.js';
import { weeklyContactCount } from '../../../src/domain/decision/eligibility.js';
import {
  applyTouchpoints,
  type CustomerAttributes,
  type CustomerProfile,
  EMPTY_PROFILE,
} from '../../../src/domain/journeys/profile.js';
import { demoCatalog } from '../../support/harness.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const DAY_MS = 86_400_000;
const catalog = compileCatalog(demoCatalog);
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS).toISOString();
const consenting: CustomerAttributes = { branch: 'Vejle', contactConsent: true };

function pricing(product: string, days: number, attributes: CustomerAttributes = consenting): CustomerProfile {
  return applyTouchpoints(
    { ...EMPTY_PROFILE, attributes },
    [
      { type: 'product_view', occurredAt: daysAgo(days + 0.01), channel: 'netbank', product },
      { type: 'calculator_used', occurredAt: daysAgo(days), channel: 'netbank', product },
    ],
    catalog.productOfPage,
  );
}

const queueOf = (candidates: QueueCandidate[], limit = 10) =>
  advisorQueue({
    candidates,
    products: catalog.products,
    offers: catalog.offers.values(),
    contactPolicy: catalog.source.contactPolicy,
    leadPolicy: catalog.source.leads,
    locale: 'en',
    now: NOW,
    limit,
  });

const outcome = (profile: CustomerProfile, kind: 'contacted' | 'not_reached' | 'not_relevant' | 'sold', at = NOW) =>
  applyAdvisorOutcome(
    profile,
    { product: 'car_loan', outcome: kind, at: at.toISOString() },
    [...catalog.offers.values()].filter((offer) => offer.product === 'car_loan').map((offer) => offer.id),
  );

describe('the advisor queue', () => {
  it('ranks customers by their lead score now and says why, each customer once for their best product', () => {
    const { entries } = queueOf([
      { customerId: 'c-old', product: 'car_loan', profile: pricing('car_loan', 9) },
      { customerId: 'c-new', product: 'car_loan', profile: pricing('car_loan', 2) },
      { customerId: 'c-new', product: 'pension', profile: pricing('pension', 6) },
    ]);
    expect(entries.map((entry) => [entry.customerId, entry.product])).toEqual([
      ['c-new', 'car_loan'],
      ['c-old', 'car_loan'],
    ]);
    expect(entries[0]?.reason).toBe('priced a car loan 2 days ago, application not started');
  });

  it('keeps out whom the contact policy protects, naming the rule', () => {
    const ok = pricing('car_loan', 1);
    const cases: Array<[string, CustomerProfile]> = [
      ['consent', pricing('car_loan', 1, { branch: 'Vejle' })],
      ['consent', pricing('car_loan', 1, { branch: 'Vejle', contactConsent: false })],
      ['credit-suitability', pricing('car_loan', 1, { ...consenting, vulnerable: true })],
      ['credit-suitability', pricing('car_loan', 1, { ...consenting, arrears: true })],
      ['advisor-cool-down', { ...ok, advisorContacts: [daysAgo(10)] }],
      ['dismissed', outcome(ok, 'not_relevant', new Date(NOW.getTime() - 20 * DAY_MS))],
      ['dismissed', { ...ok, dismissed: { 'car-loan-price': daysAgo(3) } }],
      ['product-held', { ...ok, productsHeld: ['car_loan'] }],
    ];
    for (const [rule, profile] of cases) {
      const result = queueOf([{ customerId: 'c-1', product: 'car_loan', profile }]);
      expect(result.entries, rule).toEqual([]);
      expect(result.excluded, rule).toEqual({ [rule]: 1 });
    }
    // Vulnerability rules out credit only: a pension can still be discussed.
    const pension = queueOf([
      { customerId: 'c-2', product: 'pension', profile: pricing('pension', 1, { ...consenting, vulnerable: true }) },
    ]);
    expect(pension.entries.map((entry) => entry.product)).toEqual(['pension']);
    // After the cool-downs, the customer is back.
    const rested = { ...ok, advisorContacts: [daysAgo(15)], dismissedProducts: { car_loan: daysAgo(31) } };
    expect(queueOf([{ customerId: 'c-3', product: 'car_loan', profile: rested }]).entries).toHaveLength(1);
  });

  it('counts in-app impressions and advisor contacts against one weekly cap', () => {
    const cap = catalog.source.contactPolicy.weeklyContactsPerCustomer;
    const seen = {
      ...pricing('car_loan', 1),
      impressions: { 'pension-check': Array.from({ length: cap }, () => daysAgo(2)) },
    };
    expect(weeklyContactCount(seen, catalog.offers.values(), NOW)).toBe(cap);
    expect(queueOf([{ customerId: 'c-1', product: 'car_loan', profile: seen }]).excluded).toEqual({
      'weekly-contact-cap': 1,
    });
  });
});

describe('what an advisor’s outcome does to the profile', () => {
  const hero = (profile: CustomerProfile) =>
    decide({
      catalog,
      profile,
      context: { channel: 'netbank', page: '/dashboard', locale: 'en' },
      placements: ['dashboard-hero'],
      now: NOW,
    })[0];

  it('an advisor’s calls use up the weekly cap of the in-app placements too', () => {
    const cap = catalog.source.contactPolicy.weeklyContactsPerCustomer;
    const before = hero(pricing('car_loan', 0));
    expect(before?.offer?.product).toBe('car_loan');
    const called = { ...pricing('car_loan', 0), advisorContacts: Array.from({ length: cap }, () => daysAgo(1)) };
    const after = hero(called);
    expect(after?.offer?.product ?? null).toBeNull();
    expect(after?.trace.contactPolicy).toEqual({ weeklyContacts: cap, weeklyCap: cap });
    expect(after?.trace.candidates.find((c) => c.offerId === before?.offer?.id)?.excludedBy?.rule).toBe(
      'weekly-contact-cap',
    );
  });

  it('a reached customer counts as a contact; an unanswered call changes nothing', () => {
    const profile = pricing('car_loan', 1);
    expect(outcome(profile, 'not_reached')).toBe(profile);
    expect(outcome(profile, 'contacted').advisorContacts).toEqual([NOW.toISOString()]);
  });

  it('a sale is the conversion: the product is held and its journey is at use', () => {
    const sold = outcome(pricing('car_loan', 1), 'sold');
    expect(sold.productsHeld).toContain('car_loan');
    expect(sold.journeys.car_loan).toEqual({ stage: 'use', lastAt: NOW.toISOString() });
    expect(hero(sold)?.offer?.product).not.toBe('car_loan');
  });

  it('"not relevant" rests the product in the bank’s placements too, for the dismissal cool-down', () => {
    const dismissed = outcome(pricing('car_loan', 0), 'not_relevant');
    expect(dismissed.dismissedProducts).toEqual({ car_loan: NOW.toISOString() });
    expect(hero(dismissed)?.offer?.product).not.toBe('car_loan');
  });
});

describe('the advisor action rate', () => {
  it('is acted ÷ settled presentations, per advisor and per branch, with outcome counts', () => {
    const kpis = advisorKpis(
      [
        { advisorId: 'a.jensen', branch: 'Vejle', presented: 10, acted: 4, pending: 2 },
        { advisorId: 'b.larsen', branch: 'Vejle', presented: 4, acted: 1, pending: 0 },
        { advisorId: 'b.larsen', branch: 'Køge', presented: 3, acted: 0, pending: 3 },
      ],
      [
        { advisorId: 'a.jensen', branch: 'Vejle', outcome: 'sold', count: 1 },
        { advisorId: 'a.jensen', branch: 'Vejle', outcome: 'contacted', count: 3 },
        { advisorId: 'b.larsen', branch: 'Vejle', outcome: 'not_reached', count: 1 },
      ],
    );
    expect(kpis.advisors).toEqual([
      {
        advisorId: 'a.jensen',
        presented: 10,
        acted: 4,
        pending: 2,
        actionRate: 0.5,
        outcomes: { contacted: 3, not_reached: 0, not_relevant: 0, sold: 1 },
      },
      {
        advisorId: 'b.larsen',
        presented: 7,
        acted: 1,
        pending: 3,
        actionRate: 0.25,
        outcomes: { contacted: 0, not_reached: 1, not_relevant: 0, sold: 0 },
      },
    ]);
    expect(kpis.branches.map((b) => [b.branch, b.actionRate])).toEqual([
      ['Køge', null],
      ['Vejle', 5 / 12],
    ]);
  });
});
