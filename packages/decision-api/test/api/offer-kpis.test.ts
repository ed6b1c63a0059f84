import { describe, expect, it } from 'vitest';
import { generateDemoBank } from '../../src/demo/index.js';
import { seedDemoBank } from '../../src/demo/seed.js';
import { EMPTY_PROFILE } from '../../src/domain/journeys/profile.js';
import { trainAndActivateClusters } from '../../src/jobs/cluster-training.js';
import { migrate } from '../../src/store/migrations.js';
import { createSqlStore, customerSubject } from '../../src/store/store.js';
import {
  customerToken,
  decisionRequest,
  demoCatalog,
  engines,
  type Harness,
  NOW,
  staffToken,
  touchpointOf,
  useHarness,
} from '../support/harness.js';

const KPIS = '/v1/admin/kpis/offers';
const TODAY = NOW.toISOString().slice(0, 10);

interface Metrics {
  impressions: number;
  viewableImpressions: number;
  clicks: number;
  clickThrough: number | null;
  dismissals: number;
  conversions: number;
}
interface KpiView {
  from: string;
  to: string;
  totals: Metrics;
  days: Array<Metrics & { day: string }>;
  rows: Array<
    Metrics & { day: string; offerId: string; cluster: string | null; stage: string | null; placement: string | null }
  >;
  dimensions: { offers: string[]; clusters: string[]; stages: string[]; placements: string[] };
  clusterNames: Record<string, string>;
  contactPressure: {
    cap: number;
    customers: number;
    distribution: Array<{ contacts: number; customers: number }>;
    reachedCap: number;
  };
}

async function kpis(h: Harness, query = '', roles: Parameters<typeof staffToken>[0] = ['viewer']) {
  const response = await h.get(`${KPIS}${query}`, { key: null, token: await staffToken(roles) });
  expect(response.status).toBe(200);
  return (await response.json()) as KpiView;
}

describe.each(engines)('offer KPIs through the API, on $name', (engine) => {
  const h = useHarness(engine);

  /** A seeded customer, clusters trained, decides on the dashboard and sees, clicks and dismisses the offer. */
  async function customerJourney() {
    await seedDemoBank(h.store, { catalog: demoCatalog, now: NOW, customers: 300 });
    await trainAndActivateClusters(h.store, { now: NOW, trainedBy: 'test' });
    await h.touchpoint.services.clusters.reload();
    const customerId = generateDemoBank({ now: NOW, customers: 300 }).customers[0]?.id as string;
    const token = await customerToken(customerId);
    const anonymousId = crypto.randomUUID();
    const priced = await h.post(
      '/v1/touchpoints',
      {
        anonymousId,
        touchpoints: [
          touchpointOf('product_view', { product: 'car_loan' }),
          touchpointOf('calculator_used', { product: 'car_loan' }),
        ],
      },
      { token },
    );
    expect(priced.status).toBe(200);
    const decided = await h.post('/v1/decisions', decisionRequest(['dashboard-hero'], '/dashboard', anonymousId), {
      token,
    });
    expect(decided.status).toBe(200);
    const [decision] = (
      (await decided.json()) as { decisions: Array<{ decisionId: string; offer: { offerId: string } | null }> }
    ).decisions;
    expect(decision?.offer?.offerId, JSON.stringify(decision)).toBeTruthy();
    await h.touchpoint.flush();
    const stored = await h.store.decision(decision?.decisionId as string);
    const trace = stored?.trace as {
      cluster: { id: string } | null;
      stages: Record<string, string>;
      candidates: Array<{ offerId: string; product: string | null }>;
    };
    const offerId = decision?.offer?.offerId as string;
    const about = { offer: offerId, placement: 'dashboard-hero', decisionId: decision?.decisionId };
    const seen = await h.post(
      '/v1/touchpoints',
      {
        anonymousId,
        touchpoints: [
          touchpointOf('offer_impression', about),
          touchpointOf('offer_click', about),
          touchpointOf('offer_dismiss', about),
          // Named no decision: counted, under no cluster and no stage.
          touchpointOf('offer_impression', { offer: offerId, placement: 'dashboard-hero' }),
          // The same decision seen again (shown from the SDK's cache on a second page): still one viewable impression.
          touchpointOf('offer_impression', about),
          // A decision the store never kept (shown before consent was given): nothing served, so not counted.
          touchpointOf('offer_impression', { ...about, decisionId: crypto.randomUUID() }),
        ],
      },
      { token },
    );
    expect(seen.status).toBe(200);
    const product = trace.candidates.find((c) => c.offerId === offerId)?.product as string;
    return { token, offerId, cluster: trace.cluster?.id as string, stage: trace.stages[product] as string };
  }

  it('counts served, viewable, clicked and dismissed offers by the cluster and stage the decision saw', async () => {
    const { offerId, cluster, stage } = await customerJourney();
    expect(cluster).toMatch(/^cluster-\d+$/);
    expect(stage).toBe('compare');

    const all = await kpis(h);
    expect(all.from).toBe(new Date(NOW.getTime() - 27 * 86_400_000).toISOString().slice(0, 10));
    expect(all.to).toBe(TODAY);
    expect(all.days).toHaveLength(28);
    expect(all.rows).toEqual([
      {
        day: TODAY,
        offerId,
        cluster: null,
        stage: null,
        placement: 'dashboard-hero',
        impressions: 0,
        viewableImpressions: 1,
        clicks: 0,
        clickThrough: 0,
        dismissals: 0,
        conversions: 0,
      },
      {
        day: TODAY,
        offerId,
        cluster,
        stage,
        placement: 'dashboard-hero',
        impressions: 1,
        viewableImpressions: 1,
        clicks: 1,
        clickThrough: 1,
        dismissals: 1,
        conversions: 0,
      },
    ]);
    expect(all.totals).toEqual({
      impressions: 1,
      viewableImpressions: 2,
      clicks: 1,
      clickThrough: 0.5,
      dismissals: 1,
      conversions: 0,
    });
    expect(all.days.at(-1)).toMatchObject({ day: TODAY, viewableImpressions: 2, clicks: 1 });
    expect(all.dimensions).toEqual({
      offers: [offerId],
      clusters: [cluster, 'none'],
      stages: [stage, 'none'],
      placements: ['dashboard-hero'],
    });

    const ofCluster = await kpis(h, `?cluster=${cluster}&stage=${stage}&offer=${offerId}&placement=dashboard-hero`);
    expect(ofCluster.rows.map((r) => [r.cluster, r.viewableImpressions])).toEqual([[cluster, 1]]);
    const unattributed = await kpis(h, '?cluster=none', ['marketer']);
    expect(unattributed.rows.map((r) => [r.cluster, r.viewableImpressions])).toEqual([[null, 1]]);
    // The filters narrow the rows, never the values the filters offer.
    expect(unattributed.dimensions).toEqual(all.dimensions);
    const otherDay = await kpis(h, '?from=2026-10-01&to=2026-10-31', ['approver']);
    expect(otherDay.rows).toEqual([]);
    expect(otherDay.days).toHaveLength(31);
  });

  it('keeps the counts when the customer is erased', async () => {
    const { token } = await customerJourney();
    const before = await kpis(h);
    expect((await h.delete('/v1/me', { token })).status).toBe(204);
    const after = await kpis(h);
    expect(after.rows).toEqual(before.rows);
    expect(after.totals).toEqual(before.totals);
  });

  it('tells how many customers had how many contacts this week, and how many reached the cap', async () => {
    const cap = demoCatalog.contactPolicy.weeklyContactsPerCustomer;
    const recent = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString();
    const profile = (impressions: Record<string, string[]>, advisorContacts: string[] = []) => ({
      ...EMPTY_PROFILE,
      impressions,
      advisorContacts,
    });
    await h.store.putProfiles([
      { subject: customerSubject('c-quiet'), profile: profile({}) },
      // An impression eight days ago is last week's; a generic offer is no product contact.
      { subject: customerSubject('c-one'), profile: profile({ 'car-loan-price': [recent(2), recent(8 * 24)] }) },
      { subject: customerSubject('c-advised'), profile: profile({ 'house-savings-goal': [recent(1)] }, [recent(3)]) },
      {
        subject: customerSubject('c-capped'),
        profile: profile({ 'pension-check': Array.from({ length: cap - 1 }, (_, i) => recent(i + 1)) }, [recent(30)]),
      },
      // An anonymous device is no customer.
      { subject: 'a:6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', profile: profile({ 'car-loan-price': [recent(1)] }) },
    ]);
    const { contactPressure } = await kpis(h);
    expect(contactPressure.cap).toBe(cap);
    expect(contactPressure.customers).toBe(4);
    expect(contactPressure.reachedCap).toBe(1);
    expect(contactPressure.distribution).toHaveLength(cap + 1);
    expect(contactPressure.distribution.slice(0, 2)).toEqual([
      { contacts: 0, customers: 1 },
      { contacts: 1, customers: 2 },
    ]);
    expect(contactPressure.distribution.at(-1)).toEqual({ contacts: cap, customers: 1 });
  });

  it('refuses bad parameters naming each, and lets viewers, marketers and approvers read but not advisors', async () => {
    const token = await staffToken(['viewer']);
    const cases: Array<[string, string]> = [
      ['?from=2026-13-01', '/from'],
      ['?to=yesterday', '/to'],
      ['?from=2026-11-22&to=2026-11-21', '/from'],
      ['?from=2026-01-01&to=2026-11-22', '/to'],
      ['?stage=flying', '/stage'],
      ['?cluster=segment-1', '/cluster'],
      ['?offer=Not%20A%20Slug', '/offer'],
      ['?placement=UPPER', '/placement'],
      ['?customer=c-1', '/customer'],
    ];
    for (const [query, path] of cases) {
      const response = await h.get(`${KPIS}${query}`, { key: null, token });
      expect(response.status, query).toBe(422);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const problem = (await response.json()) as { errors: Array<{ path: string }> };
      expect(
        problem.errors.map((e) => e.path),
        query,
      ).toContain(path);
    }
    expect((await h.get(KPIS, { key: null })).status).toBe(401);
    expect((await h.get(KPIS, { key: null, token: await staffToken(['advisor'], { branch: 'x' }) })).status).toBe(403);
    for (const role of ['viewer', 'marketer', 'approver', 'admin'] as const) {
      expect((await h.get(KPIS, { key: null, token: await staffToken([role]) })).status, role).toBe(200);
    }
  });
});

describe.each(engines)('migrating the daily counts to clusters and stages, on $name', (engine) => {
  it('moves the counts of touchpoints whose decision is still stored to its cluster and stage, keeping every total', async () => {
    const db = await engine.open();
    try {
      await migrate(db, { upTo: 10 });
      const decisionId = crypto.randomUUID();
      const trace = {
        cluster: { id: 'cluster-4' },
        stages: { car_loan: 'apply' },
        candidates: [{ offerId: 'car-loan-continue', product: 'car_loan' }],
      };
      await db.query(
        `INSERT INTO decisions (id, subject, placement, offer_id, channel, page, locale, reason, trace, created_at)
         VALUES ($1, 'c:x', 'dashboard-hero', 'car-loan-continue', 'netbank', '/dashboard', 'en', 'r', $2, $3)`,
        [decisionId, JSON.stringify(trace), NOW.toISOString()],
      );
      await db.query(
        `INSERT INTO touchpoints (id, subject, type, occurred_at, channel, placement, offer, decision_id)
         VALUES ($1, 'c:x', 'offer_click', $2, 'netbank', 'dashboard-hero', 'car-loan-continue', $3)`,
        [crypto.randomUUID(), NOW.toISOString(), decisionId],
      );
      // Three clicks counted before: the one above, and two of touchpoints since erased.
      await db.query(
        `INSERT INTO offer_daily_counts (day, offer_id, placement, channel, type, count)
         VALUES ($1, 'car-loan-continue', 'dashboard-hero', 'netbank', 'offer_click', 3)`,
        [TODAY],
      );
      expect(await migrate(db)).toContain(11);
      const counts = await createSqlStore(db).offerDailyCounts();
      const base = { day: TODAY, offerId: 'car-loan-continue', placement: 'dashboard-hero', channel: 'netbank' };
      expect(counts).toEqual([
        { ...base, type: 'offer_click', cluster: '', stage: '', count: 2 },
        { ...base, type: 'offer_click', cluster: 'cluster-4', stage: 'apply', count: 1 },
        { ...base, type: 'served', cluster: 'cluster-4', stage: 'apply', count: 1 },
      ]);
    } finally {
      if (db.engine === 'postgresql') {
        const [row] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
        if (row?.schema.startsWith('tp_test_')) await db.exec(`DROP SCHEMA ${row.schema} CASCADE`);
      }
      await db.close();
    }
  });
});
