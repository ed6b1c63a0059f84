import { Hono, type MiddlewareHandler } from 'hono';
import { except } from 'hono/combine';
import { describe, expect, it } from 'vitest';
import { unless } from '../../src/http/unless.js';

/** `unless` answers as `except` from 'hono/combine' does: the same paths skipped, the same order, the same answers. */
describe.each([
  ['unless', unless],
  [
    'except (hono/combine)',
    (patterns: readonly string[], ...middleware: MiddlewareHandler[]) => except([...patterns], ...middleware),
  ],
])('%s', (_name, combine) => {
  const app = () => {
    const seen: string[] = [];
    const hono = new Hono();
    hono.onError((error, c) => c.text(`failed: ${error.message}`, 500));
    hono.use(
      '/v1/*',
      combine(
        ['/v1/partner/*', '/v1/admin/*'],
        async (c, next) => {
          seen.push('first');
          if (c.req.header('x-answer') === 'early') return c.body(null, 204);
          await next();
          seen.push('first after');
        },
        async (c, next) => {
          seen.push('second');
          if (c.req.header('x-answer') === 'throw') throw new Error('refused');
          await next();
        },
      ),
    );
    hono.all('/v1/*', (c) => {
      seen.push('route');
      return c.text('route');
    });
    return { hono, seen };
  };

  it('runs the middleware in order around the route on a path no pattern matches', async () => {
    const { hono, seen } = app();
    const response = await hono.request('/v1/decisions', { method: 'POST' });
    expect(await response.text()).toBe('route');
    expect(seen).toEqual(['first', 'second', 'route', 'first after']);
  });

  it.each(['/v1/partner/touchpoints', '/v1/admin/offers/x', '/v1/admin'])('goes straight on for %s', async (path) => {
    const { hono, seen } = app();
    expect(await (await hono.request(path)).text()).toBe('route');
    expect(seen).toEqual(['route']);
  });

  it('keeps going for paths that only look like the patterns', async () => {
    const { hono, seen } = app();
    await hono.request('/v1/administration');
    await hono.request('/v1/partners');
    expect(seen.filter((step) => step === 'first')).toHaveLength(2);
  });

  it('takes a Response a middleware returns as the answer, and the rest does not run', async () => {
    const { hono, seen } = app();
    const response = await hono.request('/v1/decisions', { headers: { 'x-answer': 'early' } });
    expect(response.status).toBe(204);
    expect(seen).toEqual(['first']);
  });

  it('lets an error reach the app’s error handler', async () => {
    const { hono, seen } = app();
    const response = await hono.request('/v1/decisions', { headers: { 'x-answer': 'throw' } });
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('failed: refused');
    expect(seen).toEqual(['first', 'second']);
  });
});
