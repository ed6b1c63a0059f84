import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Catalog, type CatalogInput, JOURNEY_STAGES, type Offer } from '../src/contract/index.js';
import { compileCatalog } from '../src/domain/catalog.js';

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
    expect(Catalog.safeParse(withCta(url)).success).toBe(true);
  });
});
