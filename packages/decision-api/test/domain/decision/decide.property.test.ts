import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OFFER_CAPS, JOURNEY_STAGES, type Offer } from '../../../src/contract/index.js';
import { compileCatalog } from '../../../src/domain/decision/catalog.js';
import { decide } from '../../../src/domain/decision/decide.js';
import { checkEligibility, impressionsWithin, rulesByOffer } from '../../../src/domain/decision/eligibility.js';
import { learnedModel } from '../../../src/domain/decision/learned-model.js';
import { evidenceKey, type OfferEvidence, POOLED_CLUSTER } from '../../../src/domain/decision/learning.js';
import { journeysAt } from '../../../src/domain/journeys/journey.js';
import type { CustomerProfile } from '../../../src/domain/journeys/profile.js';
import { demoCatalog } from '../../support/harness.js';

const catalog = compileCatalog(demoCatalog);
const productIds = demoCatalog.products.map((p) => p.id);
const offerIds = demoCatalog.offers.map((o) => o.id);
const placementIds = demoCatalog.placements.map((p) => p.id);
const NOW = new Date('2026-11-22T12:00:00Z');
const isoWithin = (days: number) =>
  fc.integer({ min: 0, max: days * 86_400 }).map((seconds) => new Date(NOW.getTime() - seconds * 1000).toISOString());

const profileArb: fc.Arbitrary<CustomerProfile> = fc.record({
  journeys: fc.dictionary(
    fc.constantFrom(...productIds),
    fc.record(
      {
        stage: fc.constantFrom(...JOURNEY_STAGES),
        lastAt: isoWithin(90),
        // When applications were started, submitted and completed: what in-app triggers wait on.
        seen: fc.record(
          {
            application_started: isoWithin(6),
            application_submitted: isoWithin(6),
            application_completed: isoWithin(6),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['stage', 'lastAt'] },
    ),
  ),
  productsHeld: fc.subarray(productIds),
  dismissed: fc.dictionary(fc.constantFrom(...offerIds), isoWithin(60)),
  converted: fc.dictionary(fc.constantFrom(...offerIds), isoWithin(60)),
  impressions: fc.dictionary(fc.constantFrom(...offerIds), fc.array(isoWithin(9), { maxLength: 4 })),
  touchpointCount: fc.nat(500),
  lastSeenAt: fc.option(isoWithin(90), { nil: null }),
});
const inputArb = fc.record({
  profile: profileArb,
  channel: fc.constantFrom('netbank' as const, 'mobilebank' as const),
  locale: fc.constantFrom('da' as const, 'en' as const),
  page: fc.constantFrom('/dashboard', '/loans/car', '/mortgage', '/pension', '/'),
  placements: fc.uniqueArray(fc.constantFrom(...placementIds), { minLength: 1, maxLength: placementIds.length }),
});

describe('the decision, for any customer', () => {
  it('never returns an offer that an eligibility rule excludes', () => {
    fc.assert(
      fc.property(inputArb, ({ profile, channel, locale, page, placements }) => {
        for (const outcome of decide({ catalog, profile, context: { channel, locale, page }, placements, now: NOW })) {
          if (!outcome.offer) continue;
          expect(
            checkEligibility({
              offer: outcome.offer,
              // Eligibility sees each journey as it stands now, faded for its silence.
              profile: { ...profile, journeys: journeysAt(profile.journeys, catalog.journeyOf, NOW).journeys },
              channel,
              now: NOW,
              policy: demoCatalog.contactPolicy,
              weeklyContacts: outcome.trace.contactPolicy.weeklyContacts,
            }),
          ).toBeNull();
          expect(outcome.offer.placements).toContain(outcome.placement);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same decisions for the same inputs', () => {
    fc.assert(
      fc.property(inputArb, ({ profile, channel, locale, page, placements }) => {
        const input = { catalog, profile, context: { channel, locale, page }, placements, now: NOW };
        const copy = { ...input, profile: structuredClone(profile) };
        expect(decide(copy)).toEqual(decide(input));
      }),
      { numRuns: 100 },
    );
  });

  it('traces every candidate: the rule that excluded it, or its score; and the winner has the top priority among those a trigger fired for, if any', () => {
    fc.assert(
      fc.property(inputArb, ({ profile, channel, locale, page, placements }) => {
        for (const outcome of decide({ catalog, profile, context: { channel, locale, page }, placements, now: NOW })) {
          for (const candidate of outcome.trace.candidates) {
            expect(candidate.excludedBy !== undefined || candidate.score !== undefined).toBe(true);
          }
          const eligible = outcome.trace.candidates.filter((c) => c.score && !c.excludedBy && !c.shownElsewhere);
          const triggered = eligible.filter((c) => c.trigger !== undefined);
          const open = triggered.length > 0 ? triggered : eligible;
          if (triggered.length > 0)
            expect(outcome.trace.trigger).toBe(triggered.find((c) => c.offerId === outcome.offer?.id)?.trigger);
          const top = Math.max(...open.map((c) => c.score?.priority ?? 0));
          if (outcome.offer) {
            expect(outcome.trace.winner).toBe(outcome.offer.id);
            expect(open.find((c) => c.offerId === outcome.offer?.id)?.score?.priority).toBe(top);
          } else {
            expect(open).toEqual([]);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never exceeds a contact cap, and shows at most one credit offer per page', () => {
    fc.assert(
      fc.property(inputArb, ({ profile, channel, locale, page, placements }) => {
        const outcomes = decide({ catalog, profile, context: { channel, locale, page }, placements, now: NOW });
        const weekly = [...catalog.offers.values()]
          .filter((o) => o.product !== null)
          .reduce((sum, o) => sum + impressionsWithin(profile, o.id, NOW, 7), 0);
        for (const { offer } of outcomes) {
          if (!offer || offer.product === null) continue;
          expect(impressionsWithin(profile, offer.id, NOW, 1)).toBeLessThan((offer.caps ?? DEFAULT_OFFER_CAPS).perDay);
          expect(impressionsWithin(profile, offer.id, NOW, 7)).toBeLessThan((offer.caps ?? DEFAULT_OFFER_CAPS).perWeek);
          expect(weekly).toBeLessThan(demoCatalog.contactPolicy.weeklyContactsPerCustomer);
        }
        expect(outcomes.filter((o) => o.offer?.credit).length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('shows an offer at most once per page', () => {
    fc.assert(
      fc.property(inputArb, ({ profile, channel, locale, page, placements }) => {
        const shown = decide({ catalog, profile, context: { channel, locale, page }, placements, now: NOW }).flatMap(
          (o) => (o.offer ? [o.offer.id] : []),
        );
        expect(new Set(shown).size).toBe(shown.length);
      }),
      { numRuns: 200 },
    );
  });

  it('with learning and exploration: the same inputs and seed give the same decisions', () => {
    fc.assert(
      fc.property(learningInputArb, (input) => {
        // A model made again from the same evidence, moment and version: the same posteriors and draws.
        const learned = learnedModel(new Map(input.learned.evidence), NOW, input.learned.version);
        const copy = { ...input, profile: structuredClone(input.profile), learned };
        expect(decide(copy)).toEqual(decide(input));
      }),
      { numRuns: 150 },
    );
  });

  it('with learning and exploration: never an ineligible offer, never over a cap, and the trace names each exclusion', () => {
    fc.assert(
      fc.property(learningInputArb, (input) => {
        const { profile, now } = input;
        const outcomes = decide(input);
        const weekly = [...catalog.offers.values()]
          .filter((o) => o.product !== null)
          .reduce((sum, o) => sum + impressionsWithin(profile, o.id, now, 7), 0);
        // Eligibility sees each journey as it stands now, faded for its silence.
        const seenNow = { ...profile, journeys: journeysAt(profile.journeys, catalog.journeyOf, now).journeys };
        for (const outcome of outcomes) {
          const eligibility = (offerId: string) =>
            checkEligibility({
              offer: catalog.offers.get(offerId) as NonNullable<ReturnType<typeof catalog.offers.get>>,
              profile: seenNow,
              channel: input.context.channel,
              now,
              policy: demoCatalog.contactPolicy,
              weeklyContacts: outcome.trace.contactPolicy.weeklyContacts,
              cluster: input.cluster,
            });
          for (const candidate of outcome.trace.candidates) {
            if (candidate.excludedBy?.rule === 'one-credit-offer' || candidate.excludedBy?.rule === 'trigger-only')
              continue;
            expect(eligibility(candidate.offerId)?.rule).toBe(candidate.excludedBy?.rule);
          }
          expect(outcome.trace.seed).toBe(input.seed);
          // The choice's probability: never 0 for what was chosen (the decision's own draw chose it), and with the
          // runner-up's never more than 1.
          const { propensity, runnerUp } = outcome.trace;
          expect(propensity).toBeGreaterThan(0);
          expect(propensity).toBeLessThanOrEqual(1);
          expect(propensity + (runnerUp?.propensity ?? 0)).toBeLessThanOrEqual(1 + 1e-12);
          if (runnerUp) expect(runnerUp.offerId).not.toBe(outcome.offer?.id);
          const eligible = outcome.trace.candidates.filter((c) => c.score && !c.excludedBy && !c.shownElsewhere);
          // An offer a trigger fired for wins over the others.
          const triggered = eligible.filter((c) => c.trigger !== undefined);
          const open = triggered.length > 0 ? triggered : eligible;
          const { offer } = outcome;
          if (!offer) {
            expect(open).toEqual([]);
            continue;
          }
          expect(open.find((c) => c.offerId === offer.id)?.score?.priority).toBe(
            Math.max(...open.map((c) => c.score?.priority ?? 0)),
          );
          expect(eligibility(offer.id)).toBeNull();
          if (offer.product === null) continue;
          expect(impressionsWithin(profile, offer.id, now, 1)).toBeLessThan((offer.caps ?? DEFAULT_OFFER_CAPS).perDay);
          expect(impressionsWithin(profile, offer.id, now, 7)).toBeLessThan((offer.caps ?? DEFAULT_OFFER_CAPS).perWeek);
          expect(weekly).toBeLessThan(demoCatalog.contactPolicy.weeklyContactsPerCustomer);
          const score = outcome.trace.candidates.find((c) => c.offerId === offer.id)?.score;
          expect(score?.source).toBe(input.bankScores.has(offer.id) ? 'bank-model' : 'learned');
          expect(score?.learned?.cluster ?? input.cluster ?? POOLED_CLUSTER).toBe(input.cluster ?? POOLED_CLUSTER);
        }
        expect(outcomes.filter((o) => o.offer?.credit).length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });
});

const evidenceArb: fc.Arbitrary<OfferEvidence> = fc
  .record({ impressions: fc.nat(5_000), rate: fc.double({ min: 0, max: 1, noNaN: true }), ageDays: fc.nat(120) })
  .map(({ impressions, rate, ageDays }) => ({
    impressions,
    clicks: Math.floor(impressions * rate * 1.5),
    conversions: Math.floor(impressions * rate),
    at: new Date(NOW.getTime() - ageDays * 86_400_000).toISOString(),
  }));
const clusterArb = fc.option(fc.constantFrom('cluster-1', 'cluster-2', 'cluster-3'), { nil: null });
const learningInputArb = fc
  .record({
    base: inputArb,
    cluster: clusterArb,
    learned: fc.array(
      fc.tuple(
        fc.option(fc.constantFrom('cluster-1', 'cluster-2'), { nil: null }),
        fc.constantFrom(...offerIds),
        evidenceArb,
      ),
      {
        maxLength: 20,
      },
    ),
    bankScores: fc.dictionary(fc.constantFrom(...offerIds), fc.double({ min: 0, max: 1, noNaN: true }), { maxKeys: 4 }),
    seed: fc.nat({ max: 0xffffffff }),
  })
  .map(({ base, cluster, learned, bankScores, seed }) => ({
    catalog,
    profile: base.profile,
    context: { channel: base.channel, locale: base.locale, page: base.page },
    placements: base.placements,
    now: NOW,
    cluster,
    learned: learnedModel(
      new Map(learned.map(([c, offer, evidence]) => [evidenceKey(c, offer), evidence])),
      NOW,
      seed % 7,
    ),
    bankScores: new Map(
      Object.entries(bankScores).map(([offer, score]) => [offer, { score, modelName: 'm', modelVersion: '1' }]),
    ),
    seed,
  }));

describe('the rules checked for an offer', () => {
  const around = fc
    .integer({ min: -30 * 86_400, max: 30 * 86_400 })
    .map((seconds) => new Date(NOW.getTime() + seconds * 1000).toISOString());
  const offerArb: fc.Arbitrary<Offer> = fc
    .record({
      base: fc.constantFrom(...demoCatalog.offers),
      validFrom: fc.option(around, { nil: undefined }),
      validTo: fc.option(around, { nil: undefined }),
      credit: fc.boolean(),
      minAge: fc.option(fc.integer({ min: 16, max: 70 }), { nil: undefined }),
      maxAge: fc.option(fc.integer({ min: 30, max: 90 }), { nil: undefined }),
      requiresProducts: fc.subarray(productIds, { maxLength: 2 }),
      excludesProducts: fc.subarray(productIds, { maxLength: 2 }),
      clusters: fc.subarray(['cluster-1', 'cluster-2']),
    })
    .map(({ base, validFrom, validTo, credit, minAge, maxAge, ...lists }) => ({
      ...base,
      ...(validFrom === undefined ? {} : { validFrom }),
      ...(validTo === undefined ? {} : { validTo }),
      credit,
      rules: {
        ...(minAge === undefined ? {} : { minAge }),
        ...(maxAge === undefined ? {} : { maxAge }),
        ...lists,
      },
    }));
  const attributesArb = fc.record(
    { birthYear: fc.integer({ min: 1940, max: 2012 }), vulnerable: fc.boolean(), arrears: fc.boolean() },
    { requiredKeys: [] },
  );

  it('leave out only rules the offer cannot fail: the exclusion is the one all the rules give', () => {
    fc.assert(
      fc.property(
        offerArb,
        profileArb,
        attributesArb,
        fc.constantFrom('netbank' as const, 'mobilebank' as const),
        fc.option(fc.constantFrom('cluster-1', 'cluster-2'), { nil: null }),
        fc.nat(12),
        (offer, profile, attributes, channel, cluster, weeklyContacts) => {
          const input = {
            offer,
            profile: { ...profile, attributes },
            channel,
            now: NOW,
            policy: demoCatalog.contactPolicy,
            weeklyContacts,
            cluster,
          };
          expect(checkEligibility(input, rulesByOffer([offer])[0])).toEqual(checkEligibility(input));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('skip, for a house offer, the rules about products, journeys and caps', () => {
    const house = demoCatalog.offers.find((offer) => offer.product === null) as Offer;
    expect(rulesByOffer([house])[0]?.map((rule) => rule.name)).toEqual(['channel', 'converted', 'dismissed']);
  });
});
