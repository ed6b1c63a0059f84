import { describe, expect, it } from 'vitest';
import { Catalog, type CatalogInput, DEFAULT_JOURNEY } from '../../../src/contract/index.js';
import { compileCatalog } from '../../../src/domain/decision/catalog.js';
import { decide } from '../../../src/domain/decision/decide.js';
import { fireTriggers } from '../../../src/domain/decision/triggers.js';
import { applyExternalTouchpoints } from '../../../src/domain/journeys/external-touchpoints.js';
import {
  DEFAULT_COMPILED_JOURNEY,
  decayedStage,
  type JourneyState,
  journeysAt,
} from '../../../src/domain/journeys/journey.js';
import {
  applyTouchpoints,
  type CustomerProfile,
  EMPTY_PROFILE,
  mergeProfiles,
  type ProfileTouchpoint,
} from '../../../src/domain/journeys/profile.js';
import { demoCatalog } from '../../support/harness.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
const catalog = compileCatalog(demoCatalog);
const noPages = () => undefined;
const tp = (type: ProfileTouchpoint['type'], days: number, product = 'car_loan'): ProfileTouchpoint => ({
  type,
  occurredAt: daysAgo(days),
  channel: 'netbank',
  product,
});
const profileOf = (touchpoints: ProfileTouchpoint[]): CustomerProfile =>
  applyTouchpoints(EMPTY_PROFILE, touchpoints, noPages, catalog.journeyOf);
const hero = (profile: CustomerProfile, now = NOW) =>
  decide({
    catalog,
    profile,
    context: { channel: 'netbank', page: '/dashboard', locale: 'en' },
    placements: ['dashboard-hero'],
    now,
  })[0]!;

/** The demo catalog with one product's journey replaced. */
function catalogWithJourney(product: string, journey: CatalogInput['products'][number]['journey']) {
  const input = structuredClone(demoCatalog) as CatalogInput;
  input.products = input.products.map((p) => (p.id === product ? { ...p, journey } : p));
  return compileCatalog(Catalog.parse(input));
}

describe('journey rules from the catalog', () => {
  it('moves a journey by the product’s own rules, and leaves it where a touchpoint has no rule', () => {
    const cautious = catalogWithJourney('pension', {
      rules: [
        { on: 'product_view', to: 'aware' },
        { on: 'calculator_used', to: 'explore' },
      ],
      decayDays: 30,
    });
    const profile = applyTouchpoints(
      EMPTY_PROFILE,
      [
        tp('product_view', 2, 'pension'),
        tp('calculator_used', 1, 'pension'),
        tp('application_started', 0.5, 'pension'),
      ],
      noPages,
      cautious.journeyOf,
    );
    expect(profile.journeys.pension).toEqual({
      stage: 'explore',
      lastAt: daysAgo(1),
      seen: { product_view: daysAgo(2), calculator_used: daysAgo(1) },
    });
    // The default journey for the car loan is untouched.
    expect(cautious.journeyOf('car_loan')).toEqual(expect.objectContaining({ decayDays: 30 }));
    expect(cautious.journeyOf('car_loan').stageFor('calculator_used')).toBe('compare');
  });

  it('moves a journey by a partner’s visit as the product’s rules say', () => {
    const visits = [{ type: 'external_visit' as const, product: 'car_loan', occurredAt: daysAgo(1) }];
    expect(applyExternalTouchpoints(EMPTY_PROFILE, visits, catalog.journeyOf).journeys.car_loan?.stage).toBe('aware');
    const ignored = catalogWithJourney('car_loan', {
      rules: DEFAULT_JOURNEY.rules.filter((rule) => rule.on !== 'external_visit'),
      decayDays: 30,
    });
    expect(applyExternalTouchpoints(EMPTY_PROFILE, visits, ignored.journeyOf).journeys).toEqual({});
  });
});

describe('interest fading after a silence', () => {
  const state = (stage: JourneyState['stage'], days: number): JourneyState => ({ stage, lastAt: daysAgo(days) });

  it('falls back one stage for every full decayDays of silence, and to no journey below aware', () => {
    const at = NOW.getTime();
    expect(decayedStage(state('compare', 29.9), at, 30)).toBe('compare');
    expect(decayedStage(state('compare', 30), at, 30)).toBe('explore');
    expect(decayedStage(state('compare', 61), at, 30)).toBe('aware');
    expect(decayedStage(state('compare', 90), at, 30)).toBeUndefined();
    expect(decayedStage(state('sign', 45), at, 30)).toBe('apply');
  });

  it('never fades the use stage, nor a journey configured never to fade', () => {
    expect(decayedStage(state('use', 400), NOW.getTime(), 30)).toBe('use');
    expect(decayedStage(state('compare', 400), NOW.getTime(), null)).toBe('compare');
  });

  it('is applied at decision time and traced: the stale compare shows as explore, the faded-away journey is gone', () => {
    const profile = profileOf([tp('calculator_used', 45), tp('product_view', 100, 'pension')]);
    // The stored profile keeps the stage the last touchpoint left.
    expect(profile.journeys.car_loan?.stage).toBe('compare');
    const { journeys, decayed } = journeysAt(profile.journeys, catalog.journeyOf, NOW);
    expect(journeys.car_loan?.stage).toBe('explore');
    expect(journeys.pension).toBeUndefined();
    expect([...decayed].sort((a, b) => a.product.localeCompare(b.product))).toEqual([
      { product: 'car_loan', from: 'compare', to: 'explore', lastAt: daysAgo(45), decayDays: 30 },
      { product: 'pension', from: 'explore', to: null, lastAt: daysAgo(100), decayDays: 30 },
    ]);

    const outcome = hero(profile);
    expect(outcome.offer?.id).toBe('car-loan-price');
    expect(outcome.trace.stages).toEqual({ car_loan: 'explore' });
    expect(outcome.trace.decayed).toEqual(decayed);
    expect(outcome.trace.candidates.find((c) => c.offerId === 'car-loan-quote')?.excludedBy?.rule).toBe(
      'journey-stage',
    );
    expect(outcome.reason).toBe('Because you recently looked at car loan in the bank.');
  });

  it('uses each product’s own fading: a product that fades weekly drops sooner', () => {
    const quick = catalogWithJourney('car_loan', { rules: DEFAULT_JOURNEY.rules, decayDays: 7 });
    const profile = applyTouchpoints(EMPTY_PROFILE, [tp('calculator_used', 15)], noPages, quick.journeyOf);
    expect(journeysAt(profile.journeys, quick.journeyOf, NOW).journeys.car_loan?.stage).toBe('aware');
    expect(journeysAt(profile.journeys, catalog.journeyOf, NOW).journeys.car_loan?.stage).toBe('compare');
  });

  it('fades before a new touchpoint counts: a page view months after a price check starts again at aware', () => {
    const profile = profileOf([tp('calculator_used', 100), tp('page_view', 1)]);
    expect(profile.journeys.car_loan?.stage).toBe('aware');
    // Delivered out of order, the same touchpoints give the same journey.
    const late = profileOf([tp('page_view', 1), tp('calculator_used', 100)]);
    expect(late.journeys.car_loan?.stage).toBe('aware');
    // A touchpoint after a short silence still leaves the further stage.
    expect(profileOf([tp('calculator_used', 10), tp('page_view', 1)]).journeys.car_loan?.stage).toBe('compare');
  });

  it('fades a stale journey of one side when a device’s history joins the customer’s', () => {
    const customer = profileOf([tp('calculator_used', 70)]);
    const device = profileOf([tp('product_view', 1)]);
    expect(mergeProfiles(customer, device, catalog.journeyOf).journeys.car_loan).toEqual({
      stage: 'explore',
      lastAt: daysAgo(1),
      seen: { calculator_used: daysAgo(70), product_view: daysAgo(1) },
    });
    const fresh = profileOf([tp('calculator_used', 2)]);
    expect(mergeProfiles(fresh, device, catalog.journeyOf).journeys.car_loan?.stage).toBe('compare');
  });

  it('reads profiles stored before journeys kept what they saw', () => {
    const old: CustomerProfile = { ...EMPTY_PROFILE, journeys: { car_loan: { stage: 'apply', lastAt: daysAgo(2) } } };
    expect(hero(old).offer?.id).toBe('car-loan-continue');
    expect(hero(old).trace.trigger).toBeUndefined();
    const next = applyTouchpoints(old, [tp('application_started', 0.5)], noPages, catalog.journeyOf);
    expect(next.journeys.car_loan).toEqual({
      stage: 'apply',
      lastAt: daysAgo(0.5),
      seen: { application_started: daysAgo(0.5) },
    });
    expect(DEFAULT_COMPILED_JOURNEY.stageFor('offer_impression')).toBeUndefined();
  });
});

describe('in-app triggers', () => {
  const started = (days: number) => profileOf([tp('calculator_used', days + 0.1), tp('application_started', days)]);

  it('fires nothing before a day has passed since the application was started', () => {
    expect(fireTriggers(demoCatalog.triggers, started(0.9).journeys, NOW)).toEqual({ fired: [], superseded: [] });
    const outcome = hero(started(0.9));
    expect(outcome.offer?.id).toBe('car-loan-continue');
    expect(outcome.trace.trigger).toBeUndefined();
    expect(outcome.trace.triggers).toBeUndefined();
  });

  it('brings the reminder after one day, and names it in the trace', () => {
    const outcome = hero(started(1));
    expect(outcome.offer?.id).toBe('car-loan-continue');
    expect(outcome.trace.trigger).toBe('car-loan-application-reminder');
    expect(outcome.trace.triggers).toEqual({
      fired: [
        { id: 'car-loan-application-reminder', product: 'car_loan', offer: 'car-loan-continue', since: daysAgo(1) },
      ],
      superseded: [],
    });
    expect(outcome.trace.candidates.find((c) => c.offerId === 'car-loan-continue')?.trigger).toBe(
      'car-loan-application-reminder',
    );
  });

  it('replaces the reminder with the incentive after three days', () => {
    const outcome = hero(started(3.5));
    expect(outcome.offer?.id).toBe('car-loan-finish-incentive');
    expect(outcome.trace.trigger).toBe('car-loan-application-incentive');
    expect(outcome.trace.triggers?.superseded).toEqual([
      { id: 'car-loan-application-reminder', by: 'car-loan-application-incentive' },
    ]);
    expect(outcome.content?.headline).toBe('Finish your car-loan application – the set-up fee is on us');
  });

  it('stops once the application is submitted, and fires again for an application started afresh', () => {
    const submitted = profileOf([tp('application_started', 5), tp('application_submitted', 4)]);
    expect(fireTriggers(demoCatalog.triggers, submitted.journeys, NOW).fired).toEqual([]);
    const again = applyTouchpoints(submitted, [tp('application_started', 1.5)], noPages, catalog.journeyOf);
    expect(fireTriggers(demoCatalog.triggers, again.journeys, NOW).fired.map((t) => t.id)).toEqual([
      'car-loan-application-reminder',
    ]);
  });

  it('makes its offer win over an offer of higher priority', () => {
    // A mortgage application started an hour ago outranks the car-loan reminder on priority alone.
    const profile = applyTouchpoints(
      started(1.2),
      [tp('application_started', 0.04, 'mortgage')],
      noPages,
      catalog.journeyOf,
    );
    const outcome = hero(profile);
    const priority = (id: string) => outcome.trace.candidates.find((c) => c.offerId === id)?.score?.priority ?? 0;
    expect(priority('mortgage-continue')).toBeGreaterThan(priority('car-loan-continue'));
    expect(outcome.offer?.id).toBe('car-loan-continue');
    expect(outcome.trace.trigger).toBe('car-loan-application-reminder');
  });

  it('still respects eligibility and the contact policy: a dismissed or capped triggered offer is not shown', () => {
    const dismissed = { ...started(3.5), dismissed: { 'car-loan-finish-incentive': daysAgo(0.2) } };
    const outcome = hero(dismissed);
    expect(outcome.offer?.id).not.toBe('car-loan-finish-incentive');
    expect(outcome.trace.candidates.find((c) => c.offerId === 'car-loan-finish-incentive')?.excludedBy?.rule).toBe(
      'dismissed',
    );
    // The reminder it replaced does not come back in its place: it was superseded, so the offer is only an offer.
    expect(outcome.trace.trigger).toBeUndefined();

    const capped = {
      ...started(3.5),
      impressions: { 'car-loan-finish-incentive': [daysAgo(3), daysAgo(2), daysAgo(1)] },
    };
    const cappedOutcome = hero(capped);
    expect(cappedOutcome.offer?.id).not.toBe('car-loan-finish-incentive');
    expect(
      cappedOutcome.trace.candidates.find((c) => c.offerId === 'car-loan-finish-incentive')?.excludedBy?.rule,
    ).toBe('offer-weekly-cap');

    const vulnerable = { ...started(3.5), attributes: { vulnerable: true } };
    expect(
      hero(vulnerable).trace.candidates.find((c) => c.offerId === 'car-loan-finish-incentive')?.excludedBy,
    ).toEqual({ rule: 'credit-suitability', detail: 'credit offer; the customer is flagged vulnerable' });
  });

  it('never shows an offer meant for triggers alone without its trigger', () => {
    const outcome = hero(started(0.5));
    expect(outcome.trace.candidates.find((c) => c.offerId === 'car-loan-finish-incentive')?.excludedBy?.rule).toBe(
      'trigger-only',
    );
  });

  it('ends when the application has faded out of the apply stage', () => {
    const outcome = hero(started(40));
    expect(outcome.trace.trigger).toBeUndefined();
    expect(outcome.trace.stages.car_loan).toBe('compare');
    expect(outcome.trace.candidates.find((c) => c.offerId === 'car-loan-finish-incentive')?.excludedBy?.rule).toBe(
      'journey-stage',
    );
  });
});
