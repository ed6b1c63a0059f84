import { describe, expect, it } from 'vitest';
import { decisionCases, partnerTouchpointsOf, touchpointsOf } from '../../../../../test/cases/index.js';
import type { Touchpoint } from '../../../src/contract/index.js';
import { compileCatalog } from '../../../src/domain/decision/catalog.js';
import { decide } from '../../../src/domain/decision/decide.js';
import { applyExternalTouchpoints } from '../../../src/domain/journeys/external-touchpoints.js';
import { applyTouchpoints, EMPTY_PROFILE } from '../../../src/domain/journeys/profile.js';
import { demoCatalog } from '../../support/harness.js';

const catalog = compileCatalog(demoCatalog);
const now = new Date(decisionCases.now);

describe('decision cases, in the domain', () => {
  it.each(decisionCases.cases)('$story', (testCase) => {
    const seenElsewhere = applyExternalTouchpoints(
      EMPTY_PROFILE,
      partnerTouchpointsOf(testCase, now, 'c-case'),
      catalog.journeyOf,
    );
    const profile = applyTouchpoints(
      seenElsewhere,
      touchpointsOf(testCase, now) as Touchpoint[],
      catalog.productOfPage,
      catalog.journeyOf,
    );
    const outcomes = decide({
      catalog,
      profile,
      context: { channel: testCase.channel, page: testCase.page, locale: 'en' },
      placements: testCase.placements,
      now,
    });
    expect(Object.fromEntries(outcomes.map((o) => [o.placement, o.offer?.id ?? null]))).toEqual(testCase.expect);
    for (const [offerId, rule] of Object.entries(testCase.excluded ?? {})) {
      const rules = outcomes
        .flatMap((o) => o.trace.candidates)
        .filter((c) => c.offerId === offerId)
        .map((c) => c.excludedBy?.rule);
      expect(rules, offerId).toContain(rule);
    }
    if (testCase.trigger) {
      expect(Object.fromEntries(outcomes.map((o) => [o.placement, o.trace.trigger ?? null]))).toEqual(testCase.trigger);
    }
    if (testCase.decayed) {
      for (const outcome of outcomes) {
        const decayed = Object.fromEntries((outcome.trace.decayed ?? []).map((d) => [d.product, d.to]));
        expect(decayed).toEqual(testCase.decayed);
        for (const [product, stage] of Object.entries(testCase.decayed)) {
          expect(outcome.trace.stages[product]).toBe(stage ?? undefined);
        }
      }
    }
  });
});
