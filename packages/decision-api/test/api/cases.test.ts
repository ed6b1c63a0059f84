import { beforeEach, describe, expect, it } from 'vitest';
import { caseCustomerId, decisionCases, partnerTouchpointsOf, touchpointsOf } from '../../../../test/cases/index.js';
import { customerToken, engines, MOBILE_KEY, NETBANK_KEY, signedByPartner, useHarness } from '../support/harness.js';

const now = new Date(decisionCases.now);

describe.each(engines)('decision cases, through the API on $name', (engine) => {
  const h = useHarness(engine);
  beforeEach(() => h.setNow(now));

  it.each(decisionCases.cases)('$story', async (testCase) => {
    const key = testCase.channel === 'netbank' ? NETBANK_KEY : MOBILE_KEY;
    const anonymousId = crypto.randomUUID();
    // Partners name customers: a case with a partner's visits is a logged-in customer's.
    const customerId = caseCustomerId('c-case');
    const partnerTouchpoints = partnerTouchpointsOf(testCase, now, customerId);
    const token = partnerTouchpoints.length > 0 ? await customerToken(customerId) : undefined;
    if (partnerTouchpoints.length > 0) {
      const reported = await h.post(
        '/v1/partner/touchpoints',
        undefined,
        signedByPartner({ touchpoints: partnerTouchpoints }),
      );
      expect((await reported.json()).accepted).toHaveLength(partnerTouchpoints.length);
    }
    const touchpoints = touchpointsOf(testCase, now);
    if (touchpoints.length > 0) {
      const ingest = await h.post(
        '/v1/touchpoints',
        { anonymousId, touchpoints },
        { key, ...(token ? { token } : {}) },
      );
      expect((await ingest.json()).accepted).toHaveLength(touchpoints.length);
    }
    const response = await h.post(
      '/v1/decisions',
      {
        anonymousId,
        context: { channel: testCase.channel, page: testCase.page, locale: 'en', consent: 'granted' },
        placements: testCase.placements,
      },
      { key, ...(token ? { token } : {}) },
    );
    const { decisions } = (await response.json()) as {
      decisions: Array<{ placement: string; decisionId: string; offer: { offerId: string } | null }>;
    };
    expect(Object.fromEntries(decisions.map((d) => [d.placement, d.offer?.offerId ?? null]))).toEqual(testCase.expect);

    await h.touchpoint.flush();
    const traces = (await Promise.all(decisions.map((d) => h.store.decision(d.decisionId)))).map(
      (stored) =>
        stored?.trace as
          | {
              candidates: Array<{ offerId: string; excludedBy?: { rule: string } }>;
              trigger?: string;
              decayed?: Array<{ product: string; to: string | null }>;
            }
          | undefined,
    );
    if (testCase.trigger) {
      expect(Object.fromEntries(decisions.map((d, i) => [d.placement, traces[i]?.trigger ?? null]))).toEqual(
        testCase.trigger,
      );
    }
    if (testCase.decayed) {
      for (const trace of traces) {
        expect(Object.fromEntries((trace?.decayed ?? []).map((d) => [d.product, d.to]))).toEqual(testCase.decayed);
      }
    }
    for (const [offerId, rule] of Object.entries(testCase.excluded ?? {})) {
      const rules = traces
        .flatMap((t) => t?.candidates ?? [])
        .filter((c) => c.offerId === offerId)
        .map((c) => c.excludedBy?.rule);
      expect(rules, offerId).toContain(rule);
    }
  });
});
