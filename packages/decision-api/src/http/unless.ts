import type { Context, MiddlewareHandler, Next } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';

/**
 * Runs `middleware` in order on every request whose path matches none of `patterns` (Hono path patterns, matched by
 * Hono's own router as `except` from 'hono/combine' matches them); on the others it goes straight on.
 *
 * What `except` does, without its cost on the decision path: `except` wraps its middleware in `some` and `every`,
 * which build a new composition (arrays and closures) on every request; three such layers were ~12 µs of each
 * request's ~250 µs. A middleware that answers by returning a Response sets the context's response, as in Hono's
 * own composition.
 */
export function unless(patterns: readonly string[], ...middleware: MiddlewareHandler[]): MiddlewareHandler {
  const router = new TrieRouter<true>();
  for (const pattern of patterns) router.add('ALL', pattern, true);
  const skipped = (path: string) => router.match('ALL', path)[0].length > 0;
  return async function unless(c: Context, next: Next) {
    if (skipped(c.req.path)) {
      await next();
      return;
    }
    const run = async (i: number): Promise<void> => {
      const handler = middleware[i];
      if (!handler) {
        await next();
        return;
      }
      const answer = await handler(c, () => run(i + 1));
      if (answer && !c.finalized) c.res = answer;
    };
    await run(0);
  };
}
