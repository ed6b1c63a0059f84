import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/demo/index.js';
import { trainClusters } from '../../../src/domain/clustering/clusters.js';
import { projectPoints } from '../../../src/domain/clustering/projection.js';
import { attributionOf, countOfferTouchpoints } from '../../../src/domain/kpis/offer-counts.js';
import { contactPressure, daysBetween, offerKpis } from '../../../src/domain/kpis/offer-kpis.js';

describe('the 2-D projection of cluster centres', () => {
  const names = ['a', 'b', 'c'];

  it('puts points that differ along one feature on the first axis, loaded on that feature, with all spread explained', () => {
    const projection = projectPoints(
      [
        { id: 'left', vector: [-2, 0, 0], weight: 1 },
        { id: 'middle', vector: [0, 0, 0], weight: 1 },
        { id: 'right', vector: [2, 0, 0], weight: 1 },
      ],
      names,
    );
    expect(projection.axes[0].explained).toBeCloseTo(1, 9);
    expect(projection.axes[1].explained).toBeCloseTo(0, 9);
    expect(projection.axes[0].loadings[0]).toEqual({ feature: 'a', weight: expect.closeTo(1, 9) });
    const x = Object.fromEntries(projection.points.map((p) => [p.id, p.x]));
    expect(x.left).toBeCloseTo(-2, 9);
    expect(x.middle).toBeCloseTo(0, 9);
    expect(x.right).toBeCloseTo(2, 9);
    for (const p of projection.points) expect(p.y).toBeCloseTo(0, 9);
  });

  it('finds the direction of largest weighted spread first, and keeps distances in the plane they span', () => {
    // Spread 3 along a+b, 1 along c: the first axis is the diagonal, the second is c.
    const s = 3 / Math.SQRT2;
    const points = [
      { id: 'p1', vector: [s, s, 0], weight: 1 },
      { id: 'p2', vector: [-s, -s, 0], weight: 1 },
      { id: 'p3', vector: [0, 0, 1], weight: 1 },
      { id: 'p4', vector: [0, 0, -1], weight: 1 },
    ];
    const projection = projectPoints(points, names);
    expect(projection.axes[0].explained).toBeCloseTo(9 / 10, 6);
    expect(projection.axes[1].explained).toBeCloseTo(1 / 10, 6);
    expect(projection.axes[1].loadings[0]?.feature).toBe('c');
    const at = Object.fromEntries(projection.points.map((p) => [p.id, p]));
    expect(Math.hypot((at.p1?.x ?? 0) - (at.p2?.x ?? 0), (at.p1?.y ?? 0) - (at.p2?.y ?? 0))).toBeCloseTo(6, 6);
    expect(Math.abs((at.p3?.y ?? 0) - (at.p4?.y ?? 0))).toBeCloseTo(2, 6);
  });

  it('weights points by size: a heavy point sits near the centre of the picture', () => {
    const projection = projectPoints(
      [
        { id: 'big', vector: [1, 0, 0], weight: 99 },
        { id: 'small', vector: [-1, 0, 0], weight: 1 },
      ],
      names,
    );
    const at = Object.fromEntries(projection.points.map((p) => [p.id, p]));
    expect(Math.abs(at.big?.x ?? 0)).toBeCloseTo(0.02, 9);
    expect(Math.abs(at.small?.x ?? 0)).toBeCloseTo(1.98, 9);
  });

  it('gives the same picture every time, and a trained model’s clusters land apart', () => {
    const random = createRandom(3);
    const vectors = [0, 8, 16].flatMap((centre) =>
      Array.from({ length: 60 }, () => [random.normal(centre, 1), random.normal(0, 1), random.normal(-centre, 1)]),
    );
    const { model } = trainClusters(vectors, {
      random: createRandom(1).next,
      now: new Date(0),
      featureNames: names,
      k: 3,
      minClusterSize: 10,
    });
    const points = model.clusters.map((c) => ({ id: c.id, vector: c.centroid, weight: c.size }));
    const once = projectPoints(points, names);
    expect(projectPoints(points, names)).toEqual(once);
    const xs = once.points.map((p) => p.x).sort((a, b) => a - b);
    expect((xs[1] as number) - (xs[0] as number)).toBeGreaterThan(1);
    expect((xs[2] as number) - (xs[1] as number)).toBeGreaterThan(1);
  });

  it('refuses a point of the wrong length or with a value that is not a number', () => {
    expect(() => projectPoints([{ id: 'x', vector: [1, 2], weight: 1 }], names)).toThrow(/expected 3/);
    expect(() => projectPoints([{ id: 'x', vector: [1, Number.NaN, 0], weight: 1 }], names)).toThrow(/finite/);
  });

  it('draws a single cluster at the origin with nothing explained', () => {
    const projection = projectPoints([{ id: 'only', vector: [1, 2, 3], weight: 5 }], names);
    expect(projection.points).toEqual([{ id: 'only', x: 0, y: 0 }]);
    expect(projection.axes[0].explained).toBe(0);
  });
});

describe('daily offer counts by cluster and stage', () => {
  const trace = {
    cluster: { id: 'cluster-2' },
    stages: { car_loan: 'compare', pension: 'aware' },
    candidates: [
      { offerId: 'car-loan-green', product: 'car_loan' },
      { offerId: 'generic', product: null },
    ],
  };

  it('reads the cluster and the stage of the offer’s product from the decision’s trace', () => {
    expect(attributionOf(trace, 'car-loan-green')).toEqual({ cluster: 'cluster-2', stage: 'compare' });
    expect(attributionOf(trace, 'generic')).toEqual({ cluster: 'cluster-2', stage: '' });
    expect(attributionOf({ ...trace, cluster: null }, 'car-loan-green')).toEqual({ cluster: '', stage: 'compare' });
    expect(attributionOf(null, 'car-loan-green')).toEqual({ cluster: '', stage: '' });
  });

  it('counts touchpoints per day, offer, placement, channel, type, cluster and stage', () => {
    const at = '2026-11-22T10:00:00Z';
    const touchpoints = [
      { type: 'offer_impression', occurredAt: at, channel: 'netbank', offer: 'o', placement: 'hero', who: 'x' },
      { type: 'offer_impression', occurredAt: at, channel: 'netbank', offer: 'o', placement: 'hero', who: 'y' },
      { type: 'offer_impression', occurredAt: at, channel: 'netbank', offer: 'o', placement: 'hero', who: 'x' },
      { type: 'page_view', occurredAt: at, channel: 'netbank', who: 'x' },
    ];
    const counts = countOfferTouchpoints(touchpoints, (t) => ({ cluster: t.who, stage: 'compare' }));
    expect(counts).toEqual([
      {
        day: '2026-11-22',
        offerId: 'o',
        placement: 'hero',
        channel: 'netbank',
        type: 'offer_impression',
        cluster: 'x',
        stage: 'compare',
        count: 2,
      },
      {
        day: '2026-11-22',
        offerId: 'o',
        placement: 'hero',
        channel: 'netbank',
        type: 'offer_impression',
        cluster: 'y',
        stage: 'compare',
        count: 1,
      },
    ]);
  });
});

describe('offer KPIs', () => {
  const row = (
    day: string,
    type: string,
    count: number,
    over: Partial<{ cluster: string; placement: string }> = {},
  ) => ({
    day,
    offerId: 'o',
    cluster: over.cluster ?? 'cluster-1',
    stage: 'compare',
    placement: over.placement ?? 'hero',
    type,
    count,
  });

  it('sums the types into KPIs per key and day, with click-through over viewable impressions', () => {
    const table = offerKpis(
      [
        row('2026-11-20', 'served', 10),
        row('2026-11-20', 'offer_impression', 8),
        row('2026-11-20', 'offer_click', 2),
        row('2026-11-20', 'offer_dismiss', 1),
        row('2026-11-20', 'conversion', 1),
        row('2026-11-20', 'served', 5, { cluster: '', placement: '' }),
        row('2026-11-22', 'offer_click', 1),
        row('2026-11-22', 'page_view', 100),
        row('2026-12-01', 'served', 7),
      ],
      { from: '2026-11-20', to: '2026-11-22' },
    );
    expect(table.rows).toEqual([
      {
        day: '2026-11-20',
        offerId: 'o',
        cluster: null,
        stage: 'compare',
        placement: null,
        impressions: 5,
        viewableImpressions: 0,
        clicks: 0,
        clickThrough: null,
        dismissals: 0,
        conversions: 0,
      },
      {
        day: '2026-11-20',
        offerId: 'o',
        cluster: 'cluster-1',
        stage: 'compare',
        placement: 'hero',
        impressions: 10,
        viewableImpressions: 8,
        clicks: 2,
        clickThrough: 0.25,
        dismissals: 1,
        conversions: 1,
      },
      {
        day: '2026-11-22',
        offerId: 'o',
        cluster: 'cluster-1',
        stage: 'compare',
        placement: 'hero',
        impressions: 0,
        viewableImpressions: 0,
        clicks: 1,
        clickThrough: null,
        dismissals: 0,
        conversions: 0,
      },
    ]);
    expect(table.days.map((d) => [d.day, d.impressions, d.clicks])).toEqual([
      ['2026-11-20', 15, 2],
      ['2026-11-21', 0, 0],
      ['2026-11-22', 0, 1],
    ]);
    expect(table.totals).toEqual({
      impressions: 15,
      viewableImpressions: 8,
      clicks: 3,
      clickThrough: 3 / 8,
      dismissals: 1,
      conversions: 1,
    });
  });

  it('lists every day of a period, across a month end', () => {
    expect(daysBetween('2026-11-29', '2026-12-02')).toEqual(['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']);
    expect(daysBetween('2026-11-29', '2026-11-29')).toEqual(['2026-11-29']);
  });
});

describe('contact pressure', () => {
  it('counts customers by contacts this week up to the cap, and those at the cap or over it', () => {
    expect(contactPressure([0, 0, 1, 3, 3, 4, 9], 3)).toEqual({
      cap: 3,
      customers: 7,
      distribution: [
        { contacts: 0, customers: 2 },
        { contacts: 1, customers: 1 },
        { contacts: 2, customers: 0 },
        { contacts: 3, customers: 4 },
      ],
      reachedCap: 4,
    });
    expect(contactPressure([], 2).distribution).toEqual([
      { contacts: 0, customers: 0 },
      { contacts: 1, customers: 0 },
      { contacts: 2, customers: 0 },
    ]);
  });

  it('refuses a cap or a count that is not a whole number', () => {
    expect(() => contactPressure([1], 0)).toThrow(/cap/);
    expect(() => contactPressure([-1], 3)).toThrow(/contact count/);
  });
});
