import { Problem } from '../../contract/index.js';

export const securedBy: Array<Record<string, string[]>> = [{ siteKey: [] }, { siteKey: [], customerToken: [] }];

/** Staff routes: a staff token only. */
export const staffSecurity: Array<Record<string, string[]>> = [{ staffToken: [] }];

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON',
  401: 'Missing or unknown site key, an invalid customer token, or (on staff routes) a missing or invalid staff token',
  403: 'The origin is not allowed for this site key, or the staff member lacks the role',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Body too large',
  415: 'Body is not JSON',
  422: 'The body does not match the schema; errors name each field',
  429: 'Too many requests for this address, site key or customer; retry after Retry-After seconds',
};

export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: DESCRIPTIONS[status] ?? 'Refused', content: { 'application/problem+json': { schema: Problem } } },
    ]),
  );
}
