import type { MiddlewareHandler } from 'hono';
import type { SiteKey } from '../config.js';
import { ProblemError } from './problem.js';

export const SITE_KEY_HEADER = 'x-touchpoint-key';
const ALLOWED_HEADERS = 'content-type, authorization, x-touchpoint-key';

/**
 * Publishable site keys: each names its channel and the origins allowed to use it, which drive CORS.
 * A browser preflight carries no key, so it is answered for any origin some key allows.
 */
export function siteKeys(keys: readonly SiteKey[]): MiddlewareHandler<{ Variables: { siteKey: SiteKey } }> {
  const byKey = new Map(keys.map((key) => [key.key, key]));
  const anyOrigin = new Set(keys.flatMap((key) => key.origins));
  return async function siteKeyMiddleware(c, next) {
    const origin = c.req.header('origin');
    if (c.req.method === 'OPTIONS') {
      if (!origin || !anyOrigin.has(origin)) {
        throw new ProblemError(
          403,
          'origin-not-allowed',
          'Origin not allowed',
          `No site key allows origin ${origin ?? '(none)'}.`,
        );
      }
      return c.body(null, 204, {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': '600',
        vary: 'Origin',
      });
    }
    if (origin && anyOrigin.has(origin)) {
      // Set before the key check so a browser can read the problem details of a refused request.
      c.header('access-control-allow-origin', origin);
      c.header('vary', 'Origin');
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
    if (!key) throw new ProblemError(401, 'site-key-unknown', 'Unknown site key', 'The site key is not configured.');
    if (origin && !key.origins.includes(origin)) {
      throw new ProblemError(
        403,
        'origin-not-allowed',
        'Origin not allowed',
        `The site key does not allow origin ${origin}.`,
      );
    }
    c.set('siteKey', key);
    await next();
  };
}
