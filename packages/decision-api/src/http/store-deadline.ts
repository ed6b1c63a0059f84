import { withinTimeLimit } from '../store/time-limit.js';
import { ProblemError } from './problem.js';

/** How long a client should wait before retrying when the store is away. */
export const STORE_RETRY_AFTER_SECONDS = 5;

export const storeUnavailable = () =>
  new ProblemError(
    503,
    'store-unavailable',
    'Store unavailable',
    'The store does not answer; retry later with the same touchpoint ids.',
    undefined,
    { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) },
  );

/**
 * SQLSTATE classes that mean the statement itself is wrong (syntax, data, constraints): a bug to report as such,
 * not an outage to retry.
 */
const STATEMENT_ERROR_CLASSES = new Set(['22', '23', '42']);

/** Whether an error from the store means it is away (refused, reset, shut down, timed out) rather than a bad query. */
export function isStoreOutage(error: unknown): boolean {
  if (error instanceof ProblemError) return false;
  // Programming errors in the code around the query are bugs, whatever the store's state.
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) return false;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (/^[0-9A-Z]{5}$/.test(code)) return !STATEMENT_ERROR_CLASSES.has(code.slice(0, 2));
  return true;
}

/**
 * The store's answer within `ms`, or 503 problem+json with Retry-After when it fails or is too slow. Work that goes
 * on past the deadline is left to finish (or fail) on its own; touchpoint ids make a retry of it harmless.
 */
export async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  try {
    return await withinTimeLimit(work, ms, storeUnavailable);
  } catch (error) {
    if (error instanceof ProblemError || !isStoreOutage(error)) throw error;
    throw storeUnavailable();
  }
}
