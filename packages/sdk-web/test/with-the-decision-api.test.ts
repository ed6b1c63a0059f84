// @vitest-environment node
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import {
  createTouchpointApp,
  DEMO_CONFIG,
  DEMO_CUSTOMER_TOKEN_SECRET,
  mintCustomerToken,
  openStore,
  type TouchpointApp,
} from '@touchpoint/decision-api';
import { Catalog } from '@touchpoint/decision-api/contract';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createPlacementController } from '../src/index.js';
import type { TouchpointClient, TouchpointErrorInfo } from '../src/types.js';

// The real decision API (embedded store, the demo bank's catalog) answers the SDK's requests; msw only carries them.
const ENDPOINT = 'https://touchpoint.bank.test';
let touchpoint: TouchpointApp;
const server = setupServer(http.all(`${ENDPOINT}/*`, ({ request }) => touchpoint.app.fetch(request)));

beforeAll(async () => {
  const store = await openStore({});
  const catalog = JSON.parse(readFileSync(new URL('../../decision-api/seed/catalog.json', import.meta.url), 'utf8'));
  await store.saveCatalog(Catalog.parse(catalog));
  // Generous store deadlines: on a busy machine a decision past its deadline is generic content, which these stories
  // are not about.
  touchpoint = await createTouchpointApp({
    store,
    config: { ...DEMO_CONFIG, storeTimeouts: { decisionMs: 10_000, ingestMs: 10_000 } },
  });
  server.listen({ onUnhandledRequest: 'error' });
}, 120_000);

afterAll(async () => {
  server.close();
  await touchpoint?.close();
});

function visitor(errors: TouchpointErrorInfo[]): TouchpointClient {
  return createClient({
    endpoint: ENDPOINT,
    siteKey: 'pk_demo_netbank',
    channel: 'netbank',
    consent: 'granted',
    locale: 'en',
    decisionTimeoutMs: 10_000,
    onError: (error) => errors.push(error),
  });
}

async function shown(client: TouchpointClient, name = 'dashboard-hero') {
  const controller = createPlacementController(client, { name, page: '/' });
  controller.subscribe(() => {});
  await loaded(controller);
  return controller;
}

/** Resolves once the placement is no longer loading: on the controller's own change notice, not a polling loop. */
function loaded(controller: ReturnType<typeof createPlacementController>): Promise<void> {
  return new Promise((resolve) => {
    let unsubscribe = () => {};
    const check = () => {
      if (controller.getState().status === 'loading') return;
      unsubscribe();
      resolve();
    };
    unsubscribe = controller.subscribe(check);
    check();
  });
}

describe('with the decision API', () => {
  it('a customer who priced a car loan is offered a car loan on the dashboard', async () => {
    const errors: TouchpointErrorInfo[] = [];
    const client = visitor(errors);
    client.track('page_view', { page: '/loans/car', product: 'car_loan' });
    client.track('calculator_used', { page: '/loans/car', product: 'car_loan', properties: { amount: 250000 } });
    const hero = await shown(client);
    expect(hero.getState().offer?.product).toBe('car_loan');
    expect(errors).toEqual([]);
    client.destroy();
  });

  it('a customer who dismissed an offer does not see it again', async () => {
    const errors: TouchpointErrorInfo[] = [];
    const client = visitor(errors);
    client.track('calculator_used', { page: '/loans/car', product: 'car_loan' });
    const hero = await shown(client);
    const dismissed = hero.getState().offer?.offerId;
    expect(dismissed).toBeDefined();

    hero.dismiss();
    await loaded(hero);
    expect(hero.getState().offer?.offerId).not.toBe(dismissed);
    const again = await shown(client);
    expect(again.getState().offer?.offerId).not.toBe(dismissed);
    expect(errors).toEqual([]);
    client.destroy();
  });

  it('touchpoints the API refuses are reported, and the valid ones of the batch are kept', async () => {
    const errors: TouchpointErrorInfo[] = [];
    const client = visitor(errors);
    const valid = client.track('product_view', { product: 'mortgage' });
    const invalid = client.track('product_view', { product: 'Mortgage!' });
    await client.flush();
    expect(valid).not.toBeNull();
    expect(errors).toEqual([expect.objectContaining({ kind: 'delivery', status: 200, dropped: [invalid] })]);
    client.destroy();
  });
});

describe('a customer token the API refuses', () => {
  const tokenOptions = { secret: DEMO_CUSTOMER_TOKEN_SECRET, issuer: 'demo-bank', audience: 'touchpoint' };

  it('costs no banner and no touchpoint: decided and sent anonymously, reported once, stitched at the next valid login', async () => {
    // The bank's backend signs with the wrong issuer: a configuration mistake the API refuses.
    const wrong = await mintCustomerToken(
      { ...tokenOptions, issuer: 'my-bank', clockToleranceSeconds: 30, jwksCooldownSeconds: 30 },
      'c-refused-1',
    );
    const right = await mintCustomerToken(
      { ...tokenOptions, clockToleranceSeconds: 30, jwksCooldownSeconds: 30 },
      'c-refused-1',
    );
    let token = wrong;
    const errors: TouchpointErrorInfo[] = [];
    const client = createClient({
      endpoint: ENDPOINT,
      siteKey: 'pk_demo_netbank',
      channel: 'netbank',
      consent: 'granted',
      locale: 'en',
      decisionTimeoutMs: 10_000,
      getCustomerToken: () => token,
      onError: (error) => errors.push(error),
    });
    const first = await shown(client);
    // An anonymous decision, not the empty fallback.
    expect(first.getState().status).toBe('ready');
    expect(first.getState().decision?.why).toBeUndefined();

    const priced = client.track('calculator_used', {
      page: '/loans/car',
      product: 'car_loan',
      properties: { amount: 1 },
    });
    await client.flush();
    const again = await shown(client);
    expect(again.getState().offer?.product).toBe('car_loan');
    expect(errors).toEqual([
      expect.objectContaining({
        kind: 'config',
        status: 401,
        message:
          'token refused: The customer token claim "iss" is invalid. It must be "demo-bank" (TOUCHPOINT_CUSTOMER_TOKEN_ISSUER).',
      }),
    ]);
    expect(priced).not.toBeNull();

    // The bank fixes its issuer: the next login links what the device did anonymously to the customer.
    token = right;
    client.identify('logged-in');
    const customer = await shown(client);
    expect(customer.getState().offer?.product).toBe('car_loan');
    expect(customer.getState().decision?.why).toEqual(expect.any(String));
    expect(errors).toHaveLength(1);
    client.destroy();
  });
});
