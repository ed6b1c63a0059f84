import { Problem } from '../../contract/index.js';

export const securedBy: Array<Record<string, string[]>> = [{ siteKey: [] }, { siteKey: [], customerToken: [] }];

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON',
  401: 'Missing or unknown site key, or an invalid customer token',
  403: 'The origin is not allowed for this site key',
  413: 'Body too large',
  415: 'Body is not JSON',
  422: 'The body does not match the schema; errors name each field',
};

export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: DESCRIPTIONS[status] ?? 'Refused', content: { 'application/problem+json': { schema: Problem } } },
    ]),
  );
}
