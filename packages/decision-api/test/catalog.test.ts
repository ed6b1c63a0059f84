import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Catalog, type CatalogInput, DEFAULT_JOURNEY, JOURNEY_STAGES, type Offer } from '../src/contract/index.js';
import { compileCatalog } from '../src/domain/decision/catalog.js';

const seedDir = new URL('../seed/', import.meta.url);
const raw: CatalogInput = JSON.parse(readFileSync(new URL('catalog.json', seedDir), 'utf8'));
const catalog = Catalog.parse(raw);
const { productOfPage } = compileCatalog(catalog);
const productOffers = catalog.offers.filter((o) => o.product !== null);
const houseOffers = catalog.offers.filter((o) => o.product === null);
const STAGES_BEFORE_USE = JOURNEY_STAGES.filter((stage) => stage !== 'use');

/** The offer image a URL points at in the seed folder, as the Node server serves /static/offers/*. */
const imageFile = (url: string) => new URL(`images/${url.replace(/^\/static\/offers\//, '')}`, seedDir);

/**
 * Checks that an SVG document is well-formed XML with one <svg> root: every tag closed in order, attributes quoted,
 * no stray markup, and only known entities. Returns the first problem, or null.
 */
function xmlProblem(text: string): string | null {
  const token =
    /<!--[\s\S]*?-->|<\?xml[^>]*\?>|<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z][\w:.-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/g;
  const stack: string[] = [];
  let roots = 0;
  let last = 0;
  for (const match of text.matchAll(token)) {
    const between = text.slice(last, match.index);
    if (/[<>]/.test(between)) return `stray markup before offset ${match.index}`;
    if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(between)) return 'a bare "&"';
    last = match.index + match[0].length;
    const [, closing, name, attributes = '', selfClosing] = match;
    if (!name) continue;
    const attributeNames = [...attributes.matchAll(/([A-Za-z][\w:.-]*)\s*=/g)].map((m) => m[1]);
    if (new Set(attributeNames).size !== attributeNames.length) return `<${name}> repeats an attribute`;
    if (closing) {
      if (stack.pop() !== name) return `</${name}> does not close the open element`;
    } else {
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(name);
    }
  }
  if (text.slice(last).trim() !== '') return 'text after the root element';
  if (stack.length > 0) return `<${stack.at(-1)}> is never closed`;
  return roots === 1 ? null : `${roots} root elements`;
}

describe('the demo bank’s catalog', () => {
  it('is valid against the contract', () => {
    expect(catalog.version).toBe('2026-11-demo-1');
    expect(catalog.offers.length).toBeGreaterThanOrEqual(15);
  });

  it('sells the six products of the example net bank, each on its own page', () => {
    expect(catalog.products.map((p) => [p.id, p.page])).toEqual([
      ['car_loan', '/loans/car'],
      ['mortgage', '/mortgage'],
      ['pension', '/pension'],
      ['savings', '/savings'],
      ['home_insurance', '/insurance/home'],
      ['investments', '/investments'],
    ]);
    for (const product of catalog.products) expect(product.name.da).not.toBe('');
  });

  it('has the three placements with their channels and sizes', () => {
    expect(catalog.placements.map((p) => [p.id, p.channels, p.size])).toEqual([
      ['dashboard-hero', ['netbank'], { width: 960, height: 240 }],
      ['product-sidebar', ['netbank'], { width: 300, height: 360 }],
      ['mobile-home-card', ['mobilebank'], { width: 343, height: 180 }],
    ]);
  });

  it('says every offer in Danish and English, short enough for the smallest placement', () => {
    for (const offer of catalog.offers) {
      const { da, en } = offer.content;
      for (const content of [da, en]) {
        expect(content.headline.length, `${offer.id} headline`).toBeLessThanOrEqual(60);
        expect(content.body.length, `${offer.id} body`).toBeLessThanOrEqual(160);
        expect(content.ctaLabel.length, `${offer.id} CTA`).toBeLessThanOrEqual(24);
      }
      expect(da.headline).not.toBe(en.headline);
      expect(da.body).not.toBe(en.body);
      expect(da.ctaUrl).toBe(en.ctaUrl);
      expect(da.image?.url).toBe(en.image?.url);
    }
  });

  it('has, for each product, one offer for every stage from first interest to signing, besides triggered ones', () => {
    for (const product of catalog.products) {
      const offers = productOffers.filter((o) => o.product === product.id && !o.triggeredOnly);
      expect(offers.length, product.id).toBeGreaterThanOrEqual(2);
      expect(offers.length, product.id).toBeLessThanOrEqual(3);
      for (const stage of STAGES_BEFORE_USE) {
        expect(
          offers.filter((o) => o.stages.includes(stage)).map((o) => o.id),
          `${product.id} at ${stage}`,
        ).toHaveLength(1);
      }
    }
  });

  it('has one house offer per placement that any customer may see', () => {
    for (const placement of catalog.placements) {
      const house = houseOffers.filter((o) => o.placements.includes(placement.id));
      expect(house, placement.id).toHaveLength(1);
      expect(house[0]?.stages).toEqual([]);
      expect(house[0]?.channels).toEqual(placement.channels);
    }
  });

  it('offers each product in every placement, in the channels those placements serve', () => {
    const served = (offer: Offer) =>
      new Set(offer.placements.flatMap((id) => catalog.placements.find((p) => p.id === id)?.channels ?? []));
    for (const offer of catalog.offers) {
      expect([...served(offer)].sort(), offer.id).toEqual([...offer.channels].sort());
    }
    for (const offer of productOffers) expect(offer.placements.length, offer.id).toBe(catalog.placements.length);
  });

  it('marks loans as credit, and values a conversion by what it is worth to the bank', () => {
    for (const offer of catalog.offers) {
      expect(offer.credit, offer.id).toBe(offer.product === 'car_loan' || offer.product === 'mortgage');
      expect(offer.lever).toBe(1);
    }
    const value = (product: string | null) => {
      const values = new Set(catalog.offers.filter((o) => o.product === product).map((o) => o.value));
      expect(values.size, String(product)).toBe(1);
      return [...values][0] as number;
    };
    const ranked = ['mortgage', 'car_loan', 'pension', 'investments', 'home_insurance', 'savings', null].map(value);
    expect(ranked).toEqual([...ranked].sort((a, b) => b - a));
    expect(new Set(ranked).size).toBe(ranked.length);
    expect(value(null)).toBe(1);
  });

  it('links each call to action to a page of the example net bank: the offer’s own product page, or the start page', () => {
    const pages = new Set(['/', '/dashboard', ...catalog.products.map((p) => p.page)]);
    for (const offer of catalog.offers) {
      const url = offer.content.en.ctaUrl;
      expect(url, offer.id).toMatch(/^\/(?!\/)[\w\-/.]*(\?[\w=&-]*)?$/);
      const [path = ''] = url.split('?');
      expect(pages.has(path), offer.id).toBe(true);
      if (offer.product !== null) expect(productOfPage(path), offer.id).toBe(offer.product);
    }
  });

  it('shows only small, well-formed, self-contained SVG images that exist, with alt text', () => {
    const used = new Set<string>();
    for (const offer of catalog.offers) {
      for (const content of [offer.content.da, offer.content.en]) {
        if (!content.image) continue;
        expect(content.image.url, offer.id).toMatch(/^\/static\/offers\/[a-z0-9-]+\.svg$/);
        expect(content.image.alt.length, offer.id).toBeGreaterThan(5);
        used.add(content.image.url);
      }
    }
    expect(used.size).toBeGreaterThanOrEqual(6);
    for (const url of used) {
      const file = imageFile(url);
      expect(existsSync(file), url).toBe(true);
      expect(statSync(file).size, url).toBeLessThan(2_048);
      const svg = readFileSync(file, 'utf8');
      expect(xmlProblem(svg), url).toBeNull();
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
      expect(svg, url).not.toMatch(/<script|<foreignObject|\son[a-z]+\s*=|href\s*=|url\(\s*['"]?(?!#)|@import/i);
    }
    const files = readdirSync(new URL('images/', seedDir)).map((name) => `/static/offers/${name}`);
    expect(files.sort()).toEqual([...used].sort());
  });

  it('would be refused with an offer for an unknown product or placement', () => {
    const broken = structuredClone(raw);
    const [first, second] = broken.offers;
    if (!first || !second) throw new Error('the catalog needs offers');
    first.product = 'yacht_loan';
    second.placements = ['login-splash'];
    const result = Catalog.safeParse(broken);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('/'))).toEqual(['offers/0/product', 'offers/1/placements/0']);
  });
});

describe('the well-formedness check for offer images', () => {
  it.each([
    ['an unclosed element', '<svg viewBox="0 0 1 1"><g></svg>'],
    ['crossed elements', '<svg viewBox="0 0 1 1"><g><rect></g></rect></svg>'],
    ['an unquoted attribute', '<svg viewBox=0><rect/></svg>'],
    ['two roots', '<svg></svg><svg></svg>'],
    ['a bare ampersand', '<svg><text>A & B</text></svg>'],
  ])('finds %s', (_, svg) => {
    expect(xmlProblem(svg)).not.toBeNull();
  });

  it('accepts a small valid drawing', () => {
    expect(
      xmlProblem('<?xml version="1.0"?>\n<svg viewBox="0 0 1 1"><!-- a dot --><circle r="1"/></svg>\n'),
    ).toBeNull();
  });
});

describe('content links in a catalog', () => {
  const withCta = (ctaUrl: string) => {
    const offer = catalog.offers[0]!;
    return {
      ...catalog,
      offers: [{ ...offer, content: { ...offer.content, en: { ...offer.content.en, ctaUrl } } }],
      triggers: [],
    };
  };

  it.each([
    'javascript:alert(1)',
    '//evil.example/x',
    'data:text/html,hi',
    'http://bank.example/',
    'JAVASCRIPT:alert(1)',
  ])('refuses a call to action to %s', (url) => {
    const result = Catalog.safeParse(withCta(url));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['offers', 0, 'content', 'en', 'ctaUrl']);
  });

  it.each(['/loans/car?apply=1', 'https://www.bank.example/loans'])('accepts a call to action to %s', (url) => {
    expect(Catalog.safeParse({ ...withCta(url), contentHosts: ['www.bank.example'] }).success).toBe(true);
  });

  it('refuses an https call to action or image on a host the catalog does not allow', () => {
    const offer = catalog.offers[0]!;
    const result = Catalog.safeParse({
      ...catalog,
      contentHosts: ['www.bank.example'],
      offers: [
        {
          ...offer,
          content: {
            ...offer.content,
            da: { ...offer.content.da, ctaUrl: 'https://evil.example/loans' },
            en: { ...offer.content.en, image: { url: 'https://cdn.evil.example/x.png', alt: 'x' } },
          },
        },
      ],
      triggers: [],
    });
    expect(result.error?.issues.map((issue) => `${issue.path.join('/')}: ${issue.message}`)).toEqual([
      `offers/0/content/da/ctaUrl: host "evil.example" is not one of the catalog's contentHosts`,
      `offers/0/content/en/image/url: host "cdn.evil.example" is not one of the catalog's contentHosts`,
    ]);
    expect(Catalog.safeParse(withCta('https://www.bank.example/loans')).success).toBe(false);
  });
});

describe('journeys and in-app triggers in a catalog', () => {
  const issues = (input: unknown) =>
    (Catalog.safeParse(input).error?.issues ?? []).map((issue) => `${issue.path.join('/')}: ${issue.message}`);
  const withProduct = (index: number, change: Record<string, unknown>) => {
    const broken = structuredClone(raw) as { products: Array<Record<string, unknown>> };
    broken.products[index] = { ...broken.products[index], ...change };
    return broken;
  };
  const withTrigger = (change: Record<string, unknown>) => {
    const broken = structuredClone(raw) as { triggers: Array<Record<string, unknown>> };
    broken.triggers[0] = { ...broken.triggers[0], ...change };
    return broken;
  };

  it('gives every product the default journey when the catalog names none: six stages, a partner visit makes aware', () => {
    for (const product of catalog.products) expect(product.journey, product.id).toEqual(DEFAULT_JOURNEY);
    expect(DEFAULT_JOURNEY.decayDays).toBe(30);
    expect(DEFAULT_JOURNEY.rules).toContainEqual({ on: 'external_visit', to: 'aware' });
    expect(DEFAULT_JOURNEY.rules).toContainEqual({ on: 'calculator_used', to: 'compare' });
    expect(new Set(DEFAULT_JOURNEY.rules.map((rule) => rule.to))).toEqual(new Set(JOURNEY_STAGES));
  });

  it('accepts a product’s own journey rules and fading, or none at all', () => {
    const own = { rules: [{ on: 'calculator_used', to: 'explore' }], decayDays: 7 };
    expect(Catalog.parse(withProduct(2, { journey: own })).products[2]?.journey).toEqual(own);
    const never = { rules: DEFAULT_JOURNEY.rules, decayDays: null };
    expect(Catalog.parse(withProduct(0, { journey: never })).products[0]?.journey.decayDays).toBeNull();
  });

  it.each([
    [{ rules: [{ on: 'calculator_used', to: 'shortlist' }], decayDays: 30 }, 'products/1/journey/rules/0/to'],
    [{ rules: [{ on: 'brochure_read', to: 'aware' }], decayDays: 30 }, 'products/1/journey/rules/0/on'],
    [{ rules: [{ on: 'calculator_used', to: 'compare' }], decayDays: 0 }, 'products/1/journey/decayDays'],
    [{ rules: [{ on: 'calculator_used', to: 'compare' }], decayDays: 2.5 }, 'products/1/journey/decayDays'],
    [{ rules: [] }, 'products/1/journey/decayDays'],
    [{ rules: [{ on: 'calculator_used', to: 'compare', weight: 2 }], decayDays: 30 }, 'products/1/journey/rules/0'],
  ])('refuses the journey %j, naming %s', (journey, path) => {
    const found = issues(withProduct(1, { journey }));
    expect(found.map((issue) => issue.split(':')[0])).toContain(path);
  });

  it('refuses two rules on one touchpoint type', () => {
    const journey = { rules: [...DEFAULT_JOURNEY.rules, { on: 'calculator_used', to: 'apply' }], decayDays: 30 };
    expect(issues(withProduct(2, { journey }))).toEqual([
      `products/2/journey/rules/${DEFAULT_JOURNEY.rules.length}/on: "calculator_used" already has a rule: one rule per touchpoint type`,
    ]);
  });

  it('has the application reminder after one day and the incentive after three, for car loans and mortgages', () => {
    expect(catalog.triggers.map((t) => [t.id, t.product, t.after, t.afterDays, t.offer])).toEqual([
      ['car-loan-application-reminder', 'car_loan', 'application_started', 1, 'car-loan-continue'],
      ['car-loan-application-incentive', 'car_loan', 'application_started', 3, 'car-loan-finish-incentive'],
      ['mortgage-application-reminder', 'mortgage', 'application_started', 1, 'mortgage-continue'],
      ['mortgage-application-help', 'mortgage', 'application_started', 3, 'mortgage-finish-help'],
    ]);
    for (const trigger of catalog.triggers) {
      expect(trigger.unless).toEqual(['application_submitted', 'application_completed']);
    }
    const incentives = catalog.offers.filter((offer) => offer.triggeredOnly).map((offer) => offer.id);
    expect(incentives).toEqual(['car-loan-finish-incentive', 'mortgage-finish-help']);
  });

  it.each([
    [{ product: 'yacht_loan' }, 'triggers/0/product: unknown product "yacht_loan"'],
    [{ offer: 'no-such-offer' }, 'triggers/0/offer: unknown offer "no-such-offer"'],
    [
      { offer: 'mortgage-continue' },
      'triggers/0/offer: "mortgage-continue" is an offer for mortgage, not for car_loan',
    ],
    [
      { offer: 'house-savings-goal' },
      'triggers/0/offer: "house-savings-goal" is an offer for no product, not for car_loan',
    ],
    [{ after: 'application_abandoned' }, 'triggers/0/after'],
    [{ unless: ['application_started'] }, 'triggers/0/unless/0: must differ from `after`'],
    [{ unless: ['brochure_read'] }, 'triggers/0/unless/0'],
    [{ afterDays: -1 }, 'triggers/0/afterDays'],
    [{ id: 'car-loan-application-incentive' }, 'triggers/1/id: duplicate trigger "car-loan-application-incentive"'],
  ])('refuses the trigger change %j: %s', (change, expected) => {
    const found = issues(withTrigger(change));
    expect(found.some((issue) => issue === expected || issue.split(':')[0] === expected)).toBe(true);
  });

  it('refuses a trigger on a touchpoint its product’s journey never keeps', () => {
    const noRule = withProduct(0, { journey: { rules: [{ on: 'page_view', to: 'aware' }], decayDays: 30 } });
    const found = issues(noRule);
    expect(found).toContain(
      'triggers/0/after: car_loan\'s journey has no rule on "application_started", so such a touchpoint is never kept on its journey',
    );
    expect(found).toContain(
      'triggers/0/unless/1: car_loan\'s journey has no rule on "application_completed", so such a touchpoint is never kept on its journey',
    );
  });

  it('refuses an offer shown only by triggers that no trigger names', () => {
    const broken = structuredClone(raw) as { triggers: unknown[] };
    broken.triggers = [];
    expect(issues(broken)).toEqual([
      'offers/3/triggeredOnly: no trigger names this offer, so it could never be shown',
      'offers/7/triggeredOnly: no trigger names this offer, so it could never be shown',
    ]);
  });

  it('keeps catalogs without journeys or triggers valid, as they were stored before', () => {
    const before = structuredClone(raw) as Record<string, unknown> & { offers: Array<Record<string, unknown>> };
    delete before.triggers;
    before.offers = before.offers.filter((offer) => !offer.triggeredOnly);
    const parsed = Catalog.parse(before);
    expect(parsed.triggers).toEqual([]);
    expect(parsed.products.every((product) => product.journey.decayDays === 30)).toBe(true);
  });
});
