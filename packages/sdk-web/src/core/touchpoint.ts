import type { Touchpoint } from '../wire.js';
import { isObject, isString } from './guards.js';

const TYPE = /^[a-z][a-z_]{0,39}$/;
/**
 * A direct identifier in a touchpoint's JSON: an @ (an e-mail address; page paths have theirs replaced and slugs
 * cannot hold one), a value that is a Danish CPR number, or one that starts as a token (JWT) does.
 */
const IDENTIFIER = /@|"\d{6}-?\d{4}"|"eyJ/;

/** A page path the API accepts: the path only (no query or fragment), other characters replaced, at most 200 long. */
export function toPagePath(path: unknown): string {
  return `/${isString(path) ? path.split(/[?#]/)[0] : ''}`
    .replace(/^\/+/, '/')
    .replace(/[^\w/.-]/g, '-')
    .slice(0, 200);
}

/**
 * A touchpoint from a host call, or null when the type cannot be a touchpoint type. The known fields are copied
 * through JSON, so later changes by the host do not reach the queue and what is queued can always be sent (a BigInt
 * or a cycle throws here, not in every later batch). Touchpoints wait on the device and go to the API under the
 * anonymous id, so one that names the customer directly (an e-mail address, a CPR number, a token) throws too, with
 * a message that repeats none of it. The API checks field values and refuses invalid items one by one.
 */
export function buildTouchpoint(
  type: unknown,
  fields: unknown,
  base: Pick<Touchpoint, 'id' | 'occurredAt' | 'channel' | 'page'>,
): Touchpoint | null {
  if (!isString(type) || !TYPE.test(type)) return null;
  const input = isObject(fields) ? fields : {};
  const touchpoint: Record<string, unknown> = { ...base, type };
  for (const key of ['page', 'product', 'placement', 'offer', 'decisionId', 'properties']) {
    if (input[key] != null) touchpoint[key] = input[key];
  }
  touchpoint.page = toPagePath(touchpoint.page);
  const json = JSON.stringify(touchpoint);
  if (IDENTIFIER.test(json)) throw new Error('personal data');
  return JSON.parse(json);
}
