import { describe, expect, it } from 'vitest';
import { createReplayGuard } from '../../src/store/replay-guard.js';

const MINUTE = 60_000;

describe('the replay guard of partner signatures', () => {
  it('accepts a signature once while its timestamp is within tolerance, and forgets it after', () => {
    const guard = createReplayGuard();
    expect(guard.remember('a1', 5 * MINUTE, 0).outcome).toBe('fresh');
    expect(guard.remember('a1', 5 * MINUTE, 4 * MINUTE).outcome).toBe('replayed');
    expect(guard.remember('b2', 5 * MINUTE, 4 * MINUTE).outcome).toBe('fresh');
    // Past its expiry the timestamp check refuses the request; the guard no longer needs to hold it.
    expect(guard.remember('a1', 11 * MINUTE, 6 * MINUTE).outcome).toBe('fresh');
  });

  it('lets a request that failed on the API’s side be sent again unchanged', () => {
    const guard = createReplayGuard();
    guard.remember('a1', 5 * MINUTE, 0);
    guard.forget('a1');
    expect(guard.remember('a1', 5 * MINUTE, 1000).outcome).toBe('fresh');
  });

  it('holds at most its capacity, and says when room frees up rather than forgetting a live signature', () => {
    const guard = createReplayGuard({ capacity: 2 });
    expect(guard.remember('a1', 5 * MINUTE, 0).outcome).toBe('fresh');
    expect(guard.remember('b2', 3 * MINUTE, 0).outcome).toBe('fresh');
    expect(guard.remember('c3', 5 * MINUTE, MINUTE)).toEqual({ outcome: 'full', retryAfterMs: 2 * MINUTE });
    expect(guard.remember('a1', 5 * MINUTE, MINUTE).outcome).toBe('replayed');
    // Once b2 has expired it is pruned, and there is room again.
    expect(guard.remember('c3', 6 * MINUTE, 3 * MINUTE + 1).outcome).toBe('fresh');
    expect(guard.remember('a1', 5 * MINUTE, 3 * MINUTE + 1).outcome).toBe('replayed');
  });
});
