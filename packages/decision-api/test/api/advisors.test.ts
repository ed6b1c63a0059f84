import { describe, expect, it } from 'vitest';
import { seedDemoBank } from '../../src/demo/seed.js';
import { customerSubject } from '../../src/store/store.js';
import {
  bankCustomer,
  customerToken,
  decisionRequest,
  demoCatalog,
  engines,
  NOW,
  prices,
  staffToken,
  useHarness,
} from '../support/harness.js';

const DAY_MS = 86_400_000;
const inDays = (days: number) => new Date(NOW.getTime() + days * DAY_MS);

interface Queue {
  branch: string;
  entries: Array<{ customerId: string; product: string; reason: string; score: number }>;
  excluded: Record<string, number>;
}

const advisor = (id: string, branch?: string, at = NOW) =>
  staffToken(['advisor'], { id, at, ...(branch ? { branch } : {}) });

describe.each(engines)('the advisor queue on $name', (engine) => {
  const h = useHarness(engine);
  const queueFor = async (token: string, query = '') => h.get(`/v1/advisor/queue${query}`, { key: null, token });
  const record = async (token: string, body: Record<string, unknown>) =>
    h.post('/v1/advisor/outcomes', body, { key: null, token });

  /** Vejle: two customers to call, and three the contact policy protects. Køge: one. */
  async function branches() {
    await bankCustomer(h, 'c-vejle-1', { branch: 'Vejle', contactConsent: true });
    await bankCustomer(h, 'c-vejle-2', { branch: 'Vejle', contactConsent: true });
    await bankCustomer(h, 'c-vejle-no-consent', { branch: 'Vejle' });
    await bankCustomer(h, 'c-vejle-arrears', { branch: 'Vejle', contactConsent: true, arrears: true });
    await bankCustomer(h, 'c-vejle-holds', { branch: 'Vejle', contactConsent: true });
    await bankCustomer(h, 'c-koege-1', { branch: 'Køge', contactConsent: true });
    await prices(h, 'c-vejle-1', 'car_loan', 4);
    await prices(h, 'c-vejle-2', 'mortgage', 2);
    await prices(h, 'c-vejle-no-consent', 'car_loan', 4);
    await prices(h, 'c-vejle-arrears', 'car_loan', 4);
    await prices(h, 'c-vejle-holds', 'pension', 4);
    const holds = await h.store.profile(customerSubject('c-vejle-holds'));
    await h.store.putProfiles([
      { subject: customerSubject('c-vejle-holds'), profile: { ...holds, productsHeld: ['pension'] } },
    ]);
    await prices(h, 'c-koege-1', 'car_loan', 2);
  }

  it('gives an advisor the next customers of their branch to contact, with the reason in words', async () => {
    await branches();
    h.setNow(inDays(2));
    const response = await queueFor(await advisor('a.jensen', 'Vejle', inDays(2)));
    expect(response.status).toBe(200);
    const queue = (await response.json()) as Queue;
    expect(queue.branch).toBe('Vejle');
    expect(queue.entries.map((entry) => entry.customerId)).toEqual(['c-vejle-1', 'c-vejle-2']);
    expect(queue.entries[0]).toMatchObject({
      product: 'car_loan',
      reason: 'priced a car loan 2 days ago, application not started',
    });
    expect(queue.excluded).toEqual({ consent: 1, 'credit-suitability': 1, 'product-held': 1 });

    const danish = (await (
      await queueFor(await advisor('a.jensen', 'Vejle', inDays(2)), '?locale=da&limit=1')
    ).json()) as Queue;
    expect(danish.entries.map((entry) => entry.reason)).toEqual([
      'beregnede en pris på billån for 2 dage siden, ansøgning ikke startet',
    ]);
  });

  it('keeps each branch to its own queue: only an admin reads another branch', async () => {
    await branches();
    const vejle = await advisor('a.jensen', 'Vejle');
    const other = await queueFor(vejle, '?branch=K%C3%B8ge');
    expect(other.status).toBe(403);
    expect((await other.json()).type).toContain('other-branch');
    expect((await queueFor(vejle, '?branch=Vejle')).status).toBe(200);

    const admin = await staffToken(['admin'], { id: 'boss' });
    const koege = (await (await queueFor(admin, '?branch=K%C3%B8ge')).json()) as Queue;
    expect(koege.entries.map((entry) => entry.customerId)).toEqual(['c-koege-1']);
    const noBranch = await queueFor(admin);
    expect(noBranch.status).toBe(422);
    expect((await noBranch.json()).errors[0].path).toBe('/branch');

    expect((await queueFor(await staffToken(['viewer'], { branch: 'Vejle' }))).status).toBe(403);
    expect((await h.get('/v1/advisor/queue', { token: await customerToken('c-vejle-1') })).status).toBe(401);
  });

  it('records an outcome in one call, once per client id, and the customer rests from calls', async () => {
    await branches();
    const token = await advisor('a.jensen', 'Vejle');
    const id = crypto.randomUUID();
    const call = { id, customerId: 'c-vejle-1', product: 'car_loan', outcome: 'contacted', note: 'calls back Friday' };
    const first = await record(token, call);
    expect(first.status).toBe(201);
    const stored = await first.json();
    expect(stored).toEqual({
      ...call,
      advisorId: 'a.jensen',
      branch: 'Vejle',
      recordedAt: NOW.toISOString(),
    });
    h.setNow(inDays(1));
    const repeated = await record(await advisor('a.jensen', 'Vejle', inDays(1)), { ...call, outcome: 'sold' });
    expect(repeated.status).toBe(200);
    expect(await repeated.json()).toEqual(stored);

    const profile = await h.store.profile(customerSubject('c-vejle-1'));
    expect(profile.advisorContacts).toEqual([NOW.toISOString()]);
    expect(profile.productsHeld).not.toContain('car_loan');
    const queue = (await (await queueFor(await advisor('a.jensen', 'Vejle', inDays(1)))).json()) as Queue;
    expect(queue.entries.map((entry) => entry.customerId)).toEqual(['c-vejle-2']);
    expect(queue.excluded['advisor-cool-down']).toBe(1);

    h.setNow(inDays(15));
    const later = (await (await queueFor(await advisor('a.jensen', 'Vejle', inDays(15)))).json()) as Queue;
    expect(later.entries.map((entry) => entry.customerId)).toContain('c-vejle-1');
  });

  it('a sale is the conversion: the product is held, the lead ends, and no car-loan offer is shown', async () => {
    await branches();
    const token = await advisor('a.jensen', 'Vejle');
    const sold = { id: crypto.randomUUID(), customerId: 'c-vejle-1', product: 'car_loan', outcome: 'sold' };
    expect((await record(token, sold)).status).toBe(201);
    const profile = await h.store.profile(customerSubject('c-vejle-1'));
    expect(profile.productsHeld).toContain('car_loan');
    expect(profile.journeys.car_loan?.stage).toBe('use');
    const leads = await (await h.get('/v1/admin/leads', { key: null, token: await staffToken(['viewer']) })).json();
    expect(leads.leads.map((lead: { customerId: string }) => lead.customerId)).not.toContain('c-vejle-1');
    const decision = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), {
      token: await customerToken('c-vejle-1'),
    });
    expect((await decision.json()).decisions[0].offer?.product).not.toBe('car_loan');
  });

  it('"not relevant" rests the product in the queue and in the bank’s placements', async () => {
    await branches();
    const token = await advisor('b.larsen', 'Vejle');
    const before = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), {
      token: await customerToken('c-vejle-2'),
    });
    expect((await before.json()).decisions[0].offer?.product).toBe('mortgage');
    const outcome = { id: crypto.randomUUID(), customerId: 'c-vejle-2', product: 'mortgage', outcome: 'not_relevant' };
    expect((await record(token, outcome)).status).toBe(201);
    const after = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), {
      token: await customerToken('c-vejle-2'),
    });
    expect((await after.json()).decisions[0].offer?.product).not.toBe('mortgage');
    // Past the advisor cool-down, the mortgage still rests (the dismissal cool-down is longer).
    h.setNow(inDays(20));
    const queue = (await (await queueFor(await advisor('b.larsen', 'Vejle', inDays(20)))).json()) as Queue;
    expect(queue.entries.map((entry) => entry.customerId)).not.toContain('c-vejle-2');
  });

  it('refuses bad outcomes naming the field, an unknown customer, and anyone but an advisor', async () => {
    await branches();
    const token = await advisor('a.jensen', 'Vejle');
    const valid = { id: crypto.randomUUID(), customerId: 'c-vejle-1', product: 'car_loan', outcome: 'contacted' };
    for (const [body, path] of [
      [{ ...valid, outcome: 'maybe' }, '/outcome'],
      [{ ...valid, id: 'one' }, '/id'],
      [{ ...valid, product: 'yacht' }, '/product'],
      [{ ...valid, customerId: 'ann@example.com' }, '/customerId'],
      [{ ...valid, customerId: '0101901234' }, '/customerId'],
      [{ ...valid, colour: 'red' }, '/colour'],
    ] as const) {
      const response = await record(token, body);
      expect(response.status, path).toBe(422);
      expect((await response.json()).errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const unknown = await record(token, { ...valid, customerId: 'c-nobody' });
    expect(unknown.status).toBe(404);

    expect((await record(await staffToken(['viewer'], { branch: 'Vejle' }), valid)).status).toBe(403);
    const asCustomer = await h.post('/v1/advisor/outcomes', valid, { token: await customerToken('c-vejle-1') });
    expect(asCustomer.status).toBe(401);
    const [row] = await h.touchpoint.services.store.advisorActivity(inDays(-1), NOW, 7).then((a) => a.outcomes);
    expect(row).toBeUndefined();
  });

  it('measures the advisor action rate per advisor and per branch, with outcome counts', async () => {
    await branches();
    const jensen = await advisor('a.jensen', 'Vejle');
    const admin = await staffToken(['admin'], { id: 'boss' });
    expect(((await (await queueFor(jensen)).json()) as Queue).entries).toHaveLength(2);
    // Looking again the same day notes no one twice; an admin looking at another branch notes no one.
    await queueFor(jensen);
    await queueFor(admin, '?branch=K%C3%B8ge');
    h.setNow(inDays(1));
    const outcome = { id: crypto.randomUUID(), customerId: 'c-vejle-1', product: 'car_loan', outcome: 'sold' };
    expect((await record(await advisor('a.jensen', 'Vejle', inDays(1)), outcome)).status).toBe(201);

    const kpisNow = await (
      await h.get('/v1/admin/kpis/advisors', { key: null, token: await staffToken(['admin'], { at: inDays(1) }) })
    ).json();
    expect(kpisNow.advisors).toEqual([
      {
        advisorId: 'a.jensen',
        presented: 2,
        acted: 1,
        pending: 1,
        actionRate: 1,
        outcomes: { contacted: 0, not_reached: 0, not_relevant: 0, sold: 1 },
      },
    ]);
    h.setNow(inDays(8));
    const viewer = await staffToken(['viewer'], { at: inDays(8) });
    const response = await h.get('/v1/admin/kpis/advisors', { key: null, token: viewer });
    expect(response.status).toBe(200);
    const kpis = await response.json();
    expect(kpis.actionWindowDays).toBe(7);
    expect(kpis.advisors[0]).toMatchObject({
      advisorId: 'a.jensen',
      presented: 2,
      acted: 1,
      pending: 0,
      actionRate: 0.5,
    });
    expect(kpis.branches).toEqual([expect.objectContaining({ branch: 'Vejle', presented: 2, actionRate: 0.5 })]);

    const jensenLater = await advisor('a.jensen', 'Vejle', inDays(8));
    expect((await h.get('/v1/admin/kpis/advisors', { key: null, token: jensenLater })).status).toBe(403);
    const bad = await h.get('/v1/admin/kpis/advisors?days=0', { key: null, token: viewer });
    expect(bad.status).toBe(422);
    expect((await bad.json()).errors[0].path).toBe('/days');
  });

  it('has customers to call in the seeded demo bank, each of the branch, consenting, not holding the product', async () => {
    await seedDemoBank(h.store, { catalog: demoCatalog, now: NOW, customers: 300 });
    const response = await queueFor(await advisor('demo.advisor', 'København'), '?limit=100');
    const queue = (await response.json()) as Queue;
    expect(queue.entries.length).toBeGreaterThan(0);
    for (const entry of queue.entries) {
      const profile = await h.store.profile(customerSubject(entry.customerId));
      expect(profile.attributes).toMatchObject({ branch: 'København', contactConsent: true });
      expect(profile.productsHeld).not.toContain(entry.product);
    }
    expect(await h.store.leadOutbox()).toEqual([]);
  });
});
