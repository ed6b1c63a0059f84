import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CONFIG } from '../../src/config.js';
import { Catalog } from '../../src/contract/index.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import {
  bankCustomer,
  customerToken,
  databaseFor,
  demoCatalog,
  engines,
  type Harness,
  NOW,
  prices,
  staffToken,
  startHarness,
  touchpointOf,
  useHarness,
} from '../support/harness.js';
import { loopbackCrm } from '../support/loopback-crm.js';

/** A customer of the Vejle branch who consents to being contacted. */
const IN_VEJLE = { branch: 'Vejle', contactConsent: true };

async function glances(h: Pick<Harness, 'post'>, customerId: string, page: string) {
  const response = await h.post(
    '/v1/touchpoints',
    { anonymousId: crypto.randomUUID(), touchpoints: [touchpointOf('page_view', { page })] },
    { token: await customerToken(customerId) },
  );
  expect(response.status).toBe(200);
}

interface LeadList {
  leads: Array<{ customerId: string; product: string; score: number; reason: string; branch: string | null }>;
  nextCursor: string | null;
}

describe.each(engines)('leads on $name', (engine) => {
  const h = useHarness(engine);
  const listLeads = async (query = '', roles: Parameters<typeof staffToken>[0] = ['viewer']) =>
    h.get(`/v1/admin/leads${query}`, { key: null, token: await staffToken(roles) });

  it('a customer who priced a car loan becomes a qualified lead, with the reason in words', async () => {
    await bankCustomer(h, 'c-lead-1', IN_VEJLE);
    await prices(h, 'c-lead-1', 'car_loan', 2);
    await glances(h, 'c-lead-1', '/pension');

    const response = await listLeads();
    expect(response.status).toBe(200);
    const body = (await response.json()) as LeadList;
    expect(body.leads).toEqual([
      expect.objectContaining({
        customerId: 'c-lead-1',
        product: 'car_loan',
        branch: 'Vejle',
        stage: 'compare',
        reason: 'priced a car loan today, application not started',
        qualifiedAt: NOW.toISOString(),
      }),
    ]);
    expect(body.leads[0]?.score).toBeGreaterThanOrEqual(0.6);
    expect(body.nextCursor).toBeNull();
    const danish = (await (await listLeads('?locale=da')).json()) as LeadList;
    expect(danish.leads[0]?.reason).toBe('beregnede en pris på billån i dag, ansøgning ikke startet');
  });

  it('ranks leads by score, filters by product and score, and pages with a cursor', async () => {
    for (const [id, product, times] of [
      ['c-rank-1', 'car_loan', 1],
      ['c-rank-2', 'car_loan', 6],
      ['c-rank-3', 'mortgage', 3],
    ] as const) {
      await bankCustomer(h, id, IN_VEJLE);
      await prices(h, id, product, times);
    }
    const all = (await (await listLeads()).json()) as LeadList;
    expect(all.leads.map((lead) => lead.customerId)).toEqual(['c-rank-2', 'c-rank-3', 'c-rank-1']);
    const scores = all.leads.map((lead) => lead.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const carLoans = (await (await listLeads('?product=car_loan')).json()) as LeadList;
    expect(carLoans.leads.map((lead) => lead.customerId)).toEqual(['c-rank-2', 'c-rank-1']);
    const strong = (await (await listLeads(`?minScore=${all.leads[1]?.score}`)).json()) as LeadList;
    expect(strong.leads.map((lead) => lead.customerId)).toEqual(['c-rank-2', 'c-rank-3']);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (
        await listLeads(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`, ['advisor'])
      ).json()) as LeadList;
      expect(page.leads.length).toBeLessThanOrEqual(1);
      seen.push(...page.leads.map((lead) => lead.customerId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['c-rank-2', 'c-rank-3', 'c-rank-1']);
  });

  it('does not list a glance, and names the parameter of a bad query', async () => {
    await bankCustomer(h, 'c-glance', IN_VEJLE);
    await glances(h, 'c-glance', '/loans/car');
    expect(((await (await listLeads()).json()) as LeadList).leads).toEqual([]);

    for (const [query, path] of [
      ['?minScore=2', '/minScore'],
      ['?product=yacht', '/product'],
      ['?cursor=not-a-cursor', '/cursor'],
      ['?limit=0', '/limit'],
      ['?colour=red', '/colour'],
    ] as const) {
      const response = await listLeads(query);
      expect(response.status, query).toBe(422);
      expect((await response.json()).errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });

  it('lets viewers and advisors read leads, no one else', async () => {
    expect((await listLeads('', ['marketer'])).status).toBe(403);
    expect((await h.get('/v1/admin/leads', { token: await customerToken('c-lead-1') })).status).toBe(401);
    expect((await h.get('/v1/admin/leads', { key: null })).status).toBe(401);
    expect((await listLeads('', ['admin'])).status).toBe(200);
  });

  it('queues nothing for a CRM when none is configured, and sends nothing', async () => {
    await bankCustomer(h, 'c-no-crm', IN_VEJLE);
    await prices(h, 'c-no-crm', 'car_loan', 3);
    expect(((await (await listLeads()).json()) as LeadList).leads).toHaveLength(1);
    expect(await h.store.leadOutbox()).toEqual([]);
    expect(await h.touchpoint.deliverLeads()).toEqual({ delivered: 0, failed: 0 });
  });

  it('lists every route under its tag in the OpenAPI document', async () => {
    const document = await (await h.get('/openapi.json', { key: null })).json();
    expect(document.paths['/v1/admin/leads'].get.tags).toEqual(['Leads']);
    expect(document.paths['/v1/admin/leads'].get.security).toEqual([{ staffToken: [] }]);
    for (const [path, method] of [
      ['/v1/advisor/queue', 'get'],
      ['/v1/advisor/outcomes', 'post'],
      ['/v1/admin/kpis/advisors', 'get'],
    ] as const) {
      expect(document.paths[path][method].tags, path).toEqual(['Advisors']);
    }
  });
});

const CRM_SECRET = 'crm-webhook-secret-of-the-demo-bank-0123';

describe.each(engines)('qualified leads sent to the CRM on $name', (engine) => {
  const database = databaseFor(engine);
  const crm = loopbackCrm();
  let harness: Harness | undefined;
  let db: SqlDatabase;
  const config = () => ({ ...DEMO_CONFIG, crm: { url: crm.url(), secret: CRM_SECRET } });
  beforeEach(async () => {
    db = await database.open();
    await crm.start();
    crm.received.length = 0;
    crm.answerWith(500);
  });
  afterEach(async () => {
    await harness?.dispose();
    await crm.stop();
  });
  afterAll(() => database.close());

  it('the hand-over respects a weekly budget of leads: beyond it a lead waits in the outbox for next week', async () => {
    harness = await startHarness(db, { config: config(), random: () => 0.5 });
    const h = harness;
    crm.answerWith(202);
    await h.touchpoint.catalog.publish(
      Catalog.parse({
        ...demoCatalog,
        version: 'one-lead-a-week',
        budgets: [
          {
            id: 'vejle-leads',
            name: 'Leads to Vejle a week',
            scope: { kind: 'branch-leads', branch: 'Vejle' },
            measure: 'leads_handed_over',
            period: 'week',
            maximum: 1,
            pacing: 'asap',
          },
        ],
      }),
    );
    for (const customerId of ['c-week-1', 'c-week-2']) {
      await bankCustomer(h, customerId, IN_VEJLE);
      await prices(h, customerId, 'car_loan', 2);
    }
    expect(await h.touchpoint.deliverLeads()).toEqual({ delivered: 1, failed: 0, heldByBudget: 1 });
    expect(crm.received).toHaveLength(1);
    const waiting = (await h.store.leadOutbox()).find((event) => event.deliveredAt === null);
    // NOW is Sunday 22 November 2026: the next week begins on Monday at midnight in Copenhagen (UTC+1).
    expect(waiting?.nextAttemptAt).toBe('2026-11-22T23:00:00.000Z');
    h.setNow(new Date('2026-11-22T23:00:00.000Z'));
    expect(await h.touchpoint.deliverLeads()).toEqual({ delivered: 1, failed: 0 });
    expect(crm.received).toHaveLength(2);
  });

  it('retries through a server error and a refused connection, and the lead arrives exactly once, signed', async () => {
    harness = await startHarness(db, { config: config(), random: () => 0.5 });
    const h = harness;
    await bankCustomer(h, 'c-crm-1', IN_VEJLE);
    await prices(h, 'c-crm-1', 'car_loan', 2);
    await prices(h, 'c-crm-1', 'car_loan', 2);
    const [queued, ...others] = await h.store.leadOutbox();
    expect(others).toEqual([]);
    expect(queued).toMatchObject({ attempts: 0, deliveredAt: null });

    // First attempt: the CRM answers 500; the event waits by backoff and is not due at once.
    expect(await h.touchpoint.deliverLeads()).toEqual({ delivered: 0, failed: 1 });
    expect(await h.touchpoint.deliverLeads()).toEqual({ delivered: 0, failed: 0 });
    const [afterError] = await h.store.leadOutbox();
    expect(afterError).toMatchObject({ attempts: 1, lastError: 'HTTP 500', deliveredAt: null });
    const firstWait = Date.parse(afterError?.nextAttemptAt ?? '') - NOW.getTime();
    expect(firstWait).toBeGreaterThan(0);

    // Second attempt: the CRM is down (connection refused).
    await crm.stop();
    const secondAt = new Date(afterError?.nextAttemptAt ?? '');
    h.setNow(secondAt);
    expect(await h.touchpoint.deliverLeads()).toEqual({ delivered: 0, failed: 1 });
    const [afterRefusal] = await h.store.leadOutbox();
    expect(afterRefusal).toMatchObject({ attempts: 2, deliveredAt: null });
    expect(Date.parse(afterRefusal?.nextAttemptAt ?? '') - secondAt.getTime()).toBe(2 * firstWait);

    // The API restarts; the outbox is in the store. The CRM is back and accepts.
    await h.dispose();
    crm.answerWith(202);
    await crm.start();
    harness = await startHarness(db, { config: config(), random: () => 0.5 });
    const thirdAt = new Date(afterRefusal?.nextAttemptAt ?? '');
    harness.setNow(thirdAt);
    expect(await harness.touchpoint.deliverLeads()).toEqual({ delivered: 1, failed: 0 });
    harness.setNow(new Date(thirdAt.getTime() + 86_400_000));
    expect(await harness.touchpoint.deliverLeads()).toEqual({ delivered: 0, failed: 0 });

    const accepted = crm.received.filter((request) => request.status === 202);
    expect(accepted).toHaveLength(1);
    expect(crm.received).toHaveLength(2);
    const [delivery] = accepted;
    const timestamp = String(delivery?.headers['x-touchpoint-timestamp']);
    expect(timestamp).toBe(String(Math.floor(thirdAt.getTime() / 1000)));
    const expected = createHmac('sha256', CRM_SECRET).update(`${timestamp}.${delivery?.body}`).digest('hex');
    expect(delivery?.headers['x-touchpoint-signature']).toBe(`v1=${expected}`);
    expect(delivery?.headers['idempotency-key']).toBe(queued?.key);
    expect(crm.received.map((request) => request.headers['idempotency-key'])).toEqual([queued?.key, queued?.key]);
    expect(JSON.parse(delivery?.body ?? '')).toMatchObject({
      type: 'lead.qualified',
      id: queued?.key,
      customerId: 'c-crm-1',
      product: 'car_loan',
      stage: 'compare',
      branch: 'Vejle',
      qualifiedAt: NOW.toISOString(),
      reason: { en: 'priced a car loan today, application not started' },
    });
    expect((await harness.store.leadOutbox())[0]).toMatchObject({
      deliveredAt: thirdAt.toISOString(),
      lastError: null,
    });
  });

  it('sends a lead once however often the customer comes back, and only leads that qualify', async () => {
    harness = await startHarness(db, { config: config(), random: () => 0.5 });
    crm.answerWith(200);
    await bankCustomer(harness, 'c-crm-2', IN_VEJLE);
    await bankCustomer(harness, 'c-crm-3', IN_VEJLE);
    await prices(harness, 'c-crm-2', 'mortgage', 2);
    await prices(harness, 'c-crm-2', 'mortgage', 1);
    await glances(harness, 'c-crm-3', '/mortgage');
    expect(await harness.touchpoint.deliverLeads()).toEqual({ delivered: 1, failed: 0 });
    expect(crm.received.map((request) => JSON.parse(request.body).customerId)).toEqual(['c-crm-2']);
  });

  /** The customer's CRM events as their export lists them. */
  const exportedEvents = async (h: Harness, customerId: string) => {
    const response = await h.get('/v1/me/data', { token: await customerToken(customerId) });
    expect(response.status).toBe(200);
    return ((await response.json()) as { records: Record<string, Array<Record<string, unknown>>> }).records.crm_outbox;
  };

  it('erasure by the customer removes their CRM events, sent and waiting; the export lists them until then', async () => {
    harness = await startHarness(db, { config: config(), random: () => 0.5 });
    const h = harness;
    crm.answerWith(200);
    await bankCustomer(h, 'c-crm-erase', IN_VEJLE);
    await bankCustomer(h, 'c-crm-stays', IN_VEJLE);
    await prices(h, 'c-crm-erase', 'mortgage', 3);
    expect(await h.touchpoint.deliverLeads()).toEqual({ delivered: 1, failed: 0 });
    // A second lead of the same customer, and another customer's, wait for the CRM.
    await prices(h, 'c-crm-erase', 'car_loan', 4);
    await prices(h, 'c-crm-stays', 'car_loan', 4);
    const outbox = await h.store.leadOutbox();
    const mine = outbox.filter((row) => JSON.parse(row.body).customerId === 'c-crm-erase');
    // Which product's event has been sent: the mortgage one; the car loan's waits.
    const sent = Object.fromEntries(mine.map((row) => [JSON.parse(row.body).product, row.deliveredAt !== null]));
    expect(sent).toEqual({ mortgage: true, car_loan: false });
    expect(outbox).toHaveLength(3);

    const listed = await exportedEvents(h, 'c-crm-erase');
    expect(listed?.map((row) => row.idempotency_key).sort()).toEqual(mine.map((row) => row.key).sort());
    expect(listed?.[0]).not.toHaveProperty('customer_id');
    expect(await exportedEvents(h, 'c-crm-stays')).toHaveLength(1);

    expect((await h.delete('/v1/me', { token: await customerToken('c-crm-erase') })).status).toBe(204);
    const left = await h.store.leadOutbox();
    expect(left.map((row) => JSON.parse(row.body).customerId)).toEqual(['c-crm-stays']);
    expect(left.some((row) => row.body.includes('c-crm-erase') || row.key.includes('c-crm-erase'))).toBe(false);
    expect(await exportedEvents(h, 'c-crm-erase')).toEqual([]);

    // The waiting event of the erased customer is never sent; the other customer's is.
    crm.received.length = 0;
    expect(await h.touchpoint.deliverLeads()).toEqual({ delivered: 1, failed: 0 });
    expect(crm.received.map((request) => JSON.parse(request.body).customerId)).toEqual(['c-crm-stays']);
  });

  it('erasure by an admin removes the customer’s CRM events too, and says how many', async () => {
    harness = await startHarness(db, { config: config(), random: () => 0.5 });
    const h = harness;
    await bankCustomer(h, 'c-crm-asked', IN_VEJLE);
    await prices(h, 'c-crm-asked', 'car_loan', 4);
    expect(await h.store.leadOutbox()).toHaveLength(1);
    const response = await h.delete('/v1/admin/customers/c-crm-asked', {
      key: null,
      token: await staffToken(['admin']),
    });
    expect(response.status).toBe(200);
    expect((await response.json()).deleted).toMatchObject({ leads: 1, crm_outbox: 1 });
    expect(await h.store.leadOutbox()).toEqual([]);
    expect(await h.touchpoint.deliverLeads()).toEqual({ delivered: 0, failed: 0 });
  });
});
