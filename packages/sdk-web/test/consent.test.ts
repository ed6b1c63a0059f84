import { IDBDatabase } from 'fake-indexeddb';
import { HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { databases, deviceQueue, leaveQueueOnDevice, settle, testDevice } from './support/api.js';

const device = testDevice();
const { api, errors } = device;
const ANONYMOUS_ID_KEY = 'touchpoint:id';

describe('consent', () => {
  it('while a customer has not chosen, touchpoints wait in memory: nothing is sent or stored on the device', async () => {
    const client = device.client({ consent: 'pending' });
    expect(client.track('page_view')).toEqual(expect.any(String));
    await client.flush();
    await settle();
    expect(api.batches).toHaveLength(0);
    expect(await databases()).toEqual([]);
    expect(localStorage.length).toBe(0);
  });

  it('when the customer then grants consent, what waited is stored and sent', async () => {
    const client = device.client({ consent: 'pending' });
    const waited = client.track('page_view');
    client.setConsent('granted');
    const after = client.track('product_view', { product: 'mortgage' });
    await client.flush();
    expect(api.sentIds()).toEqual([waited, after]);
    expect(await databases()).toEqual(['touchpoint']);
    expect(localStorage.getItem(ANONYMOUS_ID_KEY)).toBe(api.batches[0]?.body.anonymousId);
  });

  it('a customer who denies consent is not tracked: nothing is queued, stored or sent', async () => {
    const client = device.client({ consent: 'denied' });
    expect(client.track('page_view')).toBeNull();
    await client.flush();
    await settle();
    expect(api.batches).toHaveLength(0);
    expect(await databases()).toEqual([]);
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
  });

  it('denying after granting discards the queue, here and on the device, and forgets the anonymous id', async () => {
    const client = device.client({ consent: 'granted' });
    api.nextTouchpoints(() => new HttpResponse(null, { status: 503 }));
    client.track('page_view');
    await client.flush();
    expect(localStorage.getItem(ANONYMOUS_ID_KEY)).not.toBeNull();

    client.setConsent('denied');
    expect(client.track('page_view')).toBeNull();
    await settle();
    expect(localStorage.getItem(ANONYMOUS_ID_KEY)).toBeNull();

    // A later page on the same device with consent finds nothing left to send.
    const later = device.client({ consent: 'granted' });
    await later.flush();
    expect(api.batches).toHaveLength(1);
  });

  it('a device where consent was denied earlier has the old queue removed', async () => {
    await leaveQueueOnDevice([{ id: 'left-from-an-earlier-visit' }]);
    expect(await databases()).toEqual(['touchpoint']);

    device.client({ consent: 'denied' });
    await settle(20);
    expect(await databases()).toEqual([]);
  });

  it('going back to pending keeps this page’s touchpoints in memory but takes them off the device', async () => {
    const client = device.client({ consent: 'granted' });
    const id = client.track('page_view');
    await settle();
    client.setConsent('pending');
    await settle();
    expect(localStorage.getItem(ANONYMOUS_ID_KEY)).toBeNull();
    const otherTab = device.client({ consent: 'granted' });
    await otherTab.flush();
    expect(api.batches).toHaveLength(0);

    client.setConsent('granted');
    await client.flush();
    expect(api.sentIds()).toEqual([id]);
  });
});

describe('what is kept on the device', () => {
  const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjdXN0LTEyMyJ9.c2lnbmF0dXJl';

  it('the queue holds touchpoints only: never the customer token, the anonymous id is all that ties them together', async () => {
    const client = device.client({ getCustomerToken: () => TOKEN });
    api.nextTouchpoints(() => new HttpResponse(null, { status: 503 }));
    const id = client.track('calculator_used', { product: 'car_loan', properties: { amount: 250000, years: 5 } });
    await client.flush();
    // The token went with the request, as a header, and not into the queue that waits for the retry.
    expect(api.batches[0]?.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    const stored = await deviceQueue();
    expect(stored).toEqual([expect.objectContaining({ id, type: 'calculator_used', product: 'car_loan' })]);
    expect(JSON.stringify(stored)).not.toContain(TOKEN);
  });

  it.each([
    ['an e-mail address', { properties: { contact: 'jens.hansen@example.dk' } }],
    ['an e-mail address as the product', { product: 'jens@example.dk' }],
    ['a CPR number', { properties: { cpr: '010190-1234' } }],
    ['a CPR number without its dash', { properties: { person: '0101901234' } }],
    ['a customer token', { properties: { session: TOKEN } }],
  ])('a touchpoint with %s is refused: reported, neither stored nor sent', async (_, fields) => {
    const client = device.client();
    expect(client.track('page_view', fields as never)).toBeNull();
    await client.flush();
    await settle();
    expect(api.batches).toHaveLength(0);
    expect(await deviceQueue()).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ kind: 'internal', message: 'track failed' })]);
    // The report names what was wrong, not the personal data itself.
    expect(JSON.stringify(errors[0]?.cause?.toString())).not.toMatch(/jens|0101|eyJ/);
  });

  it('numbers and ordinary values are not mistaken for personal data', async () => {
    const client = device.client();
    const id = client.track('calculator_used', {
      product: 'car_loan',
      page: '/loans/car?email=jens@example.dk',
      properties: { amount: 2500001234, term: '5 years', reference: 'A0101901234' },
    });
    expect(id).toEqual(expect.any(String));
    await client.flush();
    expect(api.batches[0]?.body.touchpoints[0]).toMatchObject({
      page: '/loans/car',
      properties: { amount: 2500001234 },
    });
  });

  it('logout() empties the queue on the device and in memory, and the next customer gets a new anonymous id', async () => {
    // The retry after the 503 waits for the test, so it cannot come before the logout on a slow machine.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const client = device.client();
    api.nextTouchpoints(() => new HttpResponse(null, { status: 503 }));
    client.track('page_view');
    client.track('product_view', { product: 'mortgage' });
    await client.flush();
    expect(await deviceQueue()).toHaveLength(2);
    const before = localStorage.getItem(ANONYMOUS_ID_KEY);

    client.logout();
    // A flush waits for the storage changes before it (the queue emptied on the device among them), then sends what
    // is left: nothing.
    await client.flush();
    expect(await deviceQueue()).toEqual([]);
    expect(localStorage.getItem(ANONYMOUS_ID_KEY)).not.toBe(before);
    expect(api.batches).toHaveLength(1);
    // Nor does the retry that was due after the 503 bring anything back.
    await vi.advanceTimersByTimeAsync(600_000);
    expect(api.batches).toHaveLength(1);

    // A later page on the device finds nothing of the previous customer's either.
    const next = device.client();
    await next.flush();
    expect(api.batches).toHaveLength(1);
  });

  it('consent taken back right after a touchpoint leaves nothing on the device, even with the write still pending', async () => {
    const client = device.client();
    await client.flush();
    client.track('page_view');
    client.setConsent('pending');
    // A flush waits for every storage change before it, the pending write and its removal among them.
    await client.flush();
    expect(await deviceQueue()).toEqual([]);
    expect(localStorage.length).toBe(0);
  });
});

describe('the anonymous id', () => {
  it('with consent, it is kept on the device and the next page load uses it again', async () => {
    const first = device.client({ consent: 'granted' });
    first.track('page_view');
    await first.flush();
    first.destroy();
    const second = device.client({ consent: 'granted' });
    second.track('page_view');
    await second.flush();
    const [a, b] = api.batches.map((batch) => batch.body.anonymousId);
    expect(a).toBe(b);
  });

  it('without consent, it lives only as long as the page', async () => {
    const first = device.client({ consent: 'pending' });
    first.setConsent('pending');
    expect(localStorage.getItem(ANONYMOUS_ID_KEY)).toBeNull();
    await first.decide(['dashboard-hero']);
    const second = device.client({ consent: 'pending' });
    await second.decide(['dashboard-hero']);
    const [a, b] = api.decisionRequests.map((request) => request.body.anonymousId);
    expect(a).not.toBe(b);
  });

  it('logging out gives the device a new anonymous id and drops what the previous customer left queued', async () => {
    const client = device.client({ consent: 'granted' });
    api.nextTouchpoints(() => new HttpResponse(null, { status: 503 }));
    client.track('page_view');
    await client.flush();
    const before = localStorage.getItem(ANONYMOUS_ID_KEY);

    client.identify('logged-out');
    const after = client.track('page_view');
    await client.flush();
    const last = api.batches.at(-1);
    expect(last?.body.anonymousId).not.toBe(before);
    expect(last?.body.anonymousId).toBe(localStorage.getItem(ANONYMOUS_ID_KEY));
    expect(last?.body.touchpoints.map((item) => item.id)).toEqual([after]);
  });

  it('a tampered stored id is replaced, so requests stay valid', async () => {
    localStorage.setItem(ANONYMOUS_ID_KEY, '<script>');
    const client = device.client({ consent: 'granted' });
    await client.decide(['dashboard-hero']);
    expect(api.decisionRequests[0]?.body.anonymousId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('the device queue', () => {
  it('survives the page: touchpoints the API did not get are sent by the next page, with the same ids', async () => {
    const first = device.client({ consent: 'granted' });
    api.nextTouchpoints(() => HttpResponse.error());
    const ids = [first.track('page_view'), first.track('calculator_used', { product: 'car_loan' })];
    await first.flush();
    first.destroy();

    const next = device.client({ consent: 'granted' });
    await next.flush();
    expect(api.batches.at(-1)?.body.touchpoints.map((item) => item.id)).toEqual(ids);
    expect(errors.filter((error) => error.kind === 'storage')).toEqual([]);
  });

  it('keeps working in memory when opening IndexedDB fails (storage blocked), and says so', async () => {
    const open = vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('The user denied permission to access the database.', 'SecurityError');
    });
    const client = device.client({ consent: 'granted' });
    const ids = [client.track('page_view'), client.track('page_view')];
    await client.flush();
    expect(open).toHaveBeenCalled();
    expect(api.sentIds()).toEqual(ids);
    expect(errors).toContainEqual(expect.objectContaining({ kind: 'storage' }));
  });

  it('touchpoints waiting while IndexedDB fails are kept in memory and still go', async () => {
    const client = device.client({ consent: 'granted' });
    await client.flush();
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(() => {
      throw new DOMException('The database connection is closing.', 'InvalidStateError');
    });
    const ids = [client.track('page_view'), client.track('product_view', { product: 'pension' })];
    await client.flush();
    expect(api.sentIds()).toEqual(ids);
  });

  it('keeps working in memory when IndexedDB is unavailable, and says so', async () => {
    // @ts-expect-error: a browser without IndexedDB (some private modes)
    globalThis.indexedDB = undefined;
    const client = device.client({ consent: 'granted' });
    const id = client.track('page_view');
    await client.flush();
    expect(api.sentIds()).toEqual([id]);
    expect(errors).toContainEqual(expect.objectContaining({ kind: 'storage' }));
  });
});
