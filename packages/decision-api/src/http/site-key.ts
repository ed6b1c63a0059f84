import type { MiddlewareHandler } from 'hono';
import type { SiteKey } from '../config.js';
import { ProblemError } from './problem.js';

export const SITE_KEY_HEADER = 'x-touchpoint-key';
const ALLOWED_HEADERS = 'content-type, authorization, x-touchpoint-key';

/**
 * Publishable site keys: each names its channel and the origins allowed to use it. A page whose origin a key allows
 * gets CORS headers on every answer. Any other origin gets them on a refusal only (the problem details, never data),
 * so the SDK there can report why instead of a bare network error; a preflight carries no key, so it is answered for
 * any origin, and the request that follows is the one refused. CORS protects no data here (customer tokens are sent
 * by the SDK, never by the browser on its own), the key's origin check does.
 */
export function siteKeys(keys: readonly SiteKey[]): MiddlewareHandler<{ Variables: { siteKey: SiteKey } }> {
  const byKey = new Map(keys.map((key) => [key.key, key]));
  const developmentKeys = keys.filter((key) => key.development).map((key) => key.key);
  return async function siteKeyMiddleware(c, next) {
    const origin = c.req.header('origin');
    if (origin) {
      // Set before any refusal, so a browser can read its problem details.
      c.header('access-control-allow-origin', origin);
      c.header('vary', 'Origin');
    }
    if (c.req.method === 'OPTIONS') {
      return c.body(null, 204, {
        'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': '600',
      });
    }
    const presented = c.req.header(SITE_KEY_HEADER) ?? c.req.query('key');
    if (!presented) {
      throw new ProblemError(
        401,
        'site-key-missing',
        'Site key missing',
        `Send the publishable site key in the ${SITE_KEY_HEADER} header.`,
      );
    }
    const key = byKey.get(presented);
    if (!key) {
      const known = developmentKeys.length ? ` Development keys here: ${developmentKeys.join(', ')}.` : '';
      throw new ProblemError(
        401,
        'site-key-unknown',
        'Unknown site key',
        `The site key ${JSON.stringify(presented.slice(0, 80))} is not configured (TOUCHPOINT_SITE_KEYS).${known}`,
      );
    }
    if (origin && !key.origins.includes(origin)) {
      throw new ProblemError(
        403,
        'origin-not-allowed',
        'Origin not allowed',
        `Origin ${origin} is not allowed for site key ${key.key}; add it to the key's origins in TOUCHPOINT_SITE_KEYS${key.development ? ', or to TOUCHPOINT_DEMO_ORIGINS for the demo keys' : ''}.`,
      );
    }
    c.set('siteKey', key);
    await next();
  };
}
