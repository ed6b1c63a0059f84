import { describe, expect, it } from 'vitest';
import {
  lockedFor,
  pruned,
  slowedFor,
  type ThrottleState,
  withFailure,
  withSuccess,
} from '../../../src/domain/staff/sign-in-throttle.js';

const rule = { maxFailures: 3, windowMs: 60_000 };
const slow = { windowMs: 60_000, freeFailures: 2, baseDelayMs: 1_000, maxDelayMs: 4_000 };

describe('throttling failed sign-ins', () => {
  it('locks a key after its failures fill the window, until the oldest leaves it', () => {
    let state = withFailure(new Map(), 'id:a', rule.windowMs, 0);
    state = withFailure(state, 'id:a', rule.windowMs, 10_000);
    expect(lockedFor(state, 'id:a', rule, 10_000)).toBe(0);
    state = withFailure(state, 'id:a', rule.windowMs, 20_000);
    expect(lockedFor(state, 'id:a', rule, 20_000)).toBe(40_000);
    expect(lockedFor(state, 'id:a', rule, 59_999)).toBe(1);
    expect(lockedFor(state, 'id:a', rule, 60_000)).toBe(0);
    expect(lockedFor(state, 'id:b', rule, 20_000)).toBe(0);
  });

  it('slows a key past its free failures by a delay after the last one, doubling up to the cap, never locking it', () => {
    let state: ThrottleState = new Map();
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const at = i * 10_000;
      waits.push(slowedFor(state, 'address:a', slow, at));
      state = withFailure(state, 'address:a', slow.windowMs, at);
      waits.push(slowedFor(state, 'address:a', slow, at));
    }
    // Right after each failure: nothing after the first, then 1 s once two are counted, 2 s, then 4 s (the cap); ten
    // seconds later each delay has passed.
    expect(waits).toEqual([0, 0, 0, 1_000, 0, 2_000, 0, 4_000, 0, 4_000, 0, 4_000]);
    expect(slowedFor(state, 'address:a', slow, 50_000 + 3_999)).toBe(1);
    expect(slowedFor(state, 'address:a', slow, 50_000 + 4_000)).toBe(0);
    // Once the failures have left the window, no delay.
    expect(slowedFor(state, 'address:a', slow, 50_000 + 60_000)).toBe(0);
  });

  it('starts a key afresh after a success, and forgets keys whose failures are old', () => {
    let state = withFailure(
      withFailure(withFailure(new Map(), 'id:a', 60_000, 0), 'id:a', 60_000, 1),
      'id:a',
      60_000,
      2,
    );
    expect(lockedFor(withSuccess(state, 'id:a'), 'id:a', rule, 3)).toBe(0);
    state = withFailure(state, 'id:b', 60_000, 50_000);
    expect([...pruned(state, 60_000, 70_000).keys()]).toEqual(['id:b']);
  });
});
