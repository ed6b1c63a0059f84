import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Catalog, TOUCHPOINT_TYPES, Touchpoint, type TouchpointType } from '../src/contract/index.js';
import {
  createRandom,
  DEMO_PRODUCTS,
  DEMO_SEGMENTS,
  type DemoBank,
  type DemoSegment,
  type DemoTouchpoint,
  featuredDemoCustomers,
  generateDemoBank,
  SEGMENT_PROPENSITY,
} from '../src/demo/index.js';
import { compileCatalog } from '../src/domain/decision/catalog.js';
import { decide } from '../src/domain/decision/decide.js';
import { applyTouchpoints, EMPTY_PROFILE, type ProfileTouchpoint } from '../src/domain/journeys/profile.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const SIX_MONTHS_BEFORE = Date.parse('2026-05-22T12:00:00Z');
const catalog = compileCatalog(
  Catalog.parse(JSON.parse(readFileSync(new URL('../seed/catalog.json', import.meta.url), 'utf8'))),
);
/** The journey steps, in order, as the contract lists them. */
const STEPS: readonly TouchpointType[] = TOUCHPOINT_TYPES.slice(0, 6);

/** The product a touchpoint is about, as the decision API resolves it. */
const productOf = (touchpoint: DemoTouchpoint) =>
  touchpoint.product ?? (touchpoint.page ? catalog.productOfPage(touchpoint.page) : undefined);

let bank: DemoBank;
beforeAll(() => {
  bank = generateDemoBank({ now: NOW });
});

const touchpointsBySegment = () => {
  const segmentOf = new Map(bank.customers.map((c) => [c.id, c.segment]));
  const result = new Map<DemoSegment, DemoTouchpoint[]>(DEMO_SEGMENTS.map((s) => [s, []]));
  for (const touchpoint of bank.touchpoints)
    result.get(segmentOf.get(touchpoint.customerId) as DemoSegment)?.push(touchpoint);
  return result;
};
const customersIn = (segment: DemoSegment) => bank.customers.filter((c) => c.segment === segment).length;

describe('the demo bank', () => {
  it('is the same bank, touchpoint for touchpoint, for the same seed and clock', () => {
    expect(generateDemoBank({ now: NOW })).toStrictEqual(bank);
    expect(generateDemoBank({ now: NOW, seed: 7, customers: 300 })).toStrictEqual(
      generateDemoBank({ now: NOW, seed: 7, customers: 300 }),
    );
  });

  it('is another bank for another seed', () => {
    const a = generateDemoBank({ now: NOW, seed: 1, customers: 300 });
    const b = generateDemoBank({ now: NOW, seed: 2, customers: 300 });
    expect(b.customers.map((c) => c.segment)).not.toEqual(a.customers.map((c) => c.segment));
    const idsOfA = new Set(a.touchpoints.map((t) => t.id));
    expect(b.touchpoints.filter((t) => idsOfA.has(t.id))).toEqual([]);
  });

  it('keeps each customer whatever the size of the bank, so a small bank is the start of a large one', () => {
    const small = generateDemoBank({ now: NOW, customers: 100 });
    expect(small.customers).toStrictEqual(bank.customers.slice(0, 100));
    const ids = new Set(small.customers.map((c) => c.id));
    expect(small.touchpoints).toStrictEqual(bank.touchpoints.filter((t) => ids.has(t.customerId)));
  });

  it('has 5,000 customers with 10 to 40 touchpoints each on average, generated from a seed', () => {
    expect(bank.customers).toHaveLength(5_000);
    expect(bank.customers[0]?.id).toBe('c-00001');
    expect(bank.customers.at(-1)?.id).toBe('c-05000');
    const perCustomer = bank.touchpoints.length / bank.customers.length;
    expect(perCustomer).toBeGreaterThanOrEqual(10);
    expect(perCustomer).toBeLessThanOrEqual(40);
  });

  it('places the history in the six months before now, never in the future', () => {
    const times = bank.touchpoints.map((t) => Date.parse(t.occurredAt));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(SIX_MONTHS_BEFORE);
    expect(Math.max(...times)).toBeLessThanOrEqual(NOW.getTime());
    // The history really spans the window: some customers were active in its first and in its last week.
    expect(times.some((t) => t < SIX_MONTHS_BEFORE + 7 * 86_400_000)).toBe(true);
    expect(times.some((t) => t > NOW.getTime() - 86_400_000)).toBe(true);

    const short = generateDemoBank({ now: NOW, customers: 200, months: 1 });
    const earliest = Math.min(...short.touchpoints.map((t) => Date.parse(t.occurredAt)));
    expect(earliest).toBeGreaterThanOrEqual(Date.parse('2026-10-22T12:00:00Z'));
  });

  it('sends only touchpoints the decision API accepts, each with its own id, for a known customer', () => {
    const customerIds = new Set(bank.customers.map((c) => c.id));
    const invalid: unknown[] = [];
    for (const { customerId, ...touchpoint } of bank.touchpoints) {
      expect(customerIds.has(customerId)).toBe(true);
      const result = Touchpoint.safeParse(touchpoint);
      if (!result.success) invalid.push({ touchpoint, issues: result.error.issues });
    }
    expect(invalid.slice(0, 3)).toEqual([]);
    expect(new Set(bank.touchpoints.map((t) => t.id)).size).toBe(bank.touchpoints.length);
    expect(
      bank.touchpoints.every((t) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(t.id)),
    ).toBe(true);
  });

  it('only visits pages of the net bank and products of the catalog', () => {
    const pages = new Set(bank.touchpoints.flatMap((t) => (t.page ? [t.page] : [])));
    const known = ['/', '/dashboard', '/accounts', '/payments', '/cards', '/messages'];
    for (const page of pages)
      expect(known.includes(page) || catalog.productOfPage(page) !== undefined, page).toBe(true);
    const products = new Set(bank.touchpoints.flatMap((t) => (t.product ? [t.product] : [])));
    for (const product of products) expect(catalog.products.has(product), product).toBe(true);
  });

  it('describes customers plausibly, and never names them in a touchpoint', () => {
    for (const customer of bank.customers) {
      expect(DEMO_SEGMENTS).toContain(customer.segment);
      expect(customer.birthYear).toBeGreaterThanOrEqual(1940);
      expect(customer.birthYear).toBeLessThanOrEqual(2008);
      expect(customer.displayName).toMatch(/^\p{Lu}\p{Ll}+ \p{Lu}\p{Ll}+$/u);
      expect(customer.branch.length).toBeGreaterThan(2);
      expect(customer.channelMix.netbank + customer.channelMix.mobilebank).toBeCloseTo(1, 5);
      for (const product of customer.productsHeld) expect(catalog.products.has(product)).toBe(true);
    }
    // The display name is for the demo login screen only: no touchpoint names its customer.
    const nameOf = new Map(bank.customers.map((c) => [c.id, c.displayName]));
    for (const { customerId, ...touchpoint } of bank.touchpoints) {
      const sent = JSON.stringify(touchpoint);
      expect(sent).not.toMatch(/"c-\d{5}"/);
      expect(sent.includes(nameOf.get(customerId) as string)).toBe(false);
    }
    const flagged = bank.customers.filter((c) => c.flags.vulnerable || c.flags.arrears).length;
    expect(flagged / bank.customers.length).toBeGreaterThan(0.01);
    expect(flagged / bank.customers.length).toBeLessThan(0.1);
  });

  it('counts an application completed in the history as a product held', () => {
    const completed = bank.touchpoints.filter((t) => t.type === 'application_completed');
    expect(completed.length).toBeGreaterThan(0);
    const customers = new Map(bank.customers.map((c) => [c.id, c]));
    for (const t of completed) expect(customers.get(t.customerId)?.productsHeld).toContain(t.product);
  });

  it('walks each journey in order: no application before the product was looked at and priced', () => {
    const firstAt = new Map<string, number>();
    for (const t of bank.touchpoints) {
      const product = productOf(t);
      if (!product || !STEPS.includes(t.type)) continue;
      const key = `${t.customerId} ${product} ${t.type}`;
      firstAt.set(key, Math.min(firstAt.get(key) ?? Number.POSITIVE_INFINITY, Date.parse(t.occurredAt)));
    }
    let checked = 0;
    for (const [key, at] of firstAt) {
      const [customer, product, type] = key.split(' ');
      const step = STEPS.indexOf(type as TouchpointType);
      for (const earlier of STEPS.slice(0, step)) {
        const earlierAt = firstAt.get(`${customer} ${product} ${earlier}`);
        expect(earlierAt, `${key} without ${earlier}`).toBeDefined();
        expect(earlierAt as number).toBeLessThanOrEqual(at);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1_000);
  });
});

describe('the hidden behavioural segments', () => {
  const meanPerCustomer = (touchpoints: DemoTouchpoint[], customers: number, product?: string) =>
    (product ? touchpoints.filter((t) => productOf(t) === product) : touchpoints).length / customers;

  it('all occur, none dominating', () => {
    for (const segment of DEMO_SEGMENTS) {
      const share = customersIn(segment) / bank.customers.length;
      expect(share, segment).toBeGreaterThan(0.04);
      expect(share, segment).toBeLessThan(0.35);
    }
  });

  it.each([
    ['first-car-buyers', 'car_loan'],
    ['home-buyers', 'mortgage'],
    ['pre-retirees', 'pension'],
    ['savers', 'savings'],
    ['active-investors', 'investments'],
  ] as const)('%s look at %s several times as often as the bank as a whole', (segment, product) => {
    const bySegment = touchpointsBySegment();
    const inSegment = meanPerCustomer(bySegment.get(segment) ?? [], customersIn(segment), product);
    const overall = meanPerCustomer(bank.touchpoints, bank.customers.length, product);
    expect(inSegment).toBeGreaterThan(3 * overall);
  });

  it('buy cars and homes deep into the journey, while others mostly browse', () => {
    const deepest = (segment: DemoSegment, product: string) => {
      const applied = new Set(
        (touchpointsBySegment().get(segment) ?? [])
          .filter((t) => t.type === 'application_started' && productOf(t) === product)
          .map((t) => t.customerId),
      );
      return applied.size / customersIn(segment);
    };
    expect(deepest('first-car-buyers', 'car_loan')).toBeGreaterThan(0.2);
    expect(deepest('home-buyers', 'mortgage')).toBeGreaterThan(0.2);
    expect(deepest('savers', 'car_loan')).toBeLessThan(0.01);
    expect(deepest('dormant', 'mortgage')).toBe(0);
  });

  it('differ in frequency, recency and channel', () => {
    const bySegment = touchpointsBySegment();
    const mean = (segment: DemoSegment) => (bySegment.get(segment)?.length ?? 0) / customersIn(segment);
    const mobileShare = (segment: DemoSegment) => {
      const touchpoints = bySegment.get(segment) ?? [];
      return touchpoints.filter((t) => t.channel === 'mobilebank').length / touchpoints.length;
    };
    const lastSeenDaysAgo = (segment: DemoSegment) => {
      const last = new Map<string, number>();
      for (const t of bySegment.get(segment) ?? [])
        last.set(t.customerId, Math.max(last.get(t.customerId) ?? 0, Date.parse(t.occurredAt)));
      const days = [...last.values()].map((at) => (NOW.getTime() - at) / 86_400_000).sort((a, b) => a - b);
      return days[Math.floor(days.length / 2)] as number;
    };

    expect(mean('active-investors')).toBeGreaterThan(2 * mean('savers'));
    expect(mean('dormant')).toBeLessThan(mean('pre-retirees') / 2);
    expect(mobileShare('first-car-buyers')).toBeGreaterThan(0.65);
    expect(mobileShare('active-investors')).toBeGreaterThan(0.65);
    expect(mobileShare('home-buyers')).toBeLessThan(0.4);
    expect(mobileShare('pre-retirees')).toBeLessThan(0.3);
    expect(lastSeenDaysAgo('active-investors')).toBeLessThan(3);
    expect(lastSeenDaysAgo('dormant')).toBeGreaterThan(20);
  });

  it('overlap a little, so finding them takes more than one rule', () => {
    const bySegment = touchpointsBySegment();
    const carLookersElsewhere = new Set(
      DEMO_SEGMENTS.filter((s) => s !== 'first-car-buyers').flatMap((s) =>
        (bySegment.get(s) ?? []).filter((t) => productOf(t) === 'car_loan').map((t) => t.customerId),
      ),
    );
    expect(carLookersElsewhere.size).toBeGreaterThan(10);
    const mixes = bank.customers.filter((c) => c.segment === 'savers').map((c) => c.channelMix.mobilebank);
    expect(Math.min(...mixes)).toBeLessThan(0.5);
  });

  it('come with a true response propensity per product, highest for the product the segment is shopping for', () => {
    for (const segment of DEMO_SEGMENTS) {
      for (const product of DEMO_PRODUCTS) {
        const p = SEGMENT_PROPENSITY[segment][product];
        expect(p).toBeGreaterThan(0);
        expect(p).toBeLessThan(1);
      }
    }
    const best = (segment: DemoSegment) =>
      DEMO_PRODUCTS.reduce((a, b) => (SEGMENT_PROPENSITY[segment][a] >= SEGMENT_PROPENSITY[segment][b] ? a : b));
    expect(best('first-car-buyers')).toBe('car_loan');
    expect(best('home-buyers')).toBe('mortgage');
    expect(best('pre-retirees')).toBe('pension');
    expect(best('savers')).toBe('savings');
    expect(best('active-investors')).toBe('investments');
  });

  it('refuses options that make no bank', () => {
    expect(() => generateDemoBank({ now: NOW, customers: -1 })).toThrow(/customers/);
    expect(() => generateDemoBank({ now: NOW, customers: 2.5 })).toThrow(/customers/);
    expect(() => generateDemoBank({ now: NOW, months: 0 })).toThrow(/months/);
    expect(() => generateDemoBank({ now: new Date('not a date') })).toThrow(/now/);
    expect(generateDemoBank({ now: NOW, customers: 0 })).toEqual({ customers: [], touchpoints: [] });
  });
});

describe('the customers on the demo login screen', () => {
  it('are six different customers in six different situations, none vulnerable or in arrears', () => {
    const featured = featuredDemoCustomers(bank);
    expect(featured).toHaveLength(6);
    expect(new Set(featured.map((c) => c.id)).size).toBe(6);
    expect(new Set(featured.map((c) => c.segment)).size).toBe(6);
    for (const customer of featured) {
      expect(customer.flags).toEqual({ vulnerable: false, arrears: false });
      expect(customer.situation.da.length).toBeGreaterThan(10);
      expect(customer.situation.en.length).toBeGreaterThan(10);
      const { situation: _, ...asGenerated } = customer;
      expect(bank.customers.find((c) => c.id === customer.id)).toStrictEqual(asGenerated);
    }
    expect(featuredDemoCustomers(generateDemoBank({ now: NOW }))).toStrictEqual(featured);
  });

  it('start the story with a customer who has never shown any car-loan interest', () => {
    const [first] = featuredDemoCustomers(bank);
    expect(first).toBeDefined();
    const history = bank.touchpoints.filter((t) => t.customerId === first?.id);
    expect(history.length).toBeGreaterThan(0);
    expect(history.filter((t) => productOf(t) === 'car_loan')).toEqual([]);
    expect(first?.productsHeld).not.toContain('car_loan');
  });

  it('see no car-loan offer on the dashboard first, and one after pricing a car loan, when the first logs in', () => {
    const [first] = featuredDemoCustomers(bank);
    if (!first) throw new Error('no featured customer');
    const history = bank.touchpoints.filter((t) => t.customerId === first.id).map(({ customerId: _, ...t }) => t);
    const seeded = { ...EMPTY_PROFILE, productsHeld: [...first.productsHeld] };
    const heroFor = (touchpoints: ProfileTouchpoint[]) =>
      decide({
        catalog,
        profile: applyTouchpoints(seeded, touchpoints, catalog.productOfPage),
        context: { channel: 'netbank', page: '/dashboard', locale: 'da' },
        placements: ['dashboard-hero'],
        now: NOW,
      })[0]?.offer;

    expect(heroFor(history)?.product).not.toBe('car_loan');
    const afterPricing = heroFor([
      ...history,
      {
        type: 'calculator_used',
        occurredAt: NOW.toISOString(),
        channel: 'netbank',
        product: 'car_loan',
        page: '/loans/car',
      },
    ]);
    expect(afterPricing?.product).toBe('car_loan');
  });

  it('include a customer who started a car-loan application and did not finish it', () => {
    const starter = featuredDemoCustomers(bank).find((c) => c.segment === 'first-car-buyers');
    const carSteps = new Set(
      bank.touchpoints.filter((t) => t.customerId === starter?.id && productOf(t) === 'car_loan').map((t) => t.type),
    );
    expect(carSteps.has('application_started')).toBe(true);
    expect(carSteps.has('application_submitted')).toBe(false);
  });

  it('still start with a customer without car-loan interest in a small bank, or not at all', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const small = generateDemoBank({ now: NOW, seed, customers: 12 });
      const [first] = featuredDemoCustomers(small);
      if (!first) continue;
      expect(small.touchpoints.some((t) => t.customerId === first.id && productOf(t) === 'car_loan')).toBe(false);
      expect(first.productsHeld).not.toContain('car_loan');
    }
  });
});

describe('the demo bank’s seeded random numbers', () => {
  it('repeat for the same seed and differ for another', () => {
    const draw = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(43)).not.toEqual(draw(42));
  });

  it('stay within bounds and follow their weights', () => {
    const random = createRandom(9);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 20_000; i++) {
      const n = random.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
      counts[
        random.weighted([
          ['a', 1],
          ['b', 3],
          ['c', 0],
        ] as const)
      ]++;
    }
    expect(counts.c).toBe(0);
    expect(counts.b / counts.a).toBeGreaterThan(2.7);
    expect(counts.b / counts.a).toBeLessThan(3.3);
    const normals = Array.from({ length: 20_000 }, () => random.normal(10, 2));
    const mean = normals.reduce((a, b) => a + b, 0) / normals.length;
    const sd = Math.sqrt(normals.reduce((a, b) => a + (b - mean) ** 2, 0) / normals.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeCloseTo(2, 1);
  });

  it('refuse to pick from nothing', () => {
    const random = createRandom(1);
    expect(() => random.pick([])).toThrow(/empty/);
    expect(() => random.weighted([['a', 0]])).toThrow(/positive weight/);
  });

  it('make version-4 UUIDs', () => {
    const random = createRandom(5);
    const ids = Array.from({ length: 1_000 }, () => random.uuid());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
