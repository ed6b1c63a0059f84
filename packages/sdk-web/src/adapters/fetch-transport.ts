import type { PostOptions, Transport } from '../ports.js';

/** Requests to the decision API with fetch; navigator.sendBeacon as the last resort while the page goes away. */
export function createFetchTransport(endpoint: string, siteKey: string): Transport {
  const base = endpoint.replace(/\/+$/, '');
  return {
    async send(path: string, body: unknown, { token, keepalive, signal }: PostOptions = {}) {
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
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body: json };
    },
    beacon(path: string, body: unknown) {
      // A beacon cannot carry headers: the key goes in the query, and a string body is sent as text/plain,
      // which needs no CORS preflight.
      navigator.sendBeacon?.(`${base}${path}?key=${encodeURIComponent(siteKey)}`, JSON.stringify(body));
    },
  };
}
