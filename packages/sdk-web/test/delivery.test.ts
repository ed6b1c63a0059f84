import { HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { MAX_ATTEMPTS } from '../src/delivery.js';
import { acceptAll, deviceQueue, leaveQueueOnDevice, SITE_KEY, settle, testDevice } from './support/api.js';

const device = testDevice();
const { api, errors } = device;

describe('sending touchpoints', () => {
  it('a customer’s touchpoints reach the API in one batch, with the device’s anonymous id and the site key', async () => {
    const client = device.client();
    const first = client.track('page_view', { page: '/loans/car' });
    const second = client.track('calculator_used', { product: 'car_loan', properties: { amount: 250000, years: 5 } });
    await client.flush();

    expect(api.batches).toHaveLength(1);
    const [batch] = api.batches;
    expect(batch?.headers.get('x-touchpoint-key')).toBe(SITE_KEY);
    expect(batch?.body.anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect(batch?.body.touchpoints).toEqual([
      { id: first, type: 'page_view', occurredAt: expect.any(String), channel: 'netbank', page: '/loans/car' },
      {
        id: second,
        type: 'calculator_used',
        occurredAt: expect.any(String),
        channel: 'netbank',
        page: '/',
        product: 'car_loan',
        properties: { amount: 250000, years: 5 },
      },
    ]);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Date.parse(batch?.body.touchpoints[0]?.occurredAt ?? '')).not.toBeNaN();
    expect(errors).toEqual([]);
  });

  it('nothing is sent twice once the API acknowledged it', async () => {
    const client = device.client();
    client.track('page_view');
    await client.flush();
    await client.flush();
    expect(api.batches).toHaveLength(1);
  });

  it('a flush asked for while a send is under way also sends what was tracked since, once that send is answered', async () => {
    const client = device.client();
    let answer: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    api.nextTouchpoints(async (batch) => {
      await answered;
      return HttpResponse.json(acceptAll(batch));
    });
    const first = client.track('page_view');
    const sending = client.flush();
    // The first batch has reached the API, which has not answered yet.
    await vi.waitFor(() => expect(api.batches).toHaveLength(1));
    const second = client.track('calculator_used', { product: 'car_loan' });
    const flushed = client.flush();
    answer();
    await Promise.all([sending, flushed]);
    expect(api.sentIds()).toEqual([first, second]);
    expect(errors).toEqual([]);
  });

  it('touchpoints go by themselves after the flush interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const client = device.client({ flushIntervalMs: 2000 });
    client.track('page_view');
    await vi.advanceTimersByTimeAsync(1900);
    expect(api.batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    await vi.waitFor(() => expect(api.batches).toHaveLength(1));
  });

  it('a long offline backlog goes in batches of at most 500, oldest first', async () => {
    const client = device.client({ maxQueueSize: 5000 });
    const ids = Array.from({ length: 1203 }, () => client.track('page_view'));
    await client.flush();
    expect(api.batches.map((batch) => batch.body.touchpoints.length)).toEqual([500, 500, 203]);
    expect(api.sentIds()).toEqual(ids);
  });

  it('a full queue gives up its oldest touchpoints and reports which', () => {
    const client = device.client({ maxQueueSize: 3 });
    const ids = Array.from({ length: 5 }, () => client.track('page_view'));
    const dropped = errors.flatMap((error) => error.dropped ?? []);
    expect(dropped).toEqual(ids.slice(0, 2));
    expect(errors[0]).toMatchObject({ kind: 'storage' });
  });

  it('a logged-in customer’s touchpoints carry the bank backend’s token, fetched when sending', async () => {
    let token: string | null = null;
    const client = device.client({ getCustomerToken: async () => token });
    client.track('page_view');
    await client.flush();
    token = 'header.payload.signature';
    client.track('page_view');
    await client.flush();
    expect(api.batches.map((batch) => batch.headers.get('authorization'))).toEqual([
      null,
      'Bearer header.payload.signature',
    ]);
  });

  it('a failing token callback is reported and the touchpoints still go, anonymously', async () => {
    const client = device.client({
      getCustomerToken: () => {
        throw new Error('session expired');
      },
    });
    client.track('page_view');
    await client.flush();
    expect(api.batches).toHaveLength(1);
    expect(api.batches[0]?.headers.get('authorization')).toBeNull();
    expect(errors).toContainEqual(expect.objectContaining({ kind: 'callback' }));
  });
});

describe('when the API cannot take a batch', () => {
  it.each([
    ['the network fails', () => HttpResponse.error()],
    ['it times out (408)', () => new HttpResponse(null, { status: 408 })],
    ['it is rate limited (429)', () => new HttpResponse(null, { status: 429 })],
    [
      'it is unavailable and says when to come back (503, Retry-After)',
      () => new HttpResponse(null, { status: 503, headers: { 'retry-after': '1' } }),
    ],
  ])('after %s the same batch, with the same ids, is sent again later', async (_, failure) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const client = device.client();
    const ids = [client.track('page_view'), client.track('product_view', { product: 'car_loan' })];
    api.nextTouchpoints(failure);
    await client.flush();
    expect(api.batches).toHaveLength(1);
    expect(errors.at(-1)).toMatchObject({ kind: 'delivery' });

    client.track('page_view');
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(api.batches.length).toBeGreaterThanOrEqual(2));
    expect(api.batches[1]?.body.touchpoints.map((item) => item.id)).toEqual(ids);
    await client.flush();
    expect(new Set(api.sentIds()).size).toBe(3);
  });

  it('a 429 with Retry-After is not retried before the server asked', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const client = device.client();
    client.track('page_view');
    api.nextTouchpoints(() => new HttpResponse(null, { status: 429, headers: { 'retry-after': '30' } }));
    await client.flush();

    await client.flush();
    await vi.advanceTimersByTimeAsync(29_000);
    expect(api.batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_500);
    await vi.waitFor(() => expect(api.batches).toHaveLength(2));
  });

  it('retries back off: each wait is random but below a doubling ceiling', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const client = device.client();
    client.track('page_view');
    api.nextTouchpoints(
      () => HttpResponse.error(),
      () => HttpResponse.error(),
      () => HttpResponse.error(),
    );
    await client.flush();
    const sentAt: number[] = [Date.now()];
    for (let attempt = 2; attempt <= 4; attempt++) {
      while (api.batches.length < attempt) await vi.advanceTimersByTimeAsync(10);
      sentAt.push(Date.now());
    }
    const waits = sentAt.slice(1).map((at, i) => at - (sentAt[i] ?? 0));
    expect(waits[0]).toBeGreaterThanOrEqual(900);
    expect(waits[0]).toBeLessThanOrEqual(1100);
    expect(waits[1]).toBeGreaterThanOrEqual(1900);
    expect(waits[2]).toBeGreaterThanOrEqual(3900);
  });

  it.each([400, 413, 422])('a batch refused with %i is dropped and reported with its ids', async (status) => {
    const client = device.client();
    const ids = [client.track('page_view'), client.track('page_view')];
    api.nextTouchpoints(() =>
      HttpResponse.json(
        { type: 'about:blank', title: 'Refused', status },
        { status, headers: { 'content-type': 'application/problem+json' } },
      ),
    );
    await client.flush();
    await client.flush();
    expect(api.batches).toHaveLength(1);
    expect(errors).toEqual([
      expect.objectContaining({ kind: 'delivery', status, dropped: ids, cause: expect.objectContaining({ status }) }),
    ]);
  });

  it('touchpoints the API rejects as invalid are dropped and reported; the rest of the batch counts', async () => {
    const client = device.client();
    const good = client.track('page_view');
    const bad = client.track('product_view', { product: 'Car Loan!' });
    const rejected = [{ index: 1, id: bad, errors: [{ path: '/touchpoints/1/product', message: 'must be a slug' }] }];
    api.nextTouchpoints(() => HttpResponse.json({ accepted: [good], duplicates: [], rejected }));
    await client.flush();
    await client.flush();
    expect(api.batches).toHaveLength(1);
    expect(errors).toEqual([
      expect.objectContaining({ kind: 'delivery', status: 200, dropped: [bad], cause: rejected }),
    ]);
  });

  it('a rejected item named only by its index is still dropped', async () => {
    const client = device.client();
    const [first, second] = [client.track('page_view'), client.track('page_view')];
    api.nextTouchpoints(() =>
      HttpResponse.json({ accepted: [first], duplicates: [], rejected: [{ index: 1, errors: [] }] }),
    );
    await client.flush();
    expect(errors[0]?.dropped).toEqual([second]);
  });

  it('only what the API acknowledged leaves the queue: a touchpoint it did not mention is sent again', async () => {
    const client = device.client();
    const [first, second, third] = [client.track('page_view'), client.track('page_view'), client.track('page_view')];
    api.nextTouchpoints(() => HttpResponse.json({ accepted: [first], duplicates: [second], rejected: [] }));
    await client.flush();
    expect(api.batches.map((batch) => batch.body.touchpoints.map((item) => item.id))).toEqual([
      [first, second, third],
      [third],
    ]);
  });

  it('an answer that is not a batch result acknowledges nothing and is retried later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const client = device.client();
    const id = client.track('page_view');
    api.nextTouchpoints(() => new HttpResponse('<html>proxy</html>', { status: 200 }));
    await client.flush();
    expect(api.batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(api.sentIds()).toEqual([id, id]));
  });
});

describe('when the page goes away', () => {
  function hide() {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }

  function show() {
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }

  it('what is queued leaves with a keepalive request, once, even when pagehide follows', async () => {
    const fetching = vi.spyOn(globalThis, 'fetch');
    const client = device.client();
    const id = client.track('offer_click', { placement: 'dashboard-hero', offer: 'car-loan-calculator' });
    hide();
    window.dispatchEvent(new Event('pagehide'));
    await vi.waitFor(() => expect(api.batches).toHaveLength(1));
    expect(fetching).toHaveBeenCalledTimes(1);
    expect(fetching.mock.calls[0]?.[1]).toMatchObject({ keepalive: true });
    expect(api.sentIds()).toEqual([id]);
    show();
  });

  it('falls back to sendBeacon with the site key in the query when the keepalive request fails', async () => {
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
    const client = device.client();
    const id = client.track('offer_click');
    api.nextTouchpoints(() => HttpResponse.error());
    window.dispatchEvent(new Event('pagehide'));
    await vi.waitFor(() => expect(beacon).toHaveBeenCalledTimes(1));
    const [url, body] = beacon.mock.calls[0] ?? [];
    expect(url).toBe(`https://touchpoint.bank.test/v1/touchpoints?key=${SITE_KEY}`);
    expect(JSON.parse(String(body)).touchpoints.map((item: { id: string }) => item.id)).toEqual([id]);
    show();
  });

  it('nothing is sent on hide without consent', async () => {
    const client = device.client({ consent: 'pending' });
    client.track('page_view');
    window.dispatchEvent(new Event('pagehide'));
    await settle();
    expect(api.batches).toHaveLength(0);
    show();
  });

  it('accepts the API’s acknowledgement of everything, duplicates included', async () => {
    const client = device.client();
    client.track('page_view');
    api.nextTouchpoints((batch) =>
      HttpResponse.json({ ...acceptAll(batch), accepted: [], duplicates: acceptAll(batch).accepted }),
    );
    await client.flush();
    await client.flush();
    expect(api.batches).toHaveLength(1);
  });
});

describe('the status matrix: what happens to a batch after each answer', () => {
  const idsOf = (queue: unknown) => (queue as Array<{ id: string }>).map((item) => item.id);
  const status = (code: number) => () => new HttpResponse(null, { status: code });
  const matrix: Array<[string, () => Response, 'retried' | 'halved' | 'dropped']> = [
    ['a network error', () => HttpResponse.error(), 'retried'],
    ...[408, 429].map((code): [string, () => Response, 'retried'] => [String(code), status(code), 'retried']),
    ...[500, 502, 503, 504].map((code): [string, () => Response, 'halved'] => [String(code), status(code), 'halved']),
    ...[400, 401, 403, 404, 405, 409, 410, 413, 415, 422].map((code): [string, () => Response, 'dropped'] => [
      String(code),
      status(code),
      'dropped',
    ]),
  ];

  it.each(matrix)('after %s the batch is %s', async (_, reply, outcome) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const client = device.client();
    const ids = [client.track('page_view'), client.track('product_view', { product: 'car_loan' })];
    api.nextTouchpoints(reply);
    await client.flush();
    const [report] = errors;
    if (outcome === 'halved') {
      // The server failed on the batch and said nothing of when to come back: each half goes on its own.
      expect(errors).toEqual([expect.objectContaining({ kind: 'delivery', message: 'send failed; retry in 1 s' })]);
      expect(idsOf(await deviceQueue())).toEqual(ids);
      await vi.advanceTimersByTimeAsync(1000);
      await vi.waitFor(() => expect(api.batches).toHaveLength(3));
      expect(api.batches.slice(1).map((batch) => batch.body.touchpoints.map((item) => item.id))).toEqual([
        [ids[0]],
        [ids[1]],
      ]);
      await vi.waitFor(async () => expect(await deviceQueue()).toEqual([]));
    } else if (outcome === 'retried') {
      expect(errors).toHaveLength(1);
      expect(report).toMatchObject({ kind: 'delivery', message: expect.stringMatching(/^send failed; retry in 1 s$/) });
      expect(report?.dropped).toBeUndefined();
      expect(idsOf(await deviceQueue())).toEqual(ids);
      // Backing off: an explicit flush does not send before the wait is over.
      await client.flush();
      expect(api.batches).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1000);
      await vi.waitFor(() => expect(api.batches).toHaveLength(2));
      expect(api.batches[1]?.body.touchpoints.map((item) => item.id)).toEqual(ids);
      await vi.waitFor(async () => expect(await deviceQueue()).toEqual([]));
    } else {
      expect(errors).toEqual([expect.objectContaining({ kind: 'delivery', status: Number(_), dropped: ids })]);
      expect(await deviceQueue()).toEqual([]);
      await vi.advanceTimersByTimeAsync(120_000);
      await client.flush();
      expect(api.batches).toHaveLength(1);
    }
  });

  it('waiting as the server asked (Retry-After) does not spend the retry budget: the backoff after it starts small', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const client = device.client();
    const id = client.track('page_view');
    const busy = () => new HttpResponse(null, { status: 429, headers: { 'retry-after': '2' } });
    api.nextTouchpoints(busy, busy, busy, () => HttpResponse.error());
    await client.flush();
    const sentAt: number[] = [Date.now()];
    for (let batch = 2; batch <= 5; batch++) {
      while (api.batches.length < batch) await vi.advanceTimersByTimeAsync(10);
      sentAt.push(Date.now());
    }
    const waits = sentAt.slice(1).map((at, i) => at - (sentAt[i] ?? 0));
    // Three waits of the two seconds asked for, then the first backoff step (below 1 s), not the fourth (below 8 s).
    expect(waits.slice(0, 3).every((wait) => wait >= 2000 && wait < 2100)).toBe(true);
    expect(waits[3]).toBeLessThan(1100);
    expect(new Set(api.sentIds())).toEqual(new Set([id]));
  });

  it.each([
    ['a network error', () => HttpResponse.error()],
    ['408', status(408)],
  ])(
    `after ${MAX_ATTEMPTS} sends failing with %s in a row the page stops retrying, keeps the batch and sends it with its next send`,
    async (_, failure) => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const client = device.client();
      const ids = [client.track('page_view'), client.track('product_view', { product: 'car_loan' })];
      api.nextTouchpoints(...Array.from({ length: MAX_ATTEMPTS + 5 }, () => failure));
      await client.flush();
      // Every backoff wait is below its cap (60 s): an hour is room for many more retries than the budget.
      for (let minute = 0; minute < 60; minute++) await vi.advanceTimersByTimeAsync(60_000);
      expect(api.batches).toHaveLength(MAX_ATTEMPTS);
      expect(api.batches.every((batch) => batch.body.touchpoints.map((item) => item.id).join() === ids.join())).toBe(
        true,
      );
      expect(errors.at(-1)).toMatchObject({ kind: 'delivery', message: 'send failed; retry later' });
      expect(errors.flatMap((error) => error.dropped ?? [])).toEqual([]);
      // Nothing lost: the batch waits on the device, for the next page load or this page's next send.
      expect(idsOf(await deviceQueue())).toEqual(ids);

      // The next touchpoint is sent after the flush interval, as always, and the kept batch goes first.
      api.reset();
      api.nextTouchpoints(failure);
      const later = client.track('page_view');
      await vi.advanceTimersByTimeAsync(60_000);
      await vi.waitFor(() => expect(api.batches).toHaveLength(1));
      expect(api.batches[0]?.body.touchpoints.map((item) => item.id)).toEqual(ids);
      // It failed again: still no timer of its own, and still kept.
      await vi.advanceTimersByTimeAsync(600_000);
      expect(api.batches).toHaveLength(1);
      expect(idsOf(await deviceQueue())).toEqual([...ids, later]);
      // The API is back: the page's next send delivers everything.
      await client.flush();
      expect(api.sentIds().slice(-3)).toEqual([...ids, later]);
      await vi.waitFor(async () => expect(await deviceQueue()).toEqual([]));
    },
  );

  it('a batch kept after its retries were spent goes on the next page load, with the same ids, once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const first = device.client();
    const ids = [first.track('page_view'), first.track('page_view')];
    api.nextTouchpoints(...Array.from({ length: MAX_ATTEMPTS }, () => () => HttpResponse.error()));
    await first.flush();
    while (api.batches.length < MAX_ATTEMPTS) await vi.advanceTimersByTimeAsync(10_000);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(api.batches).toHaveLength(MAX_ATTEMPTS);
    first.destroy();

    api.reset();
    const next = device.client();
    await next.flush();
    expect(api.sentIds()).toEqual(ids);
    await vi.waitFor(async () => expect(await deviceQueue()).toEqual([]));
  });

  it('waits the server asked for do not spend the budget: twenty 429s with Retry-After, then the batch arrives', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const client = device.client();
    const id = client.track('page_view');
    const busy = () => new HttpResponse(null, { status: 429, headers: { 'retry-after': '3' } });
    api.nextTouchpoints(...Array.from({ length: 20 }, () => busy));
    await client.flush();
    while (api.batches.length < 21) await vi.advanceTimersByTimeAsync(1_000);
    expect(new Set(api.sentIds())).toEqual(new Set([id]));
    await vi.waitFor(async () => expect(await deviceQueue()).toEqual([]));
    expect(errors.every((error) => error.message === 'send failed; retry in 3 s')).toBe(true);
  });

  it('a Retry-After of a day is capped: the batch is tried again after five minutes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const client = device.client();
    client.track('page_view');
    api.nextTouchpoints(() => new HttpResponse(null, { status: 503, headers: { 'retry-after': '86400' } }));
    await client.flush();
    await vi.advanceTimersByTimeAsync(299_000);
    expect(api.batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_500);
    await vi.waitFor(() => expect(api.batches).toHaveLength(2));
  });
});

describe('tabs sharing the device queue', () => {
  it('a tab sends only what is still queued on the device: what another tab sent does not go twice', async () => {
    const first = device.client();
    const ids = [first.track('page_view'), first.track('calculator_used', { product: 'car_loan' })];
    await settle();
    // Another tab opens and takes the device queue into its own.
    const second = device.client();
    await settle();
    await first.flush();
    await second.flush();
    const more = second.track('page_view');
    await second.flush();
    expect(api.sentIds()).toEqual([...ids, more]);
  });

  it('tabs flushing at once under a Web Lock send each touchpoint once', async () => {
    // The Web Locks API as browsers give it: one holder at a time, in the order asked.
    let held: Promise<unknown> = Promise.resolve();
    const locks = {
      request(_name: string, task: () => Promise<unknown>) {
        const run = held.then(task);
        held = run.catch(() => {});
        return run;
      },
    };
    vi.stubGlobal('navigator', Object.create(navigator, { locks: { value: locks } }));
    const first = device.client();
    const ids = [first.track('page_view'), first.track('calculator_used', { product: 'car_loan' })];
    await settle();
    const second = device.client();
    await settle();
    await Promise.all([first.flush(), second.flush(), first.flush(), second.flush()]);
    expect(api.sentIds()).toEqual(ids);
  });

  it('a queue that waited in memory joins a full device queue up to the cap, and the touchpoints given up are reported', async () => {
    await leaveQueueOnDevice(
      ['a', 'b', 'c'].map((letter) => ({
        id: `00000000-0000-4000-8000-00000000000${letter}`,
        type: 'page_view',
        occurredAt: '2026-11-30T08:00:00.000Z',
        channel: 'netbank',
        page: '/',
      })),
    );
    const client = device.client({ consent: 'pending', maxQueueSize: 3 });
    const waited = [client.track('page_view'), client.track('page_view')];
    client.setConsent('granted');
    await client.flush();
    expect(errors).toContainEqual(
      expect.objectContaining({
        kind: 'storage',
        message: 'queue full',
        dropped: ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b'],
      }),
    );
    expect(api.sentIds()).toEqual(['00000000-0000-4000-8000-00000000000c', ...waited]);
  });
});

describe('one bad batch never holds the queue', () => {
  const idsOf = (queue: unknown) => (queue as Array<{ id: string }>).map((item) => item.id);
  /** The API failing (500) on any batch that holds `poisoned`, and taking every other batch whole. */
  const failingOn =
    (poisoned: () => string | null) =>
    (batch: { touchpoints: Array<{ id: string }> }): Response =>
      batch.touchpoints.some((item) => item.id === poisoned())
        ? new HttpResponse(null, { status: 500 })
        : HttpResponse.json(acceptAll(batch as never));

  it('a touchpoint the server keeps failing on is isolated by halving; the others arrive and it is reported', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const client = device.client();
    let poisoned: string | null = null;
    api.nextTouchpoints(...Array.from({ length: 40 }, () => failingOn(() => poisoned)));
    const before = [client.track('page_view'), client.track('page_view')];
    poisoned = client.track('calculator_used', { product: 'car_loan' });
    const after = Array.from({ length: 5 }, () => client.track('page_view'));
    await client.flush();
    for (let second = 0; second < 120 && errors.every((error) => !error.dropped); second++) {
      await vi.advanceTimersByTimeAsync(1000);
    }
    await vi.waitFor(async () => expect(await deviceQueue()).toEqual([]));
    const accepted = api.batches.filter((batch) => !batch.body.touchpoints.some((item) => item.id === poisoned));
    expect(accepted.flatMap((batch) => batch.body.touchpoints.map((item) => item.id)).sort()).toEqual(
      [...before, ...after].sort(),
    );
    expect(errors.filter((error) => error.dropped)).toEqual([
      expect.objectContaining({ kind: 'delivery', status: 500, message: 'touchpoint set aside', dropped: [poisoned] }),
    ]);
    // Halving costs no attempts: every wait was the first backoff step's.
    expect(
      errors.filter((error) => error.message.startsWith('send failed')).every((e) => /in 1 s$/.test(e.message)),
    ).toBe(true);
  });

  it('a touchpoint failing alone waits behind what is tracked after it, and is given up only once those arrived', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const client = device.client();
    const poisoned = client.track('page_view');
    api.nextTouchpoints(...Array.from({ length: 40 }, () => failingOn(() => poisoned)));
    await client.flush();
    for (let second = 0; second < 60 && api.batches.length < 3; second++) await vi.advanceTimersByTimeAsync(1000);
    // Alone, it failed again and again: set aside, not dropped, for nothing else has been taken since.
    expect(api.batches.length).toBeGreaterThanOrEqual(3);
    expect(errors.filter((error) => error.dropped)).toEqual([]);
    expect(idsOf(await deviceQueue())).toEqual([poisoned]);

    const later = client.track('product_view', { product: 'car_loan' });
    await client.flush();
    for (let second = 0; second < 120 && errors.every((error) => !error.dropped); second++) {
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(api.batches.find((batch) => batch.body.touchpoints.map((item) => item.id).join() === later)).toBeDefined();
    expect(errors.filter((error) => error.dropped)).toEqual([
      expect.objectContaining({ message: 'touchpoint set aside', dropped: [poisoned] }),
    ]);
    await vi.waitFor(async () => expect(await deviceQueue()).toEqual([]));
  });

  it('while every batch fails (500), nothing is set aside or dropped: the touchpoints wait for the API', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const client = device.client();
    const ids = Array.from({ length: 6 }, () => client.track('page_view'));
    api.nextTouchpoints(...Array.from({ length: 200 }, () => () => new HttpResponse(null, { status: 500 })));
    await client.flush();
    // Until the page stops retrying by itself (its budget of attempts spent).
    for (let second = 0; second < 3_600 && errors.at(-1)?.message !== 'send failed; retry later'; second++) {
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(errors.flatMap((error) => error.dropped ?? [])).toEqual([]);
    expect(errors.at(-1)).toMatchObject({ message: 'send failed; retry later' });
    expect(idsOf(await deviceQueue()).sort()).toEqual([...ids].sort());

    // The API is back: the page's next sends deliver all of them.
    api.reset();
    const later = client.track('page_view');
    for (let second = 0; second < 120 && idsOf(await deviceQueue()).length > 0; second++) {
      await client.flush();
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(await deviceQueue()).toEqual([]);
    expect(new Set(api.sentIds())).toEqual(new Set([...ids, later]));
    expect(errors.flatMap((error) => error.dropped ?? [])).toEqual([]);
  });
});
