import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { decision, ENDPOINT, explanation, testDevice } from './support/api.js';

const device = testDevice();
const { api, errors } = device;

/** A decision the API offered to explain: a logged-in customer who gave consent. */
const explainable = (placement = 'dashboard-hero') => {
  const made = decision(placement);
  return { ...made, why: `https://elsewhere.example/v1/me/decisions/${made.decisionId}/why` };
};

describe('why am I seeing this?', () => {
  it('fetches the explanation from the endpoint with the customer token in the Authorization header', async () => {
    const client = device.client({ getCustomerToken: async () => 'header.payload.signature' });
    const shown = explainable();
    expect(await client.explain(shown)).toEqual(explanation(shown.decisionId));
    const [request] = api.whyRequests;
    // The decision's own `why` URL (another host here) is not followed: the token goes to the endpoint only.
    expect(request?.url.href).toBe(`${ENDPOINT}/v1/me/decisions/${shown.decisionId}/why`);
    expect(request?.url.search).toBe('');
    expect(request?.headers.get('authorization')).toBe('Bearer header.payload.signature');
    expect(request?.headers.get('x-touchpoint-key')).toBe('pk_test_netbank');
    expect(errors).toEqual([]);
  });

  it('asks nothing for a decision without an explanation (anonymous, or without consent)', async () => {
    const client = device.client();
    expect(await client.explain(decision('dashboard-hero'))).toBeNull();
    expect(await client.explain(null as never)).toBeNull();
    expect(api.whyRequests).toEqual([]);
    expect(errors).toEqual([]);
  });

  it.each([
    ['a 404', () => HttpResponse.json({ status: 404, title: 'Not found' }, { status: 404 })],
    ['a 500', () => new HttpResponse(null, { status: 500 })],
    ['a network error', () => HttpResponse.error()],
  ])('after %s it resolves to null and reports, never rejects', async (_, reply) => {
    const client = device.client({ getCustomerToken: () => 'a.b.c' });
    api.nextWhy(reply);
    expect(await client.explain(explainable())).toBeNull();
    expect(errors).toEqual([expect.objectContaining({ kind: 'decision', message: 'no why' })]);
  });
});
