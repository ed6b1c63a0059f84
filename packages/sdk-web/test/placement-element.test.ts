import type { PlacementDecision } from '@touchpoint/decision-api/contract';
import { delay, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { definePlacementElement } from '../src/elements/index.js';
import type { ClientOptions } from '../src/types.js';
import { decision, offer, settle, testDevice } from './support/api.js';
import { stubViewport } from './support/viewport.js';

const device = testDevice();
const { api } = device;

let defined = 0;

/** A page with the element defined for a client, and a <tp-placement> on it. */
function page(attributes: Record<string, string>, options: Partial<ClientOptions> = {}) {
  const client = device.client(options);
  const tagName = `tp-placement-${++defined}`;
  definePlacementElement(client, { tagName });
  const element = document.createElement(tagName);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  const events: CustomEvent[] = [];
  for (const type of ['tp-decision', 'tp-click', 'tp-dismiss']) {
    element.addEventListener(type, (event) => events.push(event as CustomEvent));
  }
  document.body.replaceChildren(element);
  const banner = () => element.shadowRoot?.querySelector<HTMLElement>('[role="region"]') ?? null;
  return { client, element, events, banner };
}

const hero = { name: 'dashboard-hero', width: '960', height: '240' };

/** Clicks the offer's link; says whether the browser would then navigate. */
function clickLink(region: HTMLElement): boolean {
  let navigates = false;
  const onClick = (event: Event) => {
    navigates = !event.defaultPrevented;
    // The test page itself stays where it is.
    event.preventDefault();
  };
  window.addEventListener('click', onClick);
  region.querySelector<HTMLAnchorElement>('a.tp-cta')?.click();
  window.removeEventListener('click', onClick);
  return navigates;
}

async function bannerOf(element: { banner: () => HTMLElement | null }): Promise<HTMLElement> {
  await vi.waitFor(() => expect(element.banner()).not.toBeNull());
  return element.banner() as HTMLElement;
}

describe('<tp-placement>', () => {
  it('reserves its size as soon as it is on the page, before any decision arrives', async () => {
    api.nextDecisions(async (request) => {
      await delay(200);
      return HttpResponse.json({ decisions: request.placements.map((name) => decision(name)) });
    });
    const { element, banner } = page(hero);
    expect(element.style.display).toBe('block');
    expect(element.style.height).toBe('240px');
    expect(element.style.maxWidth).toBe('960px');
    expect(element.style.width).toBe('100%');
    expect(element.getAttribute('aria-hidden')).toBe('true');
    expect(banner()).toBeNull();
    await bannerOf({ banner });
    expect(element.style.height).toBe('240px');
  });

  it('renders the offer banner in its shadow root with the agreed, accessible markup', async () => {
    const decided = decision('dashboard-hero');
    api.nextDecisions(() => HttpResponse.json({ decisions: [decided] }));
    const placement = page(hero);
    const region = await bannerOf(placement);

    expect(placement.element.shadowRoot?.mode).toBe('open');
    expect(placement.element.hasAttribute('aria-hidden')).toBe(false);
    expect(region.getAttribute('aria-label')).toBe('What will your next car cost a month?');
    expect(region.dataset.offerId).toBe('car-loan-calculator');
    expect(region.dataset.decisionId).toBe(decided.decisionId);
    expect(region.className).toBe('tp-banner');
    expect(region.querySelector('h2.tp-headline')?.textContent).toBe('What will your next car cost a month?');
    expect(region.querySelector('p.tp-body')?.textContent).toBe(
      'Work out the monthly payment on a car loan in two minutes.',
    );
    const cta = region.querySelector<HTMLAnchorElement>('a.tp-cta');
    expect(cta?.getAttribute('href')).toBe('/loans/car?calculator=1');
    expect(cta?.textContent).toBe('Price your car loan');
    const image = region.querySelector('img');
    expect(image?.getAttribute('alt')).toBe('A small green car');
    expect(image?.getAttribute('width')).toBe('160');
    expect(image?.getAttribute('height')).toBe('120');
    const dismiss = region.querySelector('button.tp-dismiss');
    expect(dismiss?.getAttribute('type')).toBe('button');
    expect(dismiss?.getAttribute('aria-label')).toBe('Dismiss offer');
    expect(region.querySelector('details.tp-why summary')?.textContent).toBe('Why am I seeing this?');
    expect(region.querySelector('details.tp-why p')?.textContent).toBe('You recently priced a car loan.');
    expect(placement.events.map((event) => [event.type, event.detail])).toEqual([['tp-decision', decided]]);
  });

  describe('why am I seeing this?', () => {
    /** Opens the disclosure as a click on its summary (or Enter on it) does. */
    const open = (region: HTMLElement) => {
      const details = region.querySelector<HTMLDetailsElement>('details.tp-why');
      if (!details) throw new Error('no disclosure');
      details.open = true;
      details.dispatchEvent(new Event('toggle'));
    };
    const whyText = (region: HTMLElement) => region.querySelector('details.tp-why > div')?.textContent;

    it('opening it fetches the explanation with the customer token and shows it in the banner, once per decision', async () => {
      const decided = decision('dashboard-hero');
      const why = `https://touchpoint.bank.test/v1/me/decisions/${decided.decisionId}/why`;
      api.nextDecisions(() => HttpResponse.json({ decisions: [{ ...decided, why }] }));
      const placement = page(hero, { getCustomerToken: () => 'header.payload.signature' });
      const region = await bannerOf(placement);
      const content = region.querySelector('details.tp-why > div');
      // Reachable by keyboard when it scrolls, and read out when the explanation replaces the short reason.
      expect(content?.getAttribute('tabindex')).toBe('0');
      expect(content?.getAttribute('aria-live')).toBe('polite');
      expect(api.whyRequests).toEqual([]);

      open(region);
      await vi.waitFor(() => expect(whyText(region)).toContain('You are comparing prices of car loan.'));
      expect(
        [...region.querySelectorAll('details.tp-why p, details.tp-why li')].map((node) => node.textContent),
      ).toEqual([
        'You recently priced a car loan.',
        'You are comparing prices of car loan.',
        'You used the car loan calculator.',
        'You can turn personalised offers off under Privacy.',
      ]);
      expect(api.whyRequests.map((request) => request.url.href)).toEqual([why]);
      expect(api.whyRequests[0]?.headers.get('authorization')).toBe('Bearer header.payload.signature');

      open(region);
      await settle();
      expect(api.whyRequests).toHaveLength(1);
    });

    it('without an explanation to fetch (anonymous), it shows the decision’s reason and asks nothing', async () => {
      api.nextDecisions(() => HttpResponse.json({ decisions: [decision('dashboard-hero')] }));
      const region = await bannerOf(page(hero));
      open(region);
      await settle();
      expect(whyText(region)).toBe('You recently priced a car loan.');
      expect(api.whyRequests).toEqual([]);
    });

    it('an explanation that fails or is malformed leaves the reason in place and breaks nothing', async () => {
      const decided = decision('dashboard-hero');
      const why = `https://touchpoint.bank.test/v1/me/decisions/${decided.decisionId}/why`;
      api.nextDecisions(() => HttpResponse.json({ decisions: [{ ...decided, why }] }));
      api.nextWhy(() => HttpResponse.json({ reason: { html: '<b>x</b>' }, touchpoints: 'many', optOut: 42 }));
      const placement = page(hero, { getCustomerToken: () => 'a.b.c' });
      const region = await bannerOf(placement);
      open(region);
      await vi.waitFor(() => expect(api.whyRequests).toHaveLength(1));
      await settle();
      expect(whyText(region)).toBe('You recently priced a car loan.');
      expect(region.querySelector('details.tp-why b')).toBeNull();
    });
  });

  it('speaks Danish for a Danish offer', async () => {
    api.nextDecisions(() =>
      HttpResponse.json({ decisions: [decision('dashboard-hero', { offer: offer({ locale: 'da' }) })] }),
    );
    const region = await bannerOf(page(hero));
    expect(region.querySelector('button.tp-dismiss')?.getAttribute('aria-label')).toBe('Luk tilbud');
    expect(region.getAttribute('lang')).toBe('da');
    expect(region.querySelector('summary')?.textContent).toBe('Hvorfor ser jeg dette?');
  });

  it('styles itself with a constructable stylesheet (no inline <style>, fine under a strict CSP)', async () => {
    const placement = page(hero);
    await bannerOf(placement);
    const root = placement.element.shadowRoot as ShadowRoot;
    expect(root.querySelector('style')).toBeNull();
    expect(root.adoptedStyleSheets).toHaveLength(1);
    const rules = [...(root.adoptedStyleSheets[0]?.cssRules ?? [])].map((rule) => rule.cssText).join('\n');
    expect(rules).toContain('.tp-banner');
    expect(rules).toContain(':focus-visible');
  });

  it('a decision to show nothing keeps the reserved box, empty and hidden from screen readers', async () => {
    api.nextDecisions(() => HttpResponse.json({ decisions: [decision('dashboard-hero', { offer: null })] }));
    const placement = page(hero);
    await vi.waitFor(() => expect(placement.events).toHaveLength(1));
    expect(placement.banner()).toBeNull();
    expect(placement.element.getAttribute('aria-hidden')).toBe('true');
    expect(placement.element.style.height).toBe('240px');
  });

  it('counts a viewable impression once per decision: half of it on screen for a full second', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const viewport = stubViewport();
    const placement = page(hero);
    const region = await bannerOf(placement);

    viewport.show(placement.element, 0.6);
    await vi.advanceTimersByTimeAsync(500);
    viewport.show(placement.element, 0.3);
    await vi.advanceTimersByTimeAsync(1000);
    await placement.client.flush();
    expect(api.batches).toHaveLength(0);

    viewport.show(placement.element, 0.5);
    await vi.advanceTimersByTimeAsync(1000);
    viewport.show(placement.element, 1);
    await vi.advanceTimersByTimeAsync(2000);
    await placement.client.flush();
    const tracked = api.batches.flatMap((batch) => batch.body.touchpoints);
    expect(tracked).toEqual([
      expect.objectContaining({
        type: 'offer_impression',
        placement: 'dashboard-hero',
        offer: 'car-loan-calculator',
        decisionId: region.dataset.decisionId,
        product: 'car_loan',
      }),
    ]);
    expect(viewport.watching(placement.element)).toBe(0);
  });

  it('a hidden tab does not count as seen', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const viewport = stubViewport();
    const placement = page(hero);
    await bannerOf(placement);
    viewport.show(placement.element, 1);
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(3000);
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    await placement.client.flush();
    expect(api.batches).toHaveLength(0);

    // Back in view, the second starts again.
    await vi.advanceTimersByTimeAsync(1000);
    await placement.client.flush();
    expect(api.batches.flatMap((batch) => batch.body.touchpoints).map((item) => item.type)).toEqual([
      'offer_impression',
    ]);
  });

  it('a click on the offer is tracked and the link then works as a link', async () => {
    const placement = page(hero);
    const region = await bannerOf(placement);
    expect(clickLink(region)).toBe(true);
    expect(placement.events.map((event) => event.type)).toEqual(['tp-decision', 'tp-click']);
    await placement.client.flush();
    expect(api.batches[0]?.body.touchpoints).toEqual([
      expect.objectContaining({
        type: 'offer_click',
        placement: 'dashboard-hero',
        decisionId: region.dataset.decisionId,
      }),
    ]);
  });

  it('a host that routes links itself cancels tp-click and the browser does not navigate', async () => {
    const placement = page(hero);
    const region = await bannerOf(placement);
    placement.element.addEventListener('tp-click', (event) => event.preventDefault());
    expect(clickLink(region)).toBe(false);
  });

  it('a customer who dismisses an offer sees the next decision, asked for after the dismissal reached the API', async () => {
    const first = decision('dashboard-hero');
    const next = decision('dashboard-hero', {
      offer: offer({ offerId: 'pension-check', headline: 'Is your pension on track?' }),
    });
    api.nextDecisions(
      () => HttpResponse.json({ decisions: [first] }),
      () => HttpResponse.json({ decisions: [next] }),
    );
    const placement = page(hero);
    const region = await bannerOf(placement);
    region.querySelector<HTMLButtonElement>('button.tp-dismiss')?.click();

    expect(placement.banner()).toBeNull();
    expect(placement.element.style.height).toBe('240px');
    await vi.waitFor(() => expect(placement.banner()?.dataset.offerId).toBe('pension-check'));
    expect(api.order).toEqual(['/v1/decisions', '/v1/touchpoints', '/v1/decisions']);
    expect(api.batches[0]?.body.touchpoints).toEqual([
      expect.objectContaining({ type: 'offer_dismiss', offer: 'car-loan-calculator', decisionId: first.decisionId }),
    ]);
    expect(placement.events.map((event) => [event.type, (event.detail as PlacementDecision).decisionId])).toEqual([
      ['tp-decision', first.decisionId],
      ['tp-dismiss', first.decisionId],
      ['tp-decision', next.decisionId],
    ]);
  });

  it('a new name asks for that placement; a new size only changes the box', async () => {
    const placement = page(hero);
    await bannerOf(placement);
    placement.element.setAttribute('height', '180');
    expect(placement.element.style.height).toBe('180px');
    expect(api.decisionRequests).toHaveLength(1);
    placement.element.setAttribute('name', 'product-sidebar');
    await vi.waitFor(() => expect(api.decisionRequests).toHaveLength(2));
    expect(api.decisionRequests[1]?.body.placements).toEqual(['product-sidebar']);
  });

  it('taken off the page, it stops watching and renders nothing more', async () => {
    const viewport = stubViewport();
    const placement = page(hero);
    await bannerOf(placement);
    expect(viewport.watching(placement.element)).toBe(1);
    placement.element.remove();
    expect(viewport.watching(placement.element)).toBe(0);
    expect(placement.banner()).toBeNull();
  });

  it('an element already on the page when the element is defined is upgraded with one decision', async () => {
    const tagName = `tp-placement-${++defined}`;
    const element = document.createElement(tagName);
    element.setAttribute('name', 'dashboard-hero');
    element.setAttribute('height', '240');
    const decided: unknown[] = [];
    element.addEventListener('tp-decision', (event) => decided.push((event as CustomEvent).detail));
    document.body.replaceChildren(element);
    const client = device.client();
    const deciding = vi.spyOn(client, 'decide');
    definePlacementElement(client, { tagName });
    expect(element.style.height).toBe('240px');
    await vi.waitFor(() => expect(element.shadowRoot?.querySelectorAll('[role="region"]')).toHaveLength(1));
    await settle();
    expect(deciding).toHaveBeenCalledTimes(1);
    expect(decided).toHaveLength(1);
  });

  it('without a name it only reserves its box', async () => {
    const placement = page({ width: '300', height: '360' });
    await settle();
    expect(placement.element.style.height).toBe('360px');
    expect(api.decisionRequests).toHaveLength(0);
  });

  it('defining the element twice, or outside a browser, is harmless', () => {
    const client = device.client();
    definePlacementElement(client, { tagName: 'tp-twice' });
    expect(() => definePlacementElement(client, { tagName: 'tp-twice' })).not.toThrow();
  });
});
