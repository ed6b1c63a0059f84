import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog, JOURNEY_STAGES } from '../../../src/contract/index.js';
import { LEAD_STAGE_WEIGHT, leadReason, refreshLeads, scoreLead } from '../../../src/domain/advisors/leads.js';
import { compileCatalog } from '../../../src/domain/decision/catalog.js';
import { applyTouchpoints, type CustomerProfile, EMPTY_PROFILE } from '../../../src/domain/journeys/profile.js';
import { demoCatalog } from '../../support/harness.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const DAY_MS = 86_400_000;
const catalog = compileCatalog(demoCatalog);
const carLoan = catalog.products.get('car_loan');
if (!carLoan) throw new Error('the demo catalog has a car loan');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS).toISOString();

/** A customer who looked at the car loan and priced it `days` ago, `calculations` times. */
function pricedCarLoan(days: number, calculations = 1): CustomerProfile {
  return applyTouchpoints(
    { ...EMPTY_PROFILE, attributes: { branch: 'Vejle' } },
    [
      { type: 'product_view', occurredAt: daysAgo(days + 0.01), channel: 'netbank', product: 'car_loan' },
      ...Array.from({ length: calculations }, () => ({
        type: 'calculator_used' as const,
        occurredAt: daysAgo(days),
        channel: 'netbank' as const,
        product: 'car_loan',
      })),
    ],
    catalog.productOfPage,
  );
}

describe('the lead score of a customer for a product', () => {
  it('follows the documented formula: stage weight × recency × (0.7 + 0.3 × engagement)', () => {
    const lead = scoreLead(pricedCarLoan(0, 1), 'car_loan', NOW);
    const engagement = 1 - 0.5 ** (2 / 3);
    expect(lead).toMatchObject({ stage: 'compare', recency: 1 });
    expect(lead?.engagement).toBeCloseTo(engagement, 12);
    expect(lead?.score).toBeCloseTo(0.8 * (0.7 + 0.3 * engagement), 12);
  });

  it('halves its recency every 14 days without activity on the journey', () => {
    const fresh = scoreLead(pricedCarLoan(0), 'car_loan', NOW);
    const old = scoreLead(pricedCarLoan(14), 'car_loan', NOW);
    expect(old?.recency).toBeCloseTo(0.5, 9);
    expect(old?.score).toBeCloseTo((fresh?.score ?? 0) / 2, 9);
  });

  it('grows with engagement and with depth in the journey', () => {
    const once = scoreLead(pricedCarLoan(0, 1), 'car_loan', NOW)?.score ?? 0;
    const often = scoreLead(pricedCarLoan(0, 8), 'car_loan', NOW)?.score ?? 0;
    expect(often).toBeGreaterThan(once);
    const stages = JOURNEY_STAGES.filter((stage) => stage !== 'use').map((stage) => LEAD_STAGE_WEIGHT[stage]);
    expect(stages).toEqual([...stages].sort((a, b) => a - b));
  });

  it('is no lead without a journey, or for a product the customer holds', () => {
    expect(scoreLead(EMPTY_PROFILE, 'car_loan', NOW)).toBeNull();
    expect(scoreLead({ ...pricedCarLoan(0), productsHeld: ['car_loan'] }, 'car_loan', NOW)).toBeNull();
  });

  it('stays within [0, 1] for any stage, age and engagement', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...JOURNEY_STAGES),
        fc.double({ min: -5, max: 3650, noNaN: true }),
        fc.integer({ min: 0, max: 10_000 }),
        (stage, days, touchpoints) => {
          const profile: CustomerProfile = {
            ...EMPTY_PROFILE,
            journeys: { car_loan: { stage, lastAt: daysAgo(days) } },
            productTouchpoints: { car_loan: touchpoints },
          };
          const score = scoreLead(profile, 'car_loan', NOW)?.score ?? 0;
          return score >= 0 && score <= 1;
        },
      ),
    );
  });
});

describe('a lead in words', () => {
  it('says what the customer did and how long ago, in English and Danish', () => {
    expect(leadReason('en', carLoan, 'compare', daysAgo(2), NOW)).toBe(
      'priced a car loan 2 days ago, application not started',
    );
    expect(leadReason('da', carLoan, 'compare', daysAgo(2), NOW)).toBe(
      'beregnede en pris på billån for 2 dage siden, ansøgning ikke startet',
    );
    expect(leadReason('en', carLoan, 'apply', daysAgo(0.2), NOW)).toBe(
      'started a car loan application today, not submitted',
    );
    expect(leadReason('en', carLoan, 'sign', daysAgo(1.5), NOW)).toBe(
      'submitted a car loan application yesterday, not completed',
    );
  });

  it('takes no article for a plural product name', () => {
    const savings = catalog.products.get('savings');
    if (!savings) throw new Error('the demo catalog has savings');
    expect(leadReason('en', savings, 'compare', daysAgo(3), NOW)).toBe(
      'priced savings 3 days ago, application not started',
    );
  });
});

describe('qualifying leads', () => {
  const policy = catalog.source.leads;
  const refresh = (profile: CustomerProfile, previous: Map<string, string | null>, now = NOW) =>
    refreshLeads({
      customerId: 'c-1',
      profile,
      products: ['car_loan'],
      catalogProducts: catalog.products,
      previouslyQualified: previous,
      policy,
      now,
    });

  it('qualifies a lead at the threshold and reports it once, keeping when it first qualified', () => {
    const first = refresh(pricedCarLoan(0, 2), new Map());
    expect(first.leads[0]?.score).toBeGreaterThanOrEqual(policy.qualifyAt);
    expect(first.newlyQualified.map((lead) => lead.product)).toEqual(['car_loan']);
    expect(first.leads[0]).toMatchObject({ branch: 'Vejle', qualifiedAt: NOW.toISOString() });
    expect(first.leads[0]?.reason.en).toBe('priced a car loan today, application not started');

    const earlier = daysAgo(1);
    const again = refresh(pricedCarLoan(0, 3), new Map([['car_loan', earlier]]));
    expect(again.newlyQualified).toEqual([]);
    expect(again.leads[0]?.qualifiedAt).toBe(earlier);
  });

  it('does not qualify a glance, and ends a lead whose product the customer now holds', () => {
    const glance = applyTouchpoints(
      EMPTY_PROFILE,
      [{ type: 'page_view', occurredAt: NOW.toISOString(), channel: 'netbank', page: '/loans/car' }],
      catalog.productOfPage,
    );
    const scored = refresh(glance, new Map());
    expect(scored.leads[0]?.qualifiedAt).toBeNull();
    expect(scored.newlyQualified).toEqual([]);

    const held = refresh({ ...pricedCarLoan(0, 2), productsHeld: ['car_loan'] }, new Map([['car_loan', daysAgo(3)]]));
    expect(held.leads[0]).toMatchObject({ score: 0, qualifiedAt: null });
    expect(held.newlyQualified).toEqual([]);
  });

  it('takes the threshold from the catalog, whose leads section has defaults and is validated', () => {
    const parsed = Catalog.parse({ ...demoCatalog, leads: undefined });
    expect(parsed.leads).toEqual({ qualifyAt: 0.6, advisorCoolDownDays: 14, actionWindowDays: 7 });
    expect(Catalog.parse({ ...demoCatalog, leads: { qualifyAt: 0.3 } }).leads.advisorCoolDownDays).toBe(14);
    const refused = Catalog.safeParse({ ...demoCatalog, leads: { qualifyAt: 1.5, sometimes: true } });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((issue) => issue.path.join('.'))).toEqual(
      expect.arrayContaining(['leads.qualifyAt', 'leads']),
    );
  });
});
