import { delay, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { isFallback } from '../src/index.js';
import { decision, offer, testDevice } from './support/api.js';

const device = testDevice();
const { api, errors } = device;

/** With fake timers: `decision` is still waiting 1 ms before `ms` have passed, and answered once they have. */
async function answeredAt<T>(decision: Promise<T>, ms: number): Promise<T> {
  let answered = false;
  void decision.then(() => {
    answered = true;
  });
  await vi.advanceTimersByTimeAsync(ms - 1);
  expect(answered, `answered before ${ms} ms`).toBe(false);
  await vi.advanceTimersByTimeAsync(1);
  expect(answered, `still waiting after ${ms} ms`).toBe(true);
  return decision;
}

describe('deciding', () => {
  it('asks the API for the placements of the page, in the page’s context, and returns one decision each', async () => {
    const client = device.client({ locale: 'da' });
    const decisions = await client.decide(['dashboard-hero', 'product-sidebar'], { page: '/loans/car' });
    expect(decisions.map((item) => item.placement)).toEqual(['dashboard-hero', 'product-sidebar']);
    expect(decisions[0]?.offer?.offerId).toBe('car-loan-calculator');
    expect(api.decisionRequests[0]?.body).toEqual({
      anonymousId: expect.any(String),
      context: { channel: 'netbank', page: '/loans/car', locale: 'da', consent: 'granted' },
      placements: ['dashboard-hero', 'product-sidebar'],
    });
  });

  it('sends a logged-in customer’s token', async () => {
    const client = device.client({ getCustomerToken: () => Promise.resolve('a.b.c') });
    await client.decide(['dashboard-hero']);
    expect(api.decisionRequests[0]?.headers.get('authorization')).toBe('Bearer a.b.c');
  });

  it('a page path with characters the API does not take is cleaned, so the decision still comes', async () => {
    const client = device.client();
    await client.decide(['dashboard-hero'], { page: '/lån/bil?amount=250000#top' });
    expect(api.decisionRequests[0]?.body.context.page).toBe('/l-n/bil');
  });

  it('a dismissal or a calculator use reaches the API before the next decision is asked for', async () => {
    const client = device.client();
    client.track('calculator_used', { product: 'car_loan' });
    await client.decide(['dashboard-hero']);
    expect(api.order).toEqual(['/v1/touchpoints', '/v1/decisions']);
  });

  it('a slow touchpoint send does not hold the decision past its timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const client = device.client({ decisionTimeoutMs: 100 });
    client.track('page_view');
    api.nextTouchpoints(async () => {
      await delay('infinite');
      return new HttpResponse(null);
    });
    const [result] = await answeredAt(client.decide(['dashboard-hero']), 100);
    expect(result && isFallback(result)).toBe(true);
  });
});

describe('the decision cache', () => {
  it('reuses a decision for its ttl, per placement, page and locale', async () => {
    const client = device.client();
    const [first] = await client.decide(['dashboard-hero'], { page: '/' });
    const [again] = await client.decide(['dashboard-hero'], { page: '/' });
    expect(again).toEqual(first);
    expect(api.decisionRequests).toHaveLength(1);

    await client.decide(['dashboard-hero'], { page: '/loans' });
    await client.decide(['dashboard-hero'], { page: '/', locale: 'da' });
    expect(api.decisionRequests).toHaveLength(3);
  });

  it('gives a fresh cached decision at once with cached(), and null for anything else', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const client = device.client({ locale: 'en' });
    expect(client.cached('dashboard-hero', { page: '/' })).toBeNull();
    api.nextDecisions(() => HttpResponse.json({ decisions: [decision('dashboard-hero', { ttlSeconds: 60 })] }));
    const [decided] = await client.decide(['dashboard-hero'], { page: '/' });
    expect(client.cached('dashboard-hero', { page: '/' })).toEqual(decided);
    expect(client.cached('dashboard-hero', { page: '/', locale: 'en' })).toEqual(decided);
    expect(client.cached('dashboard-hero', { page: '/', locale: 'da' })).toBeNull();
    expect(client.cached('product-sidebar', { page: '/' })).toBeNull();
    expect(client.cached(42 as never, { page: {} as never })).toBeNull();
    vi.setSystemTime(Date.now() + 61_000);
    expect(client.cached('dashboard-hero', { page: '/' })).toBeNull();
  });

  it('asks again once the ttl has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const client = device.client();
    api.nextDecisions(() => HttpResponse.json({ decisions: [decision('dashboard-hero', { ttlSeconds: 60 })] }));
    await client.decide(['dashboard-hero']);
    vi.setSystemTime(Date.now() + 61_000);
    await client.decide(['dashboard-hero']);
    expect(api.decisionRequests).toHaveLength(2);
  });

  it('a decision with no ttl is not reused', async () => {
    const client = device.client();
    api.nextDecisions(() => HttpResponse.json({ decisions: [decision('dashboard-hero', { ttlSeconds: 0 })] }));
    await client.decide(['dashboard-hero']);
    await client.decide(['dashboard-hero']);
    expect(api.decisionRequests).toHaveLength(2);
  });

  it.each([
    ['tracks what the customer did', (client: ReturnType<typeof device.client>) => client.track('calculator_used')],
    ['dismisses an offer', (client: ReturnType<typeof device.client>) => client.track('offer_dismiss')],
    ['logs in', (client: ReturnType<typeof device.client>) => client.identify('logged-in')],
    ['logs out', (client: ReturnType<typeof device.client>) => client.identify('logged-out')],
    ['changes consent', (client: ReturnType<typeof device.client>) => client.setConsent('pending')],
  ])('is dropped when the customer %s', async (_, change) => {
    const client = device.client();
    await client.decide(['dashboard-hero']);
    change(client);
    await client.decide(['dashboard-hero']);
    expect(api.decisionRequests).toHaveLength(2);
  });

  it('is kept when the customer only sees a page, or sees or clicks the offer', async () => {
    const client = device.client();
    await client.decide(['dashboard-hero']);
    client.track('page_view');
    client.track('offer_impression');
    client.track('offer_click');
    await client.decide(['dashboard-hero']);
    expect(api.decisionRequests).toHaveLength(1);
  });

  it('an answer that arrives after the customer dismissed is not cached', async () => {
    const client = device.client();
    api.nextDecisions(async (request) => {
      client.track('offer_dismiss', { placement: 'dashboard-hero' });
      return HttpResponse.json({ decisions: request.placements.map((name) => decision(name)) });
    });
    await client.decide(['dashboard-hero']);
    await client.decide(['dashboard-hero']);
    expect(api.decisionRequests).toHaveLength(2);
  });

  it('with consent it lasts the browser session: the next page reuses it', async () => {
    const first = device.client({ consent: 'granted' });
    const [decided] = await first.decide(['dashboard-hero']);
    first.destroy();
    const next = device.client({ consent: 'granted' });
    const [reused] = await next.decide(['dashboard-hero']);
    expect(reused).toEqual(decided);
    expect(api.decisionRequests).toHaveLength(1);
  });

  it('without consent it stays in memory', async () => {
    const client = device.client({ consent: 'pending' });
    await client.decide(['dashboard-hero']);
    expect(sessionStorage.length).toBe(0);
  });
});

describe('when deciding fails', () => {
  it('a decision that takes longer than the timeout gives way to the cached one', async () => {
    // The SDK's timer waits for the test: the first answer is cached however slowly this machine serves it.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const client = device.client({ decisionTimeoutMs: 50 });
    const [cached] = await client.decide(['dashboard-hero']);
    expect(cached && isFallback(cached)).toBe(false);
    vi.setSystemTime(Date.now() + 301_000);
    api.nextDecisions(async () => {
      await delay('infinite');
      return HttpResponse.json({});
    });
    const [result] = await answeredAt(client.decide(['dashboard-hero']), 50);
    expect(result).toEqual(cached);
    expect(errors).toEqual([expect.objectContaining({ kind: 'decision' })]);
  });

  it('a decision the API sheds (503 with Retry-After: its records are behind) gives way to the cached one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const client = device.client();
    const [cached] = await client.decide(['dashboard-hero']);
    vi.setSystemTime(Date.now() + 301_000);
    api.nextDecisions(() =>
      HttpResponse.json(
        {
          type: 'https://touchpoint.dev/problems/decisions-unrecorded',
          title: 'Decisions cannot be recorded now',
          status: 503,
        },
        { status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '2' } },
      ),
    );
    const [result] = await client.decide(['dashboard-hero']);
    expect(result).toEqual(cached);
    expect(errors).toEqual([expect.objectContaining({ kind: 'decision', status: 503 })]);
    // One request for the decision shed: the SDK does not retry it in a loop.
    expect(api.decisionRequests).toHaveLength(2);
  });

  it('with nothing cached, the placement gets an empty decision and keeps its box empty', async () => {
    const client = device.client({ decisionTimeoutMs: 50 });
    api.nextDecisions(async () => {
      await delay('infinite');
      return HttpResponse.json({});
    });
    const [result] = await client.decide(['dashboard-hero']);
    expect(result).toEqual({
      placement: 'dashboard-hero',
      decisionId: '',
      offer: null,
      size: null,
      ttlSeconds: 0,
      reason: '',
    });
    expect(result && isFallback(result)).toBe(true);
  });

  it('the hard timeout is 800 ms by default', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const client = device.client();
    api.nextDecisions(async () => {
      await delay('infinite');
      return HttpResponse.json({});
    });
    const [result] = await answeredAt(client.decide(['dashboard-hero']), 800);
    expect(result && isFallback(result)).toBe(true);
  });

  it.each([
    ['a network failure', () => HttpResponse.error()],
    ['a server error', () => new HttpResponse('oops', { status: 500 })],
    ['a refusal with problem details', () => HttpResponse.json({ title: 'Bad', status: 400 }, { status: 400 })],
    ['a body that is not JSON', () => new HttpResponse('<html>', { status: 200 })],
    ['JSON of another shape', () => HttpResponse.json({ decision: 'yes' })],
    ['decisions that are not objects', () => HttpResponse.json({ decisions: [null, 42, 'x'] })],
    [
      'a decision without an id',
      () => HttpResponse.json({ decisions: [{ ...decision('dashboard-hero'), decisionId: 7 }] }),
    ],
    [
      'an offer whose headline is not text',
      () =>
        HttpResponse.json({
          decisions: [decision('dashboard-hero', { offer: offer({ headline: { html: '<b>' } as never }) })],
        }),
    ],
    [
      'a link to javascript:',
      () =>
        HttpResponse.json({
          decisions: [
            decision('dashboard-hero', { offer: offer({ cta: { label: 'Go', url: 'javascript:alert(1)' } }) }),
          ],
        }),
    ],
    [
      'an image from a protocol-relative URL',
      () =>
        HttpResponse.json({
          decisions: [decision('dashboard-hero', { offer: offer({ image: { url: '//evil.test/x.png', alt: '' } }) })],
        }),
    ],
    ['a decision for another placement', () => HttpResponse.json({ decisions: [decision('product-sidebar')] })],
  ])('%s leaves the placement empty and is reported', async (_, reply) => {
    const client = device.client();
    api.nextDecisions(reply);
    const decisions = await client.decide(['dashboard-hero']);
    expect(decisions).toEqual([expect.objectContaining({ placement: 'dashboard-hero', decisionId: '', offer: null })]);
    expect(errors).toEqual([expect.objectContaining({ kind: 'decision' })]);
  });

  it('a well-formed decision next to a malformed one is still used', async () => {
    const client = device.client();
    api.nextDecisions(() =>
      HttpResponse.json({ decisions: [decision('dashboard-hero'), { placement: 'product-sidebar', offer: 'nope' }] }),
    );
    const [hero, sidebar] = await client.decide(['dashboard-hero', 'product-sidebar']);
    expect(hero?.offer?.offerId).toBe('car-loan-calculator');
    expect(sidebar && isFallback(sidebar)).toBe(true);
  });

  it('an offer without an image or product is fine', async () => {
    const client = device.client();
    api.nextDecisions(() =>
      HttpResponse.json({ decisions: [decision('dashboard-hero', { offer: offer({ image: null, product: null }) })] }),
    );
    const [hero] = await client.decide(['dashboard-hero']);
    expect(hero?.offer?.image).toBeNull();
    expect(errors).toEqual([]);
  });
});

describe('what a developer reads', () => {
  it('a refusal is reported with the API’s own words of why (its problem’s detail)', async () => {
    const client = device.client();
    const detail =
      "Origin http://127.0.0.1:9510 is not allowed for site key pk_demo_netbank; add it to the key's origins in TOUCHPOINT_SITE_KEYS, or to TOUCHPOINT_DEMO_ORIGINS for the demo keys.";
    api.nextDecisions(() =>
      HttpResponse.json(
        {
          type: 'https://touchpoint.dev/problems/origin-not-allowed',
          title: 'Origin not allowed',
          status: 403,
          detail,
        },
        { status: 403, headers: { 'content-type': 'application/problem+json' } },
      ),
    );
    const [hero] = await client.decide(['dashboard-hero']);
    expect(hero && isFallback(hero)).toBe(true);
    expect(errors).toEqual([
      expect.objectContaining({ kind: 'decision', status: 403, message: `no decision: ${detail}` }),
    ]);
  });

  it('with debug, each decision is logged with its reason and, from a development key, the top candidates', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    try {
      const candidates = [
        { offerId: 'house-savings-goal', excludedBy: null, priority: 0.0005 },
        { offerId: 'car-loan-price', excludedBy: 'offer-daily-cap' },
      ];
      api.nextDecisions(() =>
        HttpResponse.json({
          decisions: [decision('dashboard-hero', { reason: 'A general suggestion.', debug: { candidates } })],
        }),
      );
      await device.client({ debug: true }).decide(['dashboard-hero']);
      expect(info).toHaveBeenCalledWith('[touchpoint]', 'dashboard-hero', 'A general suggestion.', { candidates });
      info.mockClear();
      await device.client().decide(['product-sidebar']);
      expect(info).not.toHaveBeenCalled();
    } finally {
      info.mockRestore();
    }
  });
});
