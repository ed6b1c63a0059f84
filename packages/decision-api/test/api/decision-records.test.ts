import { describe, expect, it } from 'vitest';
import type { Store, StoredDecision } from '../../src/store/store.js';
import { customerToken, decisionRequest, engines, useHarness } from '../support/harness.js';

interface Decision {
  decisionId: string;
  why?: string;
}

/** The real store, its decision writes held until the test lets them through: a store that has fallen behind. */
function heldWrites() {
  let release: () => void = () => {};
  let held = Promise.resolve();
  const writes: number[] = [];
  return {
    writes,
    hold() {
      held = new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
    wrap: (store: Store): Store =>
      new Proxy(store, {
        get(target, key, receiver) {
          if (key !== 'recordDecisions') return Reflect.get(target, key, receiver);
          return async (decisions: readonly StoredDecision[]) => {
            writes.push(decisions.length);
            await held;
            return target.recordDecisions(decisions);
          };
        },
      }),
  };
}

describe.each(engines)('every served decision is recorded, on $name', (engine) => {
  const store = heldWrites();
  // Two placements a request: three requests' records fit, the fourth would be the seventh and eighth.
  const h = useHarness(engine, { wrapStore: store.wrap, recorder: { maxKept: 6 } });

  it('when the records are behind the store, decisions are refused with 503 and Retry-After, and every one served has its record', async () => {
    store.hold();
    const tokens = await Promise.all(
      Array.from({ length: 8 }, (_, i) => customerToken(`recorded-${String.fromCharCode(97 + i)}`)),
    );
    const answers: Response[] = [];
    for (const token of tokens) {
      answers.push(await h.post('/v1/decisions', decisionRequest(['dashboard-hero', 'product-sidebar']), { token }));
    }
    const statuses = answers.map((answer) => answer.status);
    expect(statuses).toEqual([200, 200, 200, 503, 503, 503, 503, 503]);
    for (const refused of answers.filter((answer) => answer.status === 503)) {
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(refused.headers.get('retry-after')).toBe('2');
      const problem = await refused.json();
      expect(problem).toMatchObject({ status: 503, type: 'https://touchpoint.dev/problems/decisions-unrecorded' });
    }
    expect(h.touchpoint.services.recorder.refused).toBe(10);
    // The first write is still held: nothing kept was dropped for the ones refused.
    expect(store.writes.length).toBeGreaterThan(0);
    store.release();
    await h.touchpoint.flush();

    const served: Array<{ decision: Decision; token: string }> = [];
    for (const [i, answer] of answers.entries()) {
      if (answer.status !== 200) continue;
      const { decisions } = (await answer.json()) as { decisions: Decision[] };
      for (const decision of decisions) served.push({ decision, token: tokens[i] as string });
    }
    expect(served).toHaveLength(6);
    expect((await h.rowCounts()).decisions).toBe(6);
    for (const { decision, token } of served) {
      const why = await h.get(new URL(decision.why as string).pathname, { token });
      expect(why.status).toBe(200);
      expect((await why.json()).decisionId).toBe(decision.decisionId);
    }

    // Once written, decisions are served again.
    const again = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), { token: tokens[7] as string });
    expect(again.status).toBe(200);
  });

  it('a decision that keeps nothing (consent not granted) is not refused for the records', async () => {
    store.hold();
    const token = await customerToken('recorded-pending');
    for (let i = 0; i < 3; i++) {
      const request = decisionRequest(['dashboard-hero', 'product-sidebar']);
      expect((await h.post('/v1/decisions', request, { token })).status).toBe(200);
    }
    const pending = decisionRequest(['dashboard-hero', 'product-sidebar']);
    const answer = await h.post(
      '/v1/decisions',
      { ...pending, context: { ...pending.context, consent: 'pending' } },
      { token },
    );
    expect(answer.status).toBe(200);
    const refused = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), { token });
    expect(refused.status).toBe(503);
    store.release();
  });
});
