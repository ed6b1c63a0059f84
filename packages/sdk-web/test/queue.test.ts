import type { Touchpoint } from '@touchpoint/decision-api/contract';
import { describe, expect, it } from 'vitest';
import { acknowledge, enqueue, readQueue, takeBatch } from '../src/core/queue.js';

const touchpoint = (n: number, extra: Partial<Touchpoint> = {}): Touchpoint => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'page_view',
  occurredAt: '2026-11-22T12:00:00.000Z',
  channel: 'netbank',
  page: '/',
  ...extra,
});

describe('the touchpoint queue', () => {
  it('keeps a touchpoint once, however often it is added', () => {
    const { queue } = enqueue([touchpoint(1)], [touchpoint(1), touchpoint(2), touchpoint(2)], 10);
    expect(queue.map((item) => item.id)).toEqual([touchpoint(1).id, touchpoint(2).id]);
  });

  it('drops the oldest touchpoints over the cap and says which', () => {
    const { queue, dropped } = enqueue([touchpoint(1), touchpoint(2)], [touchpoint(3), touchpoint(4)], 3);
    expect(queue.map((item) => item.id)).toEqual([2, 3, 4].map((n) => touchpoint(n).id));
    expect(dropped).toEqual([touchpoint(1).id]);
  });

  it('removes exactly what was acknowledged', () => {
    const queue = [touchpoint(1), touchpoint(2), touchpoint(3)];
    expect(acknowledge(queue, new Set([touchpoint(2).id, 'someone-else'])).map((item) => item.id)).toEqual([
      touchpoint(1).id,
      touchpoint(3).id,
    ]);
  });

  it('takes the oldest touchpoints first, at most 500 to a batch', () => {
    const queue = Array.from({ length: 1200 }, (_, n) => touchpoint(n));
    const batch = takeBatch(queue, 500, 1_000_000);
    expect(batch).toHaveLength(500);
    expect(batch[0]).toBe(queue[0]);
  });

  it('keeps a batch within a size, yet always sends a single large touchpoint', () => {
    const big = touchpoint(1, { properties: { note: 'x'.repeat(200) } });
    const queue = [big, touchpoint(2), touchpoint(3)];
    expect(takeBatch(queue, 500, 100)).toEqual([big]);
    expect(takeBatch(queue, 500, 700)).toHaveLength(2);
    expect(takeBatch([], 500, 100)).toEqual([]);
  });

  it('reads anything but a list from storage as an empty queue', () => {
    expect(readQueue(undefined)).toEqual([]);
    expect(readQueue({ queue: [] })).toEqual([]);
    expect(readQueue([touchpoint(1)])).toEqual([touchpoint(1)]);
  });
});
