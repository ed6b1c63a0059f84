import { beforeEach, describe, expect, it } from 'vitest';
import { decisionCases, touchpointsOf } from '../../../../test/cases/index.js';
import { engines, MOBILE_KEY, NETBANK_KEY, useHarness } from '../support/harness.js';

const now = new Date(decisionCases.now);

describe.each(engines)('decision cases, through the API on $name', (engine) => {
  const h = useHarness(engine);
  beforeEach(() => h.setNow(now));

  it.each(decisionCases.cases)('$story', async (testCase) => {
    const key = testCase.channel === 'netbank' ? NETBANK_KEY : MOBILE_KEY;
    const anonymousId = crypto.randomUUID();
    const touchpoints = touchpointsOf(testCase, now);
    if (touchpoints.length > 0) {
      const ingest = await h.post('/v1/touchpoints', { anonymousId, touchpoints }, { key });
      expect((await ingest.json()).accepted).toHaveLength(touchpoints.length);
    }
    const response = await h.post(
      '/v1/decisions',
      {
        anonymousId,
        context: { channel: testCase.channel, page: testCase.page, locale: 'en', consent: 'granted' },
        placements: testCase.placements,
      },
      { key },
    );
    const { decisions } = (await response.json()) as {
      decisions: Array<{ placement: string; decisionId: string; offer: { offerId: string } | null }>;
    };
    expect(Object.fromEntries(decisions.map((d) => [d.placement, d.offer?.offerId ?? null]))).toEqual(testCase.expect);

    await h.touchpoint.flush();
    for (const [offerId, rule] of Object.entries(testCase.excluded ?? {})) {
      const traces = await Promise.all(decisions.map((d) => h.store.decision(d.decisionId)));
      const rules = traces
        .flatMap(
          (t) =>
            (t?.trace as { candidates: Array<{ offerId: string; excludedBy?: { rule: string } }> } | undefined)
              ?.candidates ?? [],
        )
        .filter((c) => c.offerId === offerId)
        .map((c) => c.excludedBy?.rule);
      expect(rules, offerId).toContain(rule);
    }
  });
});
