import { describe, expect, it } from 'vitest';
import { decisionCases, touchpointsOf } from '../../../../test/cases/index.js';
import type { Touchpoint } from '../../src/contract/index.js';
import { compileCatalog } from '../../src/domain/catalog.js';
import { decide } from '../../src/domain/decide.js';
import { applyTouchpoints, EMPTY_PROFILE } from '../../src/domain/profile.js';
import { demoCatalog } from '../support/harness.js';

const catalog = compileCatalog(demoCatalog);
const now = new Date(decisionCases.now);

describe('decision cases, in the domain', () => {
  it.each(decisionCases.cases)('$story', (testCase) => {
    const profile = applyTouchpoints(
      EMPTY_PROFILE,
      touchpointsOf(testCase, now) as Touchpoint[],
      catalog.productOfPage,
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
  });
});
