import type { Channel, Locale, OfferContent, PlacementDecision, TouchpointType, WhyExplanation } from './wire.js';

export type { Channel, Locale, OfferContent, PlacementDecision, TouchpointType, WhyExplanation };

/**
 * pending: touchpoints are kept in memory only and not sent;
 * granted: persisted on the device and sent;
 * denied: discarded, nothing is stored or sent.
 */
export type ConsentState = 'pending' | 'granted' | 'denied';

export interface TouchpointErrorInfo {
  /** Where it went wrong: a public call, delivery of a batch, a decision, storage or a host callback. */
  readonly kind: 'config' | 'delivery' | 'decision' | 'storage' | 'callback' | 'internal';
  readonly message: string;
  readonly status?: number;
  readonly cause?: unknown;
  /** Touchpoint ids that were given up on (rejected by the API or dropped from a full queue). */
  readonly dropped?: readonly string[];
}

export interface ClientOptions {
  /** Base URL of the decision API, e.g. https://touchpoint.bank.example */
  readonly endpoint: string;
  /** Publishable site key of this channel. */
  readonly siteKey: string;
  readonly channel: Channel;
  readonly consent: ConsentState;
  /** Locale of decisions unless a call says otherwise. Default: 'da'. */
  readonly locale?: Locale;
  /** Returns the bank backend's customer token (JWT) when the customer is logged in, else null. */
  readonly getCustomerToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Every failure is reported here; nothing is ever thrown into the host page. */
  readonly onError?: (error: TouchpointErrorInfo) => void;
  /** Hard timeout of a decision request; the cached or fallback content is used after it. Default 800 ms. */
  readonly decisionTimeoutMs?: number;
  /** Touchpoints are sent at most this long after being tracked. Default 2000 ms. */
  readonly flushIntervalMs?: number;
  /** At most this many touchpoints wait on the device; the oldest are dropped (and reported) beyond it. Default 1000. */
  readonly maxQueueSize?: number;
  /** Log to the console with a [touchpoint] prefix. */
  readonly debug?: boolean;
}

export interface TrackFields {
  readonly product?: string;
  /** Defaults to the current location's path. */
  readonly page?: string;
  readonly placement?: string;
  readonly offer?: string;
  readonly decisionId?: string;
  readonly properties?: Readonly<Record<string, string | number | boolean>>;
}

export interface DecideOptions {
  /** Defaults to the current location's path. */
  readonly page?: string;
  readonly locale?: Locale;
}

export interface TouchpointClient {
  readonly channel: Channel;
  /** Queue a touchpoint. Never throws; returns the touchpoint id, or null when consent is denied or input invalid. */
  track(type: TouchpointType, fields?: TrackFields): string | null;
  /** Decisions for the given placements. Never rejects: on failure or timeout, cached or empty (offer: null) decisions. */
  decide(placements: readonly string[], options?: DecideOptions): Promise<PlacementDecision[]>;
  /**
   * The fresh cached decision for a placement, or null, at once: a renderer draws it in its first paint instead of
   * waiting for `decide` (which returns the same decision without asking the API). Never throws.
   */
  cached(placement: string, options?: DecideOptions): PlacementDecision | null;
  /** Send queued touchpoints now. Never rejects. */
  flush(): Promise<void>;
  /**
   * "Why am I seeing this?": the explanation of one of the logged-in customer's decisions (those with a `why` link),
   * fetched from the API with the customer token in the Authorization header. Null, with a report to onError, when
   * there is none to give. Never rejects.
   */
  explain(decision: PlacementDecision): Promise<WhyExplanation | null>;
  setConsent(state: ConsentState): void;
  /** Call after login or logout: drops cached decisions; on logout also the device queue and anonymous id. */
  identify(state: 'logged-in' | 'logged-out'): void;
  /**
   * The customer logged out (the same as `identify('logged-out')`): drops cached decisions, every queued touchpoint
   * (in memory and on the device) and the anonymous id, so the next customer on the device starts afresh.
   */
  logout(): void;
  /**
   * Calls `listener` when the customer's consent or identity changes, after cached decisions were dropped:
   * what a placement shows should then be decided again. Returns the unsubscribe.
   */
  subscribe(listener: () => void): () => void;
  destroy(): void;
}
