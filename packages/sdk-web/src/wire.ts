/**
 * The decision API's wire types the browser uses, written out as plain types. The API's contract
 * (@touchpoint/decision-api/contract) defines them as zod schemas, but the published SDK must not make its users install
 * the server (and zod) to get its types, so its declarations refer to these instead. test/wire-types.test.ts fails
 * when they drift from the contract.
 */

export type Channel = 'netbank' | 'mobilebank';

export type Locale = 'da' | 'en';

export type TouchpointType =
  | 'page_view'
  | 'product_view'
  | 'calculator_used'
  | 'application_started'
  | 'application_submitted'
  | 'application_completed'
  | 'offer_impression'
  | 'offer_click'
  | 'offer_dismiss'
  | 'conversion';

export interface Touchpoint {
  id: string;
  type: TouchpointType;
  /** ISO 8601 with an offset. */
  occurredAt: string;
  channel: Channel;
  product?: string | undefined;
  page?: string | undefined;
  placement?: string | undefined;
  offer?: string | undefined;
  decisionId?: string | undefined;
  properties?: Record<string, string | number | boolean> | undefined;
}

/** Structured content; never raw HTML. */
export interface OfferContent {
  offerId: string;
  product: string | null;
  locale: Locale;
  headline: string;
  body: string;
  cta: { label: string; url: string };
  image: { url: string; alt: string } | null;
}

export interface PlacementDecision {
  placement: string;
  decisionId: string;
  offer: OfferContent | null;
  /** The placement's size from the catalog; null for an unknown placement. */
  size: { width: number; height: number } | null;
  /** How long the SDK may reuse this decision. */
  ttlSeconds: number;
  /** A short, customer-facing reason for this content. */
  reason: string;
  /** "Why am I seeing this?": the explanation of this decision. */
  why?: string | undefined;
  /** Development site keys only: the top candidates and the rule that excluded each (null: eligible). */
  debug?:
    | { candidates: Array<{ offerId: string; excludedBy: string | null; priority?: number | undefined }> }
    | undefined;
}

/** "Why am I seeing this?": the customer-facing explanation of one decision, in its language. */
export interface WhyExplanation {
  decisionId: string;
  locale: Locale;
  offerId: string | null;
  /** The short reason the decision gave. */
  reason: string;
  /** Where the customer was on the offer's product journey; null for general content. */
  journey: {
    product: string;
    stage: 'aware' | 'explore' | 'compare' | 'apply' | 'sign' | 'use';
    description: string;
  } | null;
  /** The latest of the customer's own visits that led there, in plain words, oldest first. */
  touchpoints: Array<{ at: string; description: string }>;
  /** How to turn personalised offers off. */
  optOut: string;
}
