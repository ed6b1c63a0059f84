import type { OfferContent, PlacementDecision } from '../wire.js';
import { isObject, isString, isText } from './guards.js';

/** What a placement shows when no decision could be had: nothing, in its reserved box. Its decisionId is empty. */
export function fallbackDecision(placement: string): PlacementDecision {
  return { placement, decisionId: '', offer: null, size: null, ttlSeconds: 0, reason: '' };
}

/** Whether a decision is the SDK's fallback (no answer in time, an error) rather than the API's. */
export function isFallback(decision: PlacementDecision): boolean {
  return decision.decisionId === '';
}

/** Links and images only to the web (absolute http(s)) or to the bank's own site (root-relative): never javascript:. */
export function isSafeUrl(url: unknown): url is string {
  return isString(url) && /^(https?:\/\/|\/(?![/\\]))/i.test(url);
}

/** Every field a renderer draws is text (or a safe URL), so rendering can never meet an object or a script URL. */
function isOffer(offer: unknown): offer is OfferContent {
  if (!isObject(offer) || !isObject(offer.cta)) return false;
  const { image, product } = offer;
  return (
    [offer.offerId, offer.locale, offer.headline, offer.body, offer.cta.label].every(isString) &&
    (product == null || isString(product)) &&
    isSafeUrl(offer.cta.url) &&
    (!image || (isObject(image) && isSafeUrl(image.url) && isString(image.alt)))
  );
}

/** Whether a value is a decision this SDK can use and render safely. */
export function isDecision(value: unknown): value is PlacementDecision {
  return (
    isObject(value) &&
    [value.placement, value.reason].every(isString) &&
    isText(value.decisionId) &&
    (value.offer === null || isOffer(value.offer)) &&
    typeof value.ttlSeconds === 'number' &&
    value.ttlSeconds >= 0
  );
}

/** The well-formed decisions of a response body; anything else in it is ignored. */
export function readDecisions(body: unknown): PlacementDecision[] {
  return isObject(body) && Array.isArray(body.decisions) ? body.decisions.filter(isDecision) : [];
}
