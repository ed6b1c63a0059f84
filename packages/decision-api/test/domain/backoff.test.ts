import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CRM_BACKOFF, nextAttemptAt } from '../../src/domain/backoff.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const waitOf = (attempts: number, random: number) =>
  nextAttemptAt(attempts, NOW, random, { baseMs: 1_000, capMs: 60_000 }).getTime() - NOW.getTime();

describe('when a failed CRM delivery is tried again', () => {
  it('doubles the wait after each failed attempt, from the base', () => {
    expect([1, 2, 3, 4].map((attempts) => waitOf(attempts, 0.9999999))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    expect(waitOf(7, 0.9999999)).toBe(60_000);
    expect(waitOf(5_000, 0.9999999)).toBe(60_000);
  });

  it('spreads retries by jitter, never sooner than half the backoff', () => {
    expect(waitOf(3, 0)).toBe(2_000);
    expect(waitOf(3, 0.5)).toBe(3_000);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (a, r) => {
          const backoff = Math.min(60_000, 1_000 * 2 ** (a - 1));
          const wait = waitOf(a, r);
          return wait >= backoff / 2 && wait <= backoff;
        },
      ),
    );
  });

  it('is the same for the same input, and the CRM is retried at least every half hour', () => {
    expect(nextAttemptAt(4, NOW, 0.25)).toEqual(nextAttemptAt(4, NOW, 0.25));
    expect(CRM_BACKOFF.capMs).toBe(30 * 60_000);
  });
});
