import { describe, expect, it } from 'vitest';
import { testDevice } from './support/api.js';

const device = testDevice();
const { api, errors } = device;

describe('one device, several customers: logging out starts a new anonymous id', () => {
  it('a token and then none (getCustomerToken answers null): later touchpoints and decisions go under a new id', async () => {
    let token: string | null = 'customer-b.token.sig';
    const client = device.client({ getCustomerToken: () => token });
    client.track('page_view', { page: '/accounts' });
    await client.flush();
    const [asCustomer] = api.batches;
    expect(asCustomer?.headers.get('authorization')).toBe('Bearer customer-b.token.sig');

    token = null;
    await client.decide(['dashboard-hero']);
    const anonymous = client.track('page_view', { page: '/login' });
    await client.flush();
    const [, afterLogout] = api.batches;
    const [decision] = api.decisionRequests;
    expect(decision?.headers.get('authorization')).toBeNull();
    expect(decision?.body.anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect(decision?.body.anonymousId).not.toBe(asCustomer?.body.anonymousId);
    expect(afterLogout?.headers.get('authorization')).toBeNull();
    expect(afterLogout?.body.anonymousId).toBe(decision?.body.anonymousId);
    expect(api.sentIds().at(-1)).toBe(anonymous);
    // Once out, staying out changes nothing more.
    await client.decide(['product-sidebar']);
    expect(api.decisionRequests[1]?.body.anonymousId).toBe(decision?.body.anonymousId);
    expect(errors).toEqual([]);
  });

  it('what the customer tracked before logging out is never sent under the next anonymous id', async () => {
    let token: string | null = 'customer-b.token.sig';
    const client = device.client({ getCustomerToken: () => token });
    await client.decide(['dashboard-hero']);
    client.track('calculator_used', { product: 'car_loan' });
    token = null;
    await client.flush();
    // The send found the customer gone: what was queued is discarded with the old id (as logout() does), never sent
    // anonymously under the next one.
    expect(api.batches).toEqual([]);
    const next = client.track('page_view');
    await client.flush();
    expect(api.sentIds()).toEqual([next]);
    expect(api.batches[0]?.body.anonymousId).not.toBe(api.decisionRequests[0]?.body.anonymousId);
  });

  it('on the next page load too: a device last used logged in starts afresh when the page has no token', async () => {
    const first = device.client({ getCustomerToken: () => 'customer-b.token.sig' });
    await first.decide(['dashboard-hero']);
    const customersDevice = api.decisionRequests[0]?.body.anonymousId;
    first.destroy();

    const next = device.client({ getCustomerToken: () => null });
    // The client finds the customer gone by itself and tells its subscribers (a placement then decides again); the
    // decision the customer had in this tab's cache is dropped with it.
    await new Promise<void>((resolve) => next.subscribe(resolve));
    expect(next.cached('dashboard-hero')).toBeNull();
    await next.decide(['dashboard-hero']);
    const nextId = api.decisionRequests[1]?.body.anonymousId;
    expect(nextId).toMatch(/^[0-9a-f-]{36}$/);
    expect(nextId).not.toBe(customersDevice);

    // Customer A logs in on the same device: their history starts from the new id, never from B's.
    const third = device.client({ getCustomerToken: () => 'customer-a.token.sig' });
    await third.decide(['product-sidebar']);
    expect(api.decisionRequests[2]?.body.anonymousId).toBe(nextId);
  });

  it('an anonymous visitor keeps their id across page loads, and so does a customer who stays logged in', async () => {
    const visitor = device.client({ getCustomerToken: () => null });
    await visitor.decide(['dashboard-hero']);
    visitor.destroy();
    const again = device.client({ getCustomerToken: () => null });
    await again.decide(['dashboard-hero']);
    again.destroy();
    const loggedIn = device.client({ getCustomerToken: () => 'customer-a.token.sig' });
    await loggedIn.decide(['dashboard-hero']);
    loggedIn.destroy();
    const stillLoggedIn = device.client({ getCustomerToken: () => 'customer-a.token.sig' });
    await stillLoggedIn.decide(['dashboard-hero']);
    expect(new Set(api.decisionRequests.map((request) => request.body.anonymousId)).size).toBe(1);
  });

  it('a token callback that fails or answers nothing (undefined) is no logout', async () => {
    let answer: () => string | null | undefined = () => 'customer-b.token.sig';
    const client = device.client({ getCustomerToken: () => answer() });
    await client.decide(['dashboard-hero']);
    answer = () => {
      throw new Error('session store unavailable');
    };
    await client.decide(['product-sidebar']);
    answer = () => undefined;
    await client.decide(['dashboard-hero'], { page: '/loans' });
    expect(new Set(api.decisionRequests.map((request) => request.body.anonymousId)).size).toBe(1);
  });
});
