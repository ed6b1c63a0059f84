import type { MiddlewareHandler } from 'hono';
import { ProblemError } from './problem.js';
import { unstorableReason } from './stored-text.js';

/**
 * Ids in paths and query parameters go to the store as text, like body fields: a path segment or a parameter that is
 * not UTF-8 once percent-decoded, or that holds a NUL, is refused before any route sees it. Only a URL with a
 * percent sign can hold either, so the decision path pays one `includes` for this.
 */
export const refuseUnstorableUrl: MiddlewareHandler = async function refuseUnstorableUrl(c, next) {
  const url = c.req.url;
  if (url.includes('%')) {
    const { pathname, search } = new URL(url);
    if (pathname.split('/').some((segment) => textOf(segment) === null)) {
      throw new ProblemError(
        400,
        'invalid-path',
        'Invalid path',
        'Each path segment must be UTF-8 text without NUL characters once percent-decoded.',
      );
    }
    const errors: Array<{ path: string; message: string }> = [];
    for (const part of search.slice(1).split('&')) {
      if (part === '') continue;
      const split = part.indexOf('=');
      const name = textOf(split < 0 ? part : part.slice(0, split));
      if (name === null) {
        errors.push({ path: '', message: 'a parameter name is not UTF-8 text or holds a NUL character' });
        continue;
      }
      if (split >= 0 && textOf(part.slice(split + 1)) === null) {
        errors.push({ path: `/${name}`, message: 'is not UTF-8 text or holds a NUL character' });
      }
    }
    if (errors.length > 0) {
      throw new ProblemError(400, 'invalid-query', 'The query is invalid', 'See errors for each parameter.', errors);
    }
  }
  await next();
};

/** The text a percent-encoded URL part stands for, or null when it is not UTF-8 or cannot be stored. */
function textOf(encoded: string): string | null {
  let text: string;
  try {
    text = decodeURIComponent(encoded.replaceAll('+', ' '));
  } catch {
    return null;
  }
  return unstorableReason(text) ? null : text;
}
