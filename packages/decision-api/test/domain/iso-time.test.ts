import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/domain/iso-time.js';

describe('the time a decision’s trace shows', () => {
  it('reads exactly as the built-in ISO time for any moment, however far from now', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        const date = new Date(ms);
        expect(isoTime(date)).toBe(date.toISOString());
      }),
      { numRuns: 2_000 },
    );
    for (const text of ['2026-11-22T12:00:00.000Z', '2026-01-01T00:00:00.007Z', '1000-01-01T00:00:00.000Z']) {
      expect(isoTime(new Date(text))).toBe(text);
    }
    for (const ms of [-1, 0, Date.UTC(999, 11, 31, 23, 59, 59, 999), Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1]) {
      expect(isoTime(new Date(ms))).toBe(new Date(ms).toISOString());
    }
  });

  it('refuses an invalid date as the built-in does', () => {
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});
