import type { PostOptions, Transport } from '../ports.js';
import type { TouchpointErrorInfo } from '../types.js';

/**
 * Requests to the decision API with fetch; navigator.sendBeacon as the last resort while the page goes away.
 * A customer token the API refuses (wrong issuer, secret, expired) must not cost a touchpoint or a banner: the request
 * goes again without it, anonymously (the API links the device's history to the customer at the next valid token),
 * the refusal is reported once, and that token is not sent again.
 */
export function createFetchTransport(
  endpoint: string,
  siteKey: string,
  report: (error: TouchpointErrorInfo) => void,
): Transport {
  const base = endpoint.replace(/\/+$/, '');
  let refusedToken: string | null | undefined;
  return {
    async send(path: string, body: unknown, { token, keepalive, signal }: PostOptions = {}) {
      for (;;) {
        if (token === refusedToken) token = null;
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-touchpoint-key': siteKey };
        if (token) headers.authorization = `Bearer ${token}`;
        const response = await fetch(base + path, {
          method: body ? 'POST' : 'GET',
          headers,
          body: body ? JSON.stringify(body) : null,
          keepalive,
          signal,
        });
        // An empty or non-JSON body reads as null: the status decides.
        const json: unknown = await response.json().catch(() => null);
        const answer = { status: response.status, retryAfter: response.headers.get('retry-after'), body: json };
        if (answer.status !== 401 || !token || !`${(json as { type?: unknown } | null)?.type}`.endsWith('token'))
          return answer;
        if (token !== refusedToken) report({ kind: 'config', status: 401, message: 'token refused', cause: answer });
        refusedToken = token;
      }
    },
    beacon(path: string, body: unknown) {
      // A beacon cannot carry headers: the key goes in the query, and a string body is sent as text/plain,
      // which needs no CORS preflight.
      navigator.sendBeacon?.(`${base}${path}?key=${encodeURIComponent(siteKey)}`, JSON.stringify(body));
    },
  };
}
