import { currentPath, onPageHide, randomId, webStorage } from './adapters/browser.js';
import { createFetchTransport } from './adapters/fetch-transport.js';
import { createIndexedDbStorage, deleteIndexedDbStorage } from './adapters/indexeddb-storage.js';
import {
  cacheDecision,
  cachedDecision,
  cacheKey,
  type DecisionCache,
  readDecisionCache,
} from './core/decision-cache.js';
import { fallbackDecision, readDecisions } from './core/decision-response.js';
import { isString, isText } from './core/guards.js';
import { buildTouchpoint, toPagePath } from './core/touchpoint.js';
import { createDelivery } from './delivery.js';
import type { QueueStorage } from './ports.js';
import type { ClientOptions, ConsentState, DecideOptions, TouchpointClient, TouchpointErrorInfo } from './types.js';
import type { Locale, PlacementDecision, WhyExplanation } from './wire.js';

const ANONYMOUS_ID_KEY = 'touchpoint:id';
const DECISIONS_KEY = 'touchpoint:decisions';
/** A customer token that takes longer than this is not waited for: the touchpoints go with the anonymous id. */
const TOKEN_TIMEOUT_MS = 5000;

/** What a refusal of the API says (RFC 9457 problem details). */
type Problem = { type?: unknown; detail?: unknown };

const isLocale = (value: unknown): value is Locale => value === 'da' || value === 'en';
const isConsent = (value: unknown): value is ConsentState =>
  value === 'pending' || value === 'granted' || value === 'denied';
const positive = (value: unknown, fallback: number): number =>
  typeof value === 'number' && value > 0 && value < 1e9 ? value : fallback;

/** The promise's value, or undefined when it takes longer than `ms`. */
function within<T>(promise: T | Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Creates the Touchpoint client of a page. Throws only for a missing endpoint, siteKey or channel; everything after
 * that reports failures to `onError` and never throws or rejects into the host page.
 */
export function createClient(options: ClientOptions): TouchpointClient {
  const { endpoint, siteKey, channel, getCustomerToken, onError, debug } = options ?? {};
  // The README's option table says what each one is.
  for (const [name, value] of Object.entries({ endpoint, siteKey, channel })) {
    if (!isText(value)) throw new Error(`[touchpoint] "${name}" is required`);
  }

  const timeoutMs = positive(options.decisionTimeoutMs, 800);
  const defaultLocale = isLocale(options.locale) ? options.locale : 'da';
  const transport = createFetchTransport(endpoint, siteKey, report);
  let consent: ConsentState = 'pending';
  let anonymousId = randomId();
  let lastToken: string | null = null;
  /** A customer was logged in with this anonymous id (kept on the device with it, as a leading "~"). */
  let loggedIn = false;
  let cache: DecisionCache = {};
  /** Bumped whenever the cache is invalidated, so answers to older requests are not cached. */
  let generation = 0;
  let destroyed = false;
  const changeListeners = new Set<() => void>();
  const changed = () => {
    for (const listener of [...changeListeners]) guard('subscriber', listener)();
  };
  let deviceQueue: QueueStorage | undefined;
  /** The anonymous id kept on the device (only with consent): read, written, or removed with null. */
  const storedId = (value?: string | null) => webStorage('localStorage', ANONYMOUS_ID_KEY, value);

  function report(error: TouchpointErrorInfo): void {
    // The API says why it refused (its problem's detail, RFC 9457): that is what a developer needs to read.
    const { cause } = error as { cause?: { body?: Problem } };
    const detail = cause?.body?.detail;
    if (isText(detail)) error = { ...error, message: `${error.message}: ${detail}` };
    if (debug) console.warn('[touchpoint]', error.message, error);
    try {
      onError?.(error);
    } catch {
      // The host's error handler failing must not become the host's problem either.
    }
  }

  /** No decision or explanation: `cause` is the API's refusal (with its status) or what went wrong. */
  function refused(message: string, cause: unknown): void {
    report({
      kind: 'decision',
      status: (cause as { status?: number } | undefined)?.status,
      message,
      cause,
    });
  }

  /** A host call with a value the SDK cannot use: reported, and the call does nothing. */
  function misuse(what: string, value: unknown): null {
    report({ kind: 'config', message: `invalid ${what}: ${JSON.stringify(value)}` });
    return null;
  }

  /** The customer token, or null; one that takes too long is not waited for (the anonymous id goes alone). */
  async function token(): Promise<string | null> {
    try {
      const value = await within(getCustomerToken?.(), TOKEN_TIMEOUT_MS);
      // No token (null) after one: the customer logged out, so the next person on this device starts afresh.
      if (value === null && loggedIn) identify(true);
      lastToken = isText(value) ? value : null;
      if (lastToken && !loggedIn && consent === 'granted') storedId(`~${anonymousId}`);
      loggedIn ||= !!lastToken;
    } catch (cause) {
      report({ kind: 'callback', message: 'getCustomerToken failed', cause });
      lastToken = null;
    }
    return lastToken;
  }

  const delivery = createDelivery({
    transport,
    cap: positive(options.maxQueueSize, 1000),
    intervalMs: positive(options.flushIntervalMs, 2000),
    anonymousId: () => anonymousId,
    token,
    lastToken: () => lastToken,
    canSend: () => consent === 'granted' && !destroyed,
    report,
  });

  function setCache(next: DecisionCache): void {
    cache = next;
    if (consent === 'granted') webStorage('sessionStorage', DECISIONS_KEY, JSON.stringify(cache));
  }

  function clearCache(): void {
    generation++;
    cache = {};
    webStorage('sessionStorage', DECISIONS_KEY, null);
  }

  function applyConsent(next: ConsentState): void {
    consent = next;
    if (next === 'granted') {
      const stored = storedId();
      if (stored && /^~?[\da-f-]{36}$/i.test(stored)) {
        anonymousId = stored.slice(-36);
        loggedIn = stored[0] === '~';
      } else storedId(anonymousId);
      deviceQueue ??= createIndexedDbStorage();
      delivery.persistIn(deviceQueue);
      return;
    }
    // Pending keeps this page's touchpoints in memory; denied discards them. Neither leaves anything on the device.
    if (next === 'denied') delivery.clear();
    delivery.persistIn(null);
    storedId(null);
    if (!deviceQueue && next === 'denied') deleteIndexedDbStorage();
  }

  /** Never rejects: everything that can fail is inside the try, and the answer is made of what cannot. */
  async function decide(placements: unknown, decideOptions?: DecideOptions): Promise<PlacementDecision[]> {
    const names = Array.isArray(placements) ? [...new Set(placements.filter(isString))] : [];
    const found = new Map<string, PlacementDecision>();
    const started = generation;
    const abort = new AbortController();
    // Neither can throw, whatever the host passed: a path is made of anything, and the locale is checked.
    const page = toPagePath(decideOptions?.page ?? currentPath());
    const locale = isLocale(decideOptions?.locale) ? decideOptions.locale : defaultLocale;
    const key = (name: string) => cacheKey(name, page, locale);
    try {
      // Unknown or malformed placement ids, or more than ten, are the API's to refuse: its problem details name them.
      const ask = names.filter((name) => !cachedDecision(cache, key(name), Date.now()));
      if (ask.length && !destroyed) {
        const response = await within(
          (async () => {
            // Touchpoints first (a dismissal, a calculator use), so this decision already knows about them.
            await delivery.flush();
            // The token first: a logout it reveals gives this decision the new anonymous id.
            const customer = await token();
            // Only with consent granted may the decision use what is known about the customer.
            const body = { anonymousId, context: { channel, page, locale, consent }, placements: ask };
            return transport.send('/v1/decisions', body, { token: customer, signal: abort.signal });
          })(),
          timeoutMs,
        );
        if (!response) throw new Error('timeout');
        for (const decision of response.status === 200 ? readDecisions(response.body) : []) {
          if (!ask.includes(decision.placement)) continue;
          // "Why (not)?": the customer-facing reason; with a development key, the rule that excluded each top offer.
          if (debug) console.info('[touchpoint]', decision.placement, decision.reason, decision.debug ?? '');
          found.set(decision.placement, decision);
          if (started === generation) setCache(cacheDecision(cache, key(decision.placement), decision, Date.now()));
        }
        // A refusal, or an answer without a well-formed decision for every placement asked for.
        if (found.size < ask.length) throw response;
      }
    } catch (cause) {
      refused('no decision', cause);
    } finally {
      abort.abort();
    }
    return names.map((name) => found.get(name) ?? cachedDecision(cache, key(name), -1) ?? fallbackDecision(name));
  }

  /** `call`, reporting what it throws and returning null instead. */
  function guard<Args extends unknown[], Result>(
    name: string,
    call: (...args: Args) => Result,
  ): (...args: Args) => Result | null {
    return (...args) => {
      try {
        return call(...args);
      } catch (cause) {
        report({ kind: 'internal', message: `${name} failed`, cause });
        return null;
      }
    };
  }

  function identify(loggedOut: boolean): void {
    clearCache();
    if (loggedOut) {
      // The next customer on this device must not inherit the previous one's touchpoints or anonymous history.
      delivery.clear();
      anonymousId = randomId();
      loggedIn = false;
      if (consent === 'granted') storedId(anonymousId);
    }
    changed();
  }

  const initial = isConsent(options.consent) ? options.consent : 'pending';
  if (initial !== options.consent) misuse('consent', options.consent);
  applyConsent(initial);
  if (initial === 'granted') cache = readDecisionCache(webStorage('sessionStorage', DECISIONS_KEY));
  // The device was last used logged in: asked at once, so a logout since then starts afresh before anything is sent.
  if (loggedIn) void token();
  const stopHideListener = onPageHide(guard('hide', delivery.sendOnHide));

  return {
    channel,

    track: guard('track', (type, fields) => {
      if (destroyed || consent === 'denied') return null;
      const touchpoint = buildTouchpoint(type, fields, {
        id: randomId(),
        occurredAt: new Date().toISOString(),
        channel,
        page: currentPath(),
      });
      if (!touchpoint) return misuse('type', type);
      delivery.add(touchpoint);
      // What the customer did may change the next decision; seeing a page, and seeing or clicking the current offer,
      // do not (a page's decision is cached for that page, so a page view would only ever throw it away).
      if (type !== 'page_view' && type !== 'offer_impression' && type !== 'offer_click') clearCache();
      return touchpoint.id;
    }),

    decide,

    // Cannot throw: whatever the arguments, they only make a key that is not in the cache.
    cached: (placement, decideOptions) =>
      cachedDecision(
        cache,
        cacheKey(
          placement,
          toPagePath(decideOptions?.page ?? currentPath()),
          isLocale(decideOptions?.locale) ? decideOptions.locale : defaultLocale,
        ),
        Date.now(),
      ),

    flush: delivery.flush,

    async explain(decision) {
      try {
        // Only for a decision the API offered to explain, and only from the API itself: the customer token goes in a
        // header to the endpoint, never into a URL or to another host (the decision's `why` URL is not followed).
        // The id only extends the endpoint's path, so whatever it holds, the request stays on the endpoint's origin.
        if (decision?.why) {
          const response = await transport.send(`/v1/me/decisions/${decision.decisionId}/why`, null, {
            token: await token(),
          });
          // The banner draws only the text it finds in it.
          if (response.status === 200) return response.body as WhyExplanation | null;
          throw response;
        }
      } catch (cause) {
        refused('no why', cause);
      }
      return null;
    },

    setConsent: guard('setConsent', (state) => {
      if (!isConsent(state)) return misuse('consent', state);
      if (destroyed || state === consent) return;
      clearCache();
      applyConsent(state);
      changed();
    }),

    identify: guard('identify', (state) => {
      if (state !== 'logged-in' && state !== 'logged-out') return misuse('identify', state);
      identify(state === 'logged-out');
    }),

    logout: guard('logout', () => identify(true)),

    subscribe: (listener) => {
      changeListeners.add(listener);
      return () => void changeListeners.delete(listener);
    },

    destroy: guard('destroy', () => {
      destroyed = true;
      changeListeners.clear();
      stopHideListener();
      delivery.dispose();
    }),
  };
}
