import type {
  DecisionRequest,
  OfferContent,
  PlacementDecision,
  TouchpointBatch,
  TouchpointBatchResult,
  WhyExplanation,
} from '@touchpoint/decision-api/contract';
import { IDBFactory } from 'fake-indexeddb';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import { createClient } from '../../src/index.js';
import type { ClientOptions, TouchpointClient, TouchpointErrorInfo } from '../../src/types.js';

export const ENDPOINT = 'https://touchpoint.bank.test';
export const SITE_KEY = 'pk_test_netbank';

export interface Received<T> {
  readonly body: T;
  readonly url: URL;
  readonly headers: Headers;
}

type Reply<T> = (body: T) => Response | Promise<Response>;

let counter = 0;
/** A fresh UUID-shaped decision id. */
export const decisionId = () => `d0000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

export function offer(overrides: Partial<OfferContent> = {}): OfferContent {
  return {
    offerId: 'car-loan-calculator',
    product: 'car_loan',
    locale: 'en',
    headline: 'What will your next car cost a month?',
    body: 'Work out the monthly payment on a car loan in two minutes.',
    cta: { label: 'Price your car loan', url: '/loans/car?calculator=1' },
    image: { url: 'https://touchpoint.bank.test/static/offers/car-loan.svg', alt: 'A small green car' },
    ...overrides,
  };
}

export function decision(placement: string, overrides: Partial<PlacementDecision> = {}): PlacementDecision {
  return {
    placement,
    decisionId: decisionId(),
    offer: offer(),
    size: { width: 960, height: 240 },
    ttlSeconds: 300,
    reason: 'You recently priced a car loan.',
    ...overrides,
  };
}

/** The API's "why am I seeing this?" for a decision, in English. */
export function explanation(id: string, overrides: Partial<WhyExplanation> = {}): WhyExplanation {
  return {
    decisionId: id,
    locale: 'en',
    offerId: 'car-loan-calculator',
    reason: 'You recently priced a car loan.',
    journey: { product: 'Car loan', stage: 'compare', description: 'You are comparing prices of car loan.' },
    touchpoints: [{ at: '2026-11-22T11:00:00.000Z', description: 'You used the car loan calculator.' }],
    optOut: 'You can turn personalised offers off under Privacy.',
    ...overrides,
  };
}

/** Accepts every touchpoint of a batch. */
export const acceptAll = (batch: TouchpointBatch): TouchpointBatchResult => ({
  accepted: batch.touchpoints.map((item) => item.id),
  duplicates: [],
  rejected: [],
});

/**
 * The decision API as the SDK sees it over the network (msw). It records every request; by default it accepts every
 * touchpoint and decides the car-loan offer for every placement. Tests script the next answers with `next*`.
 */
export function fakeApi() {
  const batches: Received<TouchpointBatch>[] = [];
  const decisionRequests: Received<DecisionRequest>[] = [];
  /** Paths in the order requests arrived. */
  const order: string[] = [];
  const touchpointReplies: Reply<TouchpointBatch>[] = [];
  const decisionReplies: Reply<DecisionRequest>[] = [];
  /** Requests for explanations ("why am I seeing this?"), with no body. */
  const whyRequests: Received<null>[] = [];
  const whyReplies: Reply<string>[] = [];

  async function receive<T>(request: Request, into: Received<T>[]): Promise<T> {
    const url = new URL(request.url);
    order.push(url.pathname);
    const body = JSON.parse(await request.text()) as T;
    into.push({ body, url, headers: request.headers });
    return body;
  }

  const server = setupServer(
    http.post(`${ENDPOINT}/v1/touchpoints`, async ({ request }) => {
      const batch = await receive(request, batches);
      const reply = touchpointReplies.shift();
      return reply ? reply(batch) : HttpResponse.json(acceptAll(batch));
    }),
    http.post(`${ENDPOINT}/v1/decisions`, async ({ request }) => {
      const body = await receive(request, decisionRequests);
      const reply = decisionReplies.shift();
      return reply ? reply(body) : HttpResponse.json({ decisions: body.placements.map((name) => decision(name)) });
    }),
    http.get(`${ENDPOINT}/v1/me/decisions/:id/why`, ({ request, params }) => {
      const url = new URL(request.url);
      order.push(url.pathname);
      whyRequests.push({ body: null, url, headers: request.headers });
      const id = String(params.id);
      const reply = whyReplies.shift();
      return reply ? reply(id) : HttpResponse.json(explanation(id));
    }),
  );

  return {
    server,
    reset() {
      for (const list of [
        batches,
        decisionRequests,
        order,
        touchpointReplies,
        decisionReplies,
        whyRequests,
        whyReplies,
      ]) {
        list.length = 0;
      }
    },
    batches,
    decisionRequests,
    order,
    /** Every touchpoint id the API received, in order, repeats included. */
    sentIds: () => batches.flatMap((batch) => batch.body.touchpoints.map((item) => item.id)),
    nextTouchpoints: (...replies: Reply<TouchpointBatch>[]) => void touchpointReplies.push(...replies),
    nextDecisions: (...replies: Reply<DecisionRequest>[]) => void decisionReplies.push(...replies),
    whyRequests,
    /** Scripts the next answers to explanation requests; each gets the decision id. */
    nextWhy: (...replies: Reply<string>[]) => void whyReplies.push(...replies),
  };
}

export type FakeApi = ReturnType<typeof fakeApi>;

/**
 * Per test: a fresh device (IndexedDB, localStorage, sessionStorage), the fake API listening, and clients made
 * with `client()` destroyed afterwards. `errors` collects what the SDK reported.
 */
export function testDevice() {
  const api = fakeApi();
  const clients: TouchpointClient[] = [];
  const errors: TouchpointErrorInfo[] = [];

  beforeAll(() => api.server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => api.server.close());
  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory();
    globalThis.localStorage?.clear();
    globalThis.sessionStorage?.clear();
    errors.length = 0;
    api.reset();
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
    api.server.resetHandlers();
    vi.useRealTimers();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  return {
    api,
    errors,
    client(options: Partial<ClientOptions> = {}): TouchpointClient {
      const client = createClient({
        endpoint: ENDPOINT,
        siteKey: SITE_KEY,
        channel: 'netbank',
        consent: 'granted',
        locale: 'en',
        // Long enough that tests decide when touchpoints are sent.
        flushIntervalMs: 60_000,
        onError: (error) => errors.push(error),
        ...options,
      });
      clients.push(client);
      return client;
    },
  };
}

/** What is stored on the device's IndexedDB: the names of its databases. */
export async function databases(): Promise<string[]> {
  return (await indexedDB.databases()).map((database) => database.name ?? '');
}

/**
 * Lets pending promise callbacks and storage transactions run. A fixed number of timer turns, not a signal: prefer
 * `client.flush()` (it follows every storage change) or `vi.waitFor` on a condition.
 */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Leaves a device queue as an earlier page load would have: written with IndexedDB itself and closed, as a page that
 * is gone holds no connection.
 */
export function leaveQueueOnDevice(items: readonly object[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('touchpoint');
    request.onupgradeneeded = () => request.result.createObjectStore('queue');
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const transaction = db.transaction('queue', 'readwrite');
      transaction.objectStore('queue').put(items, 'queue:v1');
      transaction.oncomplete = () => {
        db.close();
        resolve();
      };
    };
  });
}

/** What the device queue holds now, exactly as stored (no database, or no queue in it, reads as undefined). */
export async function deviceQueue(): Promise<unknown> {
  if (!(await databases()).includes('touchpoint')) return undefined;
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('touchpoint');
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('queue')) {
        db.close();
        resolve(undefined);
        return;
      }
      const get = db.transaction('queue', 'readonly').objectStore('queue').get('queue:v1');
      get.onerror = () => reject(get.error);
      get.onsuccess = () => {
        db.close();
        resolve(get.result);
      };
    };
  });
}
