import { describe, expect, it } from 'vitest';
import { BACKOFF_CAP_MS, computeBackoff, RETRY_AFTER_CAP_MS, retryDelay } from '../src/core/backoff.js';
import { isRetryable, parseRetryAfter } from '../src/core/retry-policy.js';

describe('what happens to a batch the API did not take', () => {
  it.each([
    ['no response at all (offline, DNS, CORS)', undefined, 'retry'],
    ['a status 0 (an opaque network failure)', 0, 'retry'],
    ['408 Request Timeout', 408, 'retry'],
    ['429 Too Many Requests', 429, 'retry'],
    ['500 Internal Server Error', 500, 'retry'],
    ['503 Service Unavailable', 503, 'retry'],
    ['400 Bad Request', 400, 'drop'],
    ['401 Unauthorized', 401, 'drop'],
    ['413 Content Too Large', 413, 'drop'],
    ['415 Unsupported Media Type', 415, 'drop'],
    ['422 Unprocessable Content', 422, 'drop'],
  ])('after %s it is %s', (_, status, expected) => {
    expect(isRetryable(status)).toBe(expected === 'retry');
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');

  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date as the time left until then, never negative', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what is missing or unreadable', () => {
    for (const value of [null, undefined, '', '   ', 'soon', '-5', '1.5', '12abc']) {
      expect(parseRetryAfter(value, now)).toBeNull();
    }
  });
});

describe('backoff with full jitter', () => {
  it('waits a random time below an exponentially growing ceiling', () => {
    expect(computeBackoff(0, 0.999)).toBeLessThan(1000);
    expect(computeBackoff(3, 0.5)).toBe(4000);
    expect(computeBackoff(3, 0)).toBe(0);
    for (let attempt = 0; attempt < 8; attempt++) {
      const delay = computeBackoff(attempt, Math.random());
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(1000 * 2 ** attempt);
    }
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    expect(computeBackoff(40, 0.999_999)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    expect(computeBackoff(1000, 0.5)).toBe(BACKOFF_CAP_MS / 2);
  });

  it('follows the server’s Retry-After when there is one, up to a cap', () => {
    expect(retryDelay(0, 30_000, 0.1)).toBe(30_000);
    expect(retryDelay(5, 0, 0.9)).toBe(0);
    expect(retryDelay(0, 86_400_000, 0.5)).toBe(RETRY_AFTER_CAP_MS);
    expect(retryDelay(2, null, 0.5)).toBe(2000);
  });
});
