import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  customerToken,
  decisionRequest,
  engines,
  NOW,
  signedByPartner,
  staffToken,
  touchpointOf,
  useHarness,
} from '../support/harness.js';

interface BatchResult {
  accepted: string[];
  duplicates: string[];
  rejected: Array<{ index: number; id?: string; errors: Array<{ path: string; message: string }> }>;
}

/** A touchpoint carrying personal data somewhere, where it is, what it looks like, and the value itself. */
const CASES: Array<{ name: string; fields: Record<string, unknown>; path: string; kind: string; value: string }> = [
  {
    name: 'an e-mail address in a property',
    fields: { properties: { contact: 'mette.hansen@example.dk' } },
    path: '/properties/contact',
    kind: 'an e-mail address',
    value: 'mette.hansen@example.dk',
  },
  {
    name: 'an e-mail address in the page path',
    fields: { page: '/profile/mette.hansen@example.dk' },
    path: '/page',
    kind: 'an e-mail address',
    value: 'mette.hansen@example.dk',
  },
  {
    name: 'an e-mail address in a query-like property, percent-encoded',
    fields: { properties: { query: 'q=mette.hansen%40example.dk&x=1' } },
    path: '/properties/query',
    kind: 'an e-mail address',
    value: 'mette.hansen%40example.dk',
  },
  {
    name: 'a Danish phone number in a property',
    fields: { properties: { note: 'ring 23 45 67 89' } },
    path: '/properties/note',
    kind: 'a phone number',
    value: '23 45 67 89',
  },
  {
    name: 'a +45 phone number in the page path',
    fields: { page: '/contact/+4523456789' },
    path: '/page',
    kind: 'a phone number',
    value: '+4523456789',
  },
  {
    name: 'an international phone number in a property',
    fields: { properties: { phone: '+14155552671' } },
    path: '/properties/phone',
    kind: 'a phone number',
    value: '+14155552671',
  },
  {
    name: 'a CPR number in the page path',
    fields: { page: '/customers/010190-1234' },
    path: '/page',
    kind: 'a CPR number',
    value: '010190-1234',
  },
  {
    name: 'a CPR number of 10 digits in a property',
    fields: { properties: { ref: '0101901234' } },
    path: '/properties/ref',
    kind: 'a CPR number',
    value: '0101901234',
  },
  {
    name: 'an IBAN in a property',
    fields: { properties: { to: 'DK50 0040 0440 1162 43' } },
    path: '/properties/to',
    kind: 'an IBAN',
    value: 'DK50 0040 0440 1162 43',
  },
  {
    name: 'a registration and account number in a property',
    fields: { properties: { from: '1234 1234567890' } },
    path: '/properties/from',
    kind: 'a bank account number',
    value: '1234 1234567890',
  },
  {
    name: 'an e-mail address in a field the contract does not know',
    fields: { email: 'mette.hansen@example.dk' },
    path: '/email',
    kind: 'an e-mail address',
    value: 'mette.hansen@example.dk',
  },
  {
    name: 'a phone number as a property name',
    fields: { properties: { tlf23456789: true } },
    path: '/properties',
    kind: 'a phone number',
    value: 'tlf23456789',
  },
];

describe.each(engines)('personal data refused at ingest on $name', (engine) => {
  const h = useHarness(engine);
  const anonymousId = '5b0c8c2e-3d0f-4a51-9a51-0d3f1b2c4d5e';
  let logs: MockInstance[] = [];
  beforeEach(() => {
    logs = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) => vi.spyOn(console, method));
  });
  afterEach(() => {
    for (const spy of logs) spy.mockRestore();
  });
  const logged = () => logs.flatMap((spy) => spy.mock.calls.map((call) => call.map(String).join(' '))).join('\n');

  it.each(CASES)('refuses $name, naming the field and the kind, keeping the valid items', async (item) => {
    const bad = touchpointOf('calculator_used', { product: 'car_loan', ...item.fields });
    const good = touchpointOf('product_view', { product: 'car_loan' });
    const response = await h.post('/v1/touchpoints', { anonymousId, touchpoints: [bad, good] });
    expect(response.status).toBe(200);
    const text = await response.text();
    const body = JSON.parse(text) as BatchResult;
    expect(body.accepted).toEqual([good.id]);
    expect(body.rejected).toEqual([
      { index: 0, id: bad.id, errors: [{ path: `/touchpoints/0${item.path}`, message: expect.any(String) }] },
    ]);
    expect(body.rejected[0]?.errors[0]?.message).toMatch(new RegExp(`looks like ${item.kind}`));
    expect(text).not.toContain(item.value);
    expect(await h.store.countTouchpointsWithIds([bad.id as string])).toBe(0);
    expect(logged()).not.toContain(item.value);
  });

  it('answers 422 when every item carries personal data, and stores nothing at all', async () => {
    const response = await h.post(
      '/v1/touchpoints',
      {
        anonymousId,
        touchpoints: [
          touchpointOf('page_view', { page: '/customers/010190-1234' }),
          touchpointOf('page_view', { page: '/loans', properties: { mail: 'ole@example.dk' } }),
        ],
      },
      { token: await customerToken('c-pii-1') },
    );
    expect(response.status).toBe(422);
    const problem = await response.json();
    expect(problem.errors).toEqual([
      { path: '/touchpoints/0/page', message: expect.stringMatching(/looks like a CPR number/) },
      { path: '/touchpoints/1/properties/mail', message: expect.stringMatching(/looks like an e-mail address/) },
    ]);
    expect(JSON.stringify(problem)).not.toMatch(/010190|ole@example/);
    expect(await h.rowCounts()).toEqual({ touchpoints: 0, profiles: 0, decisions: 0, identityLinks: 0 });
  });

  it('does not repeat an id that is itself personal data', async () => {
    const bad = { ...touchpointOf('page_view'), id: 'ole@example.dk' };
    const good = touchpointOf('page_view', { page: '/loans/car' });
    const response = await h.post('/v1/touchpoints', { anonymousId, touchpoints: [bad, good] });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(JSON.parse(text).rejected).toEqual([
      { index: 0, errors: [{ path: '/touchpoints/0/id', message: expect.stringMatching(/e-mail/) }] },
    ]);
    expect(text).not.toContain('ole@example.dk');
  });

  it('refuses an envelope whose device id is an e-mail address with 422 and stores nothing', async () => {
    const response = await h.post('/v1/touchpoints', {
      anonymousId: 'ole@example.dk',
      touchpoints: [touchpointOf('page_view', { page: '/loans/car' })],
    });
    expect(response.status).toBe(422);
    const text = await response.text();
    expect(JSON.parse(text).errors).toEqual([{ path: '/anonymousId', message: expect.stringMatching(/e-mail/) }]);
    expect(text).not.toContain('ole@example');
    expect((await h.rowCounts()).touchpoints).toBe(0);
  });

  it('judges a device id as a key: a phone-number shape is not personal data there, only not a device id', async () => {
    const response = await h.post('/v1/touchpoints', {
      anonymousId: '+4523456789',
      touchpoints: [touchpointOf('page_view', { page: '/loans/car' })],
    });
    expect(response.status).toBe(422);
    const problem = await response.json();
    expect(problem.type).toBe('https://touchpoint.dev/problems/invalid-body');
    expect(problem.errors).toEqual([{ path: '/anonymousId', message: expect.not.stringMatching(/phone/) }]);
  });

  it('lets ids, timestamps, amounts, slugs and page paths through', async () => {
    const touchpoints = [
      touchpointOf('page_view', { page: '/loans/car' }),
      touchpointOf('page_view', { page: '/loans/car/apply/step-2' }),
      touchpointOf('calculator_used', {
        product: 'car_loan',
        page: '/loans/car',
        properties: {
          amount: 250000,
          bigAmount: 25000000,
          price: '1.500.000',
          monthly: '2.500,50 kr.',
          rate: '3,95 %',
          years: 5,
          at: '2026-11-22T10:15:00.123+01:00',
          quote: '5b0c8c2e-3d0f-4a51-9a51-0d3f1b2c4d5e',
          plan: 'fixed-rate-2026',
        },
      }),
      touchpointOf('offer_click', {
        offer: 'car-loan-green',
        placement: 'dashboard-hero',
        decisionId: '12345678-1234-4234-8234-123456789012',
      }),
    ];
    const response = await h.post('/v1/touchpoints', { anonymousId, touchpoints });
    expect(response.status).toBe(200);
    const body = (await response.json()) as BatchResult;
    expect(body.rejected).toEqual([]);
    expect(body.accepted).toHaveLength(touchpoints.length);
    expect(await h.store.countTouchpoints()).toBe(touchpoints.length);
  });

  it('refuses a decision request with personal data in its context, and keeps nothing of it', async () => {
    const token = await customerToken('c-pii-2');
    const request = decisionRequest(['dashboard-hero'], '/customers/010190-1234');
    const response = await h.post('/v1/decisions', request, { token });
    expect(response.status).toBe(422);
    const text = await response.text();
    expect(JSON.parse(text).errors).toEqual([
      { path: '/context/page', message: expect.stringMatching(/looks like a CPR number/) },
    ]);
    expect(text).not.toContain('010190');

    const extra = decisionRequest(['dashboard-hero']);
    const withMail = { ...extra, context: { ...extra.context, email: 'ole@example.dk' } };
    const second = await h.post('/v1/decisions', withMail, { token });
    expect(second.status).toBe(422);
    expect((await second.json()).errors).toEqual([
      { path: '/context/email', message: expect.stringMatching(/e-mail/) },
    ]);
    expect(await h.rowCounts()).toEqual({ touchpoints: 0, profiles: 0, decisions: 0, identityLinks: 0 });
    expect(logged()).not.toMatch(/010190|ole@example/);
  });

  it('decides as usual for a request without personal data', async () => {
    const response = await h.post('/v1/decisions', decisionRequest(['dashboard-hero'], '/loans/car'));
    expect(response.status).toBe(200);
  });

  describe('from partners', () => {
    const visit = (fields: Record<string, unknown>) => ({
      id: crypto.randomUUID(),
      customerId: 'c-00042',
      type: 'external_visit',
      site: 'car-marketplace',
      occurredAt: new Date(NOW.getTime() - 3_600_000).toISOString(),
      product: 'car_loan',
      ...fields,
    });

    it('refuses a visit naming the customer by CPR number or with a phone number in the site, keeping the rest', async () => {
      const byCpr = visit({ customerId: '0101901234' });
      const phoneSite = visit({ site: 'tlf-23456789' });
      const good = visit({});
      const response = await h.post(
        '/v1/partner/touchpoints',
        undefined,
        signedByPartner({ touchpoints: [byCpr, phoneSite, good] }),
      );
      expect(response.status).toBe(200);
      const text = await response.text();
      const body = JSON.parse(text) as BatchResult;
      expect(body.accepted).toEqual([good.id]);
      expect(body.rejected).toEqual([
        {
          index: 0,
          id: byCpr.id,
          errors: [{ path: '/touchpoints/0/customerId', message: expect.stringMatching(/CPR/) }],
        },
        {
          index: 1,
          id: phoneSite.id,
          errors: [{ path: '/touchpoints/1/site', message: expect.stringMatching(/phone/) }],
        },
      ]);
      expect(text).not.toMatch(/0101901234|23456789/);
      expect(await h.store.countTouchpointsWithIds([byCpr.id, phoneSite.id])).toBe(0);
      expect(await h.store.profile('c:0101901234')).toMatchObject({ touchpointCount: 0 });
    });

    it('takes customer numbers that have a phone or account number’s shape: ids are keys, not free text', async () => {
      // Eight digits starting 2–9 read as a Danish phone number in free text; fourteen as a registration and account.
      const ids = ['23456789', '98765432', '12345678901234', 'c-2345-6789'];
      const visits = ids.map((customerId) => visit({ customerId }));
      const response = await h.post('/v1/partner/touchpoints', undefined, signedByPartner({ touchpoints: visits }));
      expect(response.status).toBe(200);
      const body = (await response.json()) as BatchResult;
      expect(body.rejected).toEqual([]);
      expect(body.accepted).toEqual(visits.map((v) => v.id));
      for (const id of ids) expect(await h.store.profile(`c:${id}`)).toMatchObject({ touchpointCount: 1 });
    });

    it('refuses a customer id holding a CPR number anywhere in it, or an e-mail address', async () => {
      const visits = [visit({ customerId: 'c-010190-1234' }), visit({ customerId: 'ole@example.dk' })];
      const response = await h.post('/v1/partner/touchpoints', undefined, signedByPartner({ touchpoints: visits }));
      expect(response.status).toBe(422);
      const text = await response.text();
      expect(JSON.parse(text).errors).toEqual([
        { path: '/touchpoints/0/customerId', message: expect.stringMatching(/CPR/) },
        { path: '/touchpoints/1/customerId', message: expect.stringMatching(/e-mail/) },
      ]);
      expect(text).not.toMatch(/010190|ole@example/);
    });
  });

  describe('pseudonymous ids on the other routes', () => {
    it('a customer token whose subject is a CPR number is refused; one of eight digits is a customer', async () => {
      const cpr = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), {
        token: await customerToken('0101901234'),
      });
      expect(cpr.status).toBe(401);
      const eightDigits = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']), {
        token: await customerToken('23456789'),
      });
      expect(eightDigits.status).toBe(200);
      expect((await eightDigits.json()).decisions[0].why).toEqual(expect.any(String));
    });

    it('staff erase a customer whose number has a phone’s shape, never one named by a CPR number', async () => {
      const admin = await staffToken(['admin']);
      const refused = await h.delete('/v1/admin/customers/0101901234', { key: null, token: admin });
      expect(refused.status).toBe(422);
      const text = await refused.text();
      expect(JSON.parse(text).errors).toEqual([{ path: '/customerId', message: expect.stringMatching(/CPR/) }]);
      expect(text).not.toContain('0101901234');
      const erased = await h.delete('/v1/admin/customers/23456789', { key: null, token: admin });
      expect(erased.status).toBe(200);
    });

    it('bank model scores: a CPR-shaped customer id is refused by item, an eight-digit one kept', async () => {
      const upload = {
        modelName: 'car-loan-propensity',
        modelVersion: '2026.11',
        scores: [
          { customerId: '23456789', offerId: 'car-loan-quote', score: 0.4 },
          { customerId: '010190-1234', offerId: 'car-loan-quote', score: 0.4 },
        ],
      };
      const response = await h.touchpoint.app.request('http://touchpoint.test/v1/admin/scores', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await staffToken(['admin'])}` },
        body: JSON.stringify(upload),
      });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({
        stored: 1,
        rejected: [{ index: 1, errors: [{ path: '/scores/1/customerId', message: expect.stringMatching(/CPR/) }] }],
      });
      expect(text).not.toContain('010190');
      expect((await h.store.bankScores('23456789')).size).toBe(1);
    });
  });
});
