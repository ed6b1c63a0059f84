import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customerToken, decisionRequest, engines, NOW, touchpointOf, useHarness } from '../support/harness.js';

const DAY_MS = 86_400_000;

/** What a customer does with one decision: how often it is seen (again from the cache), clicked, dismissed. */
const Use = fc.record({
  consent: fc.constantFrom('granted', 'granted', 'pending'),
  placement: fc.constantFrom('dashboard-hero', 'product-sidebar'),
  seen: fc.integer({ min: 0, max: 3 }),
  clicks: fc.integer({ min: 0, max: 2 }),
  dismissed: fc.boolean(),
  // The touchpoints come the next day (an offline queue sent later), or name another offer than the decision showed.
  nextDay: fc.boolean(),
  wrongOffer: fc.boolean(),
  clickFirst: fc.boolean(),
});

describe.each(engines)('offer KPIs that add up, on $name', (engine) => {
  const h = useHarness(engine);

  it('never counts more viewable impressions than offers served, nor more clicks than viewable impressions, per offer × placement × day', async () => {
    let customer = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(Use, { minLength: 1, maxLength: 6 }), async (uses) => {
        for (const use of uses) {
          const customerId = `c-kpi-${customer++}`;
          const token = await customerToken(customerId);
          const anonymousId = crypto.randomUUID();
          const request = decisionRequest([use.placement], '/dashboard', anonymousId);
          const decided = await h.post(
            '/v1/decisions',
            { ...request, context: { ...request.context, consent: use.consent } },
            { token },
          );
          expect(decided.status).toBe(200);
          const [decision] = (await decided.json()).decisions as Array<{
            decisionId: string;
            offer: { offerId: string } | null;
          }>;
          await h.touchpoint.flush();
          if (!decision?.offer) continue;
          const about = {
            offer: use.wrongOffer ? 'car-loan-quote' : decision.offer.offerId,
            placement: use.placement,
            decisionId: decision.decisionId,
          };
          const at = (i: number) => new Date(NOW.getTime() - (use.nextDay ? 0 : DAY_MS) + i * 1000).toISOString();
          const touchpoints = [
            ...Array.from({ length: use.seen }, (_, i) => ({
              ...touchpointOf('offer_impression', about),
              occurredAt: at(i),
            })),
            ...Array.from({ length: use.clicks }, (_, i) => ({
              ...touchpointOf('offer_click', about),
              occurredAt: at(10 + i),
            })),
            ...(use.dismissed ? [{ ...touchpointOf('offer_dismiss', about), occurredAt: at(20) }] : []),
          ];
          if (use.clickFirst) touchpoints.reverse();
          // Sent in two batches, as an SDK that flushes twice would.
          const half = Math.ceil(touchpoints.length / 2);
          for (const batch of [touchpoints.slice(0, half), touchpoints.slice(half)]) {
            if (batch.length === 0) continue;
            const sent = await h.post('/v1/touchpoints', { anonymousId, touchpoints: batch }, { token });
            expect(sent.status).toBe(200);
          }
        }
        const totals = new Map<string, { served: number; viewable: number; clicks: number }>();
        for (const row of await h.store.offerDailyCounts()) {
          const key = `${row.offerId} ${row.placement} ${row.day}`;
          const total = totals.get(key) ?? { served: 0, viewable: 0, clicks: 0 };
          if (row.type === 'served') total.served += row.count;
          if (row.type === 'offer_impression') total.viewable += row.count;
          if (row.type === 'offer_click') total.clicks += row.count;
          totals.set(key, total);
        }
        for (const [key, total] of totals) {
          expect(total.viewable, key).toBeLessThanOrEqual(total.served);
          expect(total.clicks, key).toBeLessThanOrEqual(total.viewable);
        }
      }),
      { numRuns: 12, seed: 20261207 },
    );
  }, 300_000);
});
