import type { Context, Hono, NotFoundHandler } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import { ProblemError, problemResponse } from './problem.js';

// biome-ignore lint/suspicious/noExplicitAny: any app's routes, whatever its environment
type AnyHono = Hono<any, any, any>;

/**
 * What answers a request no route took: 405 with `Allow` when the path is served for other methods, else 404, both
 * as problem+json. The routes are read on the first unmatched request, once every route is registered.
 */
export function unmatchedRoute(app: AnyHono): NotFoundHandler {
  let router: TrieRouter<string> | undefined;
  const allowedFor = (path: string): string[] => {
    if (!router) {
      router = new TrieRouter<string>();
      // Middleware is registered as ALL; only routes name the methods a path is served for.
      for (const route of app.routes) if (route.method !== 'ALL') router.add('ALL', route.path, route.method);
    }
    const methods = new Set(router.match('GET', path)[0].map(([method]) => method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
  return function unmatched(c: Context) {
    const { pathname } = new URL(c.req.url);
    const allowed = allowedFor(c.req.path);
    if (allowed.length > 0) {
      return problemResponse(
        c,
        new ProblemError(
          405,
          'method-not-allowed',
          'Method not allowed',
          `${pathname} answers ${allowed.join(', ')}.`,
          undefined,
          { allow: allowed.join(', ') },
        ),
      );
    }
    return problemResponse(
      c,
      new ProblemError(404, 'not-found', 'Not found', `No route for ${c.req.method} ${pathname}.`),
    );
  };
}
