import { describe, expect, it } from 'vitest';
import { lockedFor, pruned, withFailure, withSuccess } from '../../../src/domain/staff/sign-in-throttle.js';

const rule = { maxFailures: 3, windowMs: 60_000 };

describe('throttling failed sign-ins', () => {
  it('locks a key after its failures fill the window, until the oldest leaves it', () => {
    let state = withFailure(new Map(), 'id:a', rule, 0);
    state = withFailure(state, 'id:a', rule, 10_000);
    expect(lockedFor(state, 'id:a', rule, 10_000)).toBe(0);
    state = withFailure(state, 'id:a', rule, 20_000);
    expect(lockedFor(state, 'id:a', rule, 20_000)).toBe(40_000);
    expect(lockedFor(state, 'id:a', rule, 59_999)).toBe(1);
    expect(lockedFor(state, 'id:a', rule, 60_000)).toBe(0);
    expect(lockedFor(state, 'id:b', rule, 20_000)).toBe(0);
  });

  it('starts a key afresh after a success, and forgets keys whose failures are old', () => {
    let state = withFailure(withFailure(withFailure(new Map(), 'id:a', rule, 0), 'id:a', rule, 1), 'id:a', rule, 2);
    expect(lockedFor(withSuccess(state, 'id:a'), 'id:a', rule, 3)).toBe(0);
    state = withFailure(state, 'id:b', rule, 50_000);
    expect([...pruned(state, rule, 70_000).keys()]).toEqual(['id:b']);
  });
});
