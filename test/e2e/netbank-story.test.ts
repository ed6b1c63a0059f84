import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNER_SECRET } from '../../packages/decision-api/src/config.js';
import { openStore } from '../../packages/decision-api/src/store/open.js';
import { launchChromium, readQueuedIds } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

const catalog: { offers: Array<{ id: string; product: string | null }> } = JSON.parse(
  readFileSync(new URL('../../packages/decision-api/seed/catalog.json', import.meta.url), 'utf8'),
);
const productOf = (offerId: string | null) => catalog.offers.find((offer) => offer.id === offerId)?.product ?? null;

interface FeaturedCustomer {
  id: string;
  displayName: string;
  productsHeld: string[];
}

const DAY_MS = 86_400_000;

describe('a customer in the net bank, in Chromium, against the demo started as the README starts it', () => {
  let stack: Stack;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let customers: FeaturedCustomer[];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    ({ browser, close: closeBrowser } = await launchChromium());
    customers = (await (await fetch(`${stack.netbankUrl}/api/customers`)).json()).customers;
  });
  afterAll(async () => {
    await closeBrowser?.();
    await stack?.dispose();
  });

  async function logIn(context: BrowserContext, customer: FeaturedCustomer): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(stack.netbankUrl);
    await page.getByTestId(`login-${customer.id}`).click();
    await page.getByTestId('consent-accept').click();
    await page.waitForURL(/\/dashboard$/);
    return page;
  }

  const hero = (page: Page) => page.locator('.hero-slot [role="region"][data-offer-id]');
  const heroOffer = async (page: Page) => {
    await hero(page).waitFor({ state: 'visible' });
    return hero(page).getAttribute('data-offer-id');
  };
  const waitForHeroOffer = async (page: Page, accept: (offerId: string | null) => boolean, what: string) => {
    await expect
      .poll(
        async () => {
          const offerId = await hero(page)
            .getAttribute('data-offer-id', { timeout: 2_000 })
            .catch(() => null);
          return accept(offerId) ? 'ok' : offerId;
        },
        { timeout: 20_000, message: what },
      )
      .toBe('ok');
    return hero(page).getAttribute('data-offer-id');
  };

  it('shows a car-loan offer after a car-loan price check, and never again once dismissed', async () => {
    const customer = customers[0]!;
    const context = await browser.newContext();
    const page = await logIn(context, customer);

    // The hero keeps its box before and after the decision: no layout shift.
    const box = await page.locator('.hero-slot').boundingBox();
    const first = await heroOffer(page);
    expect(productOf(first)).not.toBe('car_loan');
    expect((await page.locator('.hero-slot').boundingBox())?.height).toBe(box?.height);

    await page.getByTestId('nav-car-loan').click();
    await page.waitForURL(/\/loans\/car/);
    await page.getByTestId('price').fill('250000');
    await page.getByTestId('down-payment').fill('50000');
    await page.getByTestId('years').selectOption('5');
    await page.getByTestId('calculate').click();
    await expect.poll(() => page.getByTestId('calculator-result').textContent()).toMatch(/\d/);

    await page.getByTestId('nav-dashboard').click();
    const carLoanOffer = await waitForHeroOffer(
      page,
      (id) => productOf(id) === 'car_loan',
      'a car-loan offer on the hero',
    );
    await expect.poll(() => hero(page).locator('.tp-cta').getAttribute('href')).toMatch(/^\/loans\/car/);

    await hero(page).locator('.tp-dismiss').click();
    await waitForHeroOffer(page, (id) => id !== null && id !== carLoanOffer, 'another offer after the dismissal');

    await page.reload();
    const afterReload = await heroOffer(page);
    expect(afterReload).not.toBe(carLoanOffer);
    await page.getByTestId('nav-car-loan').click();
    await page.getByTestId('nav-dashboard').click();
    expect(await heroOffer(page)).not.toBe(carLoanOffer);

    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('a customer seen on a car marketplace who priced a car loan sees the car-loan offer, until three impressions in a week meet its cap', async () => {
    // Someone none of the other stories touches, with no car loan.
    const customer = customers.slice(3).find((c) => !c.productsHeld.includes('car_loan'))!;
    expect(customer).toBeDefined();
    const started = Date.now();

    // Three days ago the car marketplace saw the customer on a car's page; its server reports it, signed.
    const body = JSON.stringify({
      touchpoints: [
        {
          id: crypto.randomUUID(),
          customerId: customer.id,
          type: 'external_visit',
          site: 'car-marketplace',
          occurredAt: new Date(started - 3 * DAY_MS - 3_600_000).toISOString(),
          product: 'car_loan',
        },
      ],
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', DEMO_PARTNER_SECRET).update(`${timestamp}.${body}`).digest('hex');
    const reported = await fetch(`${stack.apiUrl}/v1/partner/touchpoints`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-touchpoint-partner': 'car-marketplace',
        'x-touchpoint-timestamp': timestamp,
        'x-touchpoint-signature': `v1=${signature}`,
      },
      body,
    });
    expect(reported.status).toBe(200);
    expect((await reported.json()).accepted).toHaveLength(1);

    /** One visit to the net bank on a day this week: the browser's clock says when, as the device would. */
    const visit = async (
      daysAgo: number,
      act: (page: Page, heroDecisions: Array<string | null>, impressions: readonly string[]) => Promise<void>,
    ) => {
      const context = await browser.newContext();
      // The device's clock stands still at that day's time; its timers run as usual.
      if (daysAgo > 0) await context.clock.setFixedTime(new Date(Date.now() - daysAgo * DAY_MS));
      const impressions: string[] = [];
      // The hero's personalized decisions (consent granted), as the API answered them.
      const heroDecisions: Array<string | null> = [];
      context.on('response', async (response) => {
        if (!response.url().startsWith(`${stack.apiUrl}/v1/decisions`) || response.status() !== 200) return;
        const asked = JSON.parse(response.request().postData() ?? '{}') as { context?: { consent?: string } };
        if (asked.context?.consent !== 'granted') return;
        const { decisions } = (await response.json()) as {
          decisions: Array<{ placement: string; offer: { offerId: string } | null }>;
        };
        const decision = decisions.find((d) => d.placement === 'dashboard-hero');
        if (decision) heroDecisions.push(decision.offer?.offerId ?? null);
      });
      context.on('request', (request) => {
        if (!request.url().startsWith(`${stack.apiUrl}/v1/touchpoints`) || request.method() !== 'POST') return;
        const sent = JSON.parse(request.postData() ?? '{}') as {
          touchpoints?: Array<{ type: string; offer?: string }>;
        };
        for (const t of sent.touchpoints ?? []) if (t.type === 'offer_impression' && t.offer) impressions.push(t.offer);
      });
      const page = await logIn(context, customer);
      await act(page, heroDecisions, impressions);
      // Everything the device noted is delivered before the customer leaves.
      await expect.poll(() => readQueuedIds(page), { timeout: 30_000 }).toEqual([]);
      await context.close();
      return impressions;
    };

    // Three days ago: the visit elsewhere already shows in the net bank; then a price check on the car-loan page.
    const first = await visit(3, async (page, _, impressions) => {
      await waitForHeroOffer(page, (id) => productOf(id) === 'car_loan', 'a car-loan offer after the visit elsewhere');
      await page.getByTestId('nav-car-loan').click();
      await page.waitForURL(/\/loans\/car/);
      await page.getByTestId('price').fill('180000');
      await page.getByTestId('calculate').click();
      await expect.poll(() => page.getByTestId('calculator-result').textContent()).toMatch(/\d/);
      await page.getByTestId('nav-dashboard').click();
      await waitForHeroOffer(page, (id) => id === 'car-loan-quote', 'the car-loan quote after the price check');
      // Seen: at least half of it in view for a second, and the impression sent.
      await expect.poll(() => impressions, { timeout: 30_000 }).toContain('car-loan-quote');
    });
    expect(first).toContain('car-loan-quote');

    // Two more days with a look at the dashboard: the quote is seen each time.
    for (const daysAgo of [2, 1]) {
      const seen = await visit(daysAgo, async (page, _, impressions) => {
        await waitForHeroOffer(page, (id) => id === 'car-loan-quote', `the car-loan quote ${daysAgo} days ago`);
        await expect.poll(() => impressions, { timeout: 30_000 }).toContain('car-loan-quote');
      });
      expect(seen).toContain('car-loan-quote');
    }

    // Today: three impressions this week meet the offer's weekly cap; the hero shows something else.
    await visit(0, async (page, heroDecisions) => {
      await expect.poll(() => heroDecisions.length, { timeout: 60_000 }).toBeGreaterThan(0);
      expect(heroDecisions).not.toContain('car-loan-quote');
      const onScreen = () =>
        hero(page)
          .getAttribute('data-offer-id', { timeout: 2_000 })
          .catch(() => null);
      expect(await onScreen()).not.toBe('car-loan-quote');
      // A reload shows the fresh cached decision again (a page view keeps it), or a new one: never the capped offer.
      await page.reload();
      await page.getByTestId('accounts').waitFor();
      expect(heroDecisions).not.toContain('car-loan-quote');
      expect(await onScreen()).not.toBe('car-loan-quote');
    });
    expect(pageErrors).toEqual([]);
  });

  it('a customer who declines personalization sees generic content, and nothing about them is sent', async () => {
    const customer = customers[1] ?? customers[0]!;
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const touchpointRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/v1/touchpoints')) touchpointRequests.push(request.url());
    });
    await page.goto(stack.netbankUrl);
    await page.getByTestId(`login-${customer.id}`).click();
    await page.getByTestId('consent-decline').click();
    await page.waitForURL(/\/dashboard$/);
    expect(productOf(await heroOffer(page))).toBeNull();

    await page.getByTestId('nav-car-loan').click();
    await page.getByTestId('calculate').click();
    await page.getByTestId('nav-dashboard').click();
    expect(productOf(await heroOffer(page))).toBeNull();
    // A decision in the other language is asked for, and the SDK sends what it queued before asking: once it is
    // answered, anything the SDK had queued would have been sent.
    const decided = page.waitForResponse((response) => response.url().startsWith(`${stack.apiUrl}/v1/decisions`));
    await page.getByTestId('language-toggle').click();
    await decided;
    expect(touchpointRequests).toEqual([]);
    expect(await page.evaluate(() => indexedDB.databases().then((dbs) => dbs.map((db) => db.name)))).not.toContain(
      'touchpoint',
    );
    await context.close();
  });

  it('the mobile-bank web view shows the card in its reserved box, and a car-loan price check there brings the car-loan offer', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(stack.mobileUrl);
    await page.getByTestId('consent-accept').click();
    // Someone other than the net-bank story's customer, who has dismissed the car-loan offer by now.
    const customer = customers.at(-1)!;
    await page.getByTestId('customer-picker').selectOption(customer.id);
    const firstName = customer.displayName.split(' ')[0] ?? '';
    await expect.poll(() => page.getByTestId('greeting').textContent()).toContain(firstName);
    const card = page.locator('tp-placement[name="mobile-home-card"]');
    const banner = card.locator('[role="region"][data-offer-id]');
    await banner.waitFor();
    expect(productOf(await banner.getAttribute('data-offer-id'))).not.toBe('car_loan');
    // The element holds the placement's reserved size with its content in it.
    expect((await card.boundingBox())?.height).toBe(180);

    await page.getByTestId('action-car-loan').click();
    await page.getByTestId('calculate').click();
    await expect.poll(() => page.getByTestId('calculator-result').textContent()).toMatch(/\d/);
    await page.getByTestId('back').click();
    await expect
      .poll(async () => productOf(await banner.getAttribute('data-offer-id', { timeout: 2_000 }).catch(() => null)), {
        timeout: 20_000,
      })
      .toBe('car_loan');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('the banner is accessible: axe finds nothing serious, and a keyboard alone can dismiss it', async () => {
    const customer = customers[2] ?? customers[0]!;
    // axe is injected as a script, which the pages' strict CSP would rightly refuse.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await logIn(context, customer);
    await heroOffer(page);
    expect(await seriousViolations(page)).toEqual([]);

    await hero(page).locator('.tp-dismiss').waitFor({ state: 'visible' });
    await tabUntil(
      page,
      () => document.activeElement?.matches('.hero-slot .tp-dismiss') === true,
      'the dismiss button',
    );
    // The hero may have been decided again once consent was given: dismiss what is on screen now.
    const dismissed = await hero(page).getAttribute('data-offer-id');
    await page.keyboard.press('Enter');
    await waitForHeroOffer(page, (id) => id !== dismissed, 'the offer gone after a keyboard dismissal');

    const mobile = await context.newPage();
    await mobile.goto(stack.mobileUrl);
    await mobile.getByTestId('consent-accept').click();
    await mobile.locator('tp-placement [role="region"][data-offer-id]').waitFor();
    expect(await seriousViolations(mobile)).toEqual([]);
    await context.close();
  });

  /** The hero banner's "why am I seeing this?" summary, reached with the Tab key alone. */
  async function tabToWhy(page: Page): Promise<void> {
    await tabUntil(
      page,
      () => document.activeElement?.tagName === 'SUMMARY' && document.activeElement.closest('.hero-slot') !== null,
      'the why summary',
    );
  }

  /**
   * Presses Tab, one press at a time, until `focused` holds in the page: a banner decided again meanwhile moves the
   * focus back to the page's start, so the presses go on until the element has it (or the wait runs out).
   */
  async function tabUntil(page: Page, focused: () => boolean, what: string): Promise<void> {
    await expect
      .poll(
        async () => {
          if (await page.evaluate(focused)) return true;
          await page.keyboard.press('Tab');
          return page.evaluate(focused);
        },
        { timeout: 30_000, interval: 0, message: `Tab reaches ${what}` },
      )
      .toBe(true);
  }
  const OPT_OUT = /turn off personalised offers|slå personlige tilbud fra/;

  /**
   * Collects the ids of decisions that come with an explanation to give (a logged-in customer who gave consent), as
   * the pages of `context` receive them: a page decides again as consent and login settle.
   */
  function explainableDecisions(context: BrowserContext): Set<string> {
    const ids = new Set<string>();
    context.on('response', async (response) => {
      if (!response.url().endsWith('/v1/decisions') || !response.ok()) return;
      const { decisions } = (await response.json()) as { decisions: Array<{ decisionId: string; why?: string }> };
      for (const decided of decisions) if (decided.why) ids.add(decided.decisionId);
    });
    return ids;
  }

  /** Waits until `region` shows one of those decisions. */
  async function waitForExplainable(region: ReturnType<Page['locator']>, ids: Set<string>): Promise<void> {
    const shown = () => region.getAttribute('data-decision-id', { timeout: 2_000 }).catch(() => null);
    await expect.poll(async () => ids.has((await shown()) ?? ''), { timeout: 20_000 }).toBe(true);
  }

  it('“why am I seeing this?” is reached by keyboard, opens the customer’s explanation in the banner, and axe finds nothing serious', async () => {
    const customer = customers[3] ?? customers[0]!;
    // axe is injected as a script, which the pages' strict CSP would rightly refuse.
    const context = await browser.newContext({ bypassCSP: true });
    const explainable = explainableDecisions(context);
    const page = await logIn(context, customer);
    await waitForExplainable(hero(page), explainable);
    const whyRequests: Array<{ url: string; authorization: string | undefined }> = [];
    page.on('request', (request) => {
      if (/\/v1\/me\/decisions\/[^/]+\/why/.test(request.url())) {
        whyRequests.push({ url: request.url(), authorization: request.headers().authorization });
      }
    });
    const why = hero(page).locator('details.tp-why');
    expect(await why.locator('summary').textContent()).toMatch(/^(Why am I seeing this\?|Hvorfor ser jeg dette\?)$/);
    const reason = await why.locator('div').textContent();

    await tabToWhy(page);
    await page.keyboard.press('Enter');
    await expect.poll(() => why.getAttribute('open')).toBe('');
    await expect.poll(() => why.locator('div').textContent(), { timeout: 10_000 }).toMatch(OPT_OUT);
    // The explanation starts with the decision's reason and says more.
    expect(await why.locator('div p').first().textContent()).toBe(reason);
    const decisionId = await hero(page).getAttribute('data-decision-id');
    expect(whyRequests).toEqual([
      { url: `${stack.apiUrl}/v1/me/decisions/${decisionId}/why`, authorization: expect.stringMatching(/^Bearer ey/) },
    ]);
    expect(await seriousViolations(page)).toEqual([]);

    // The same in the mobile bank's <tp-placement>, inside its shadow root.
    const mobile = await context.newPage();
    await mobile.goto(stack.mobileUrl);
    await mobile.getByTestId('consent-accept').click();
    await mobile.getByTestId('customer-picker').selectOption(customer.id);
    // Logged in, the card is decided again, now with an explanation to give.
    const card = mobile.locator('tp-placement [role="region"][data-offer-id]');
    await waitForExplainable(card, explainable);
    await card.locator('details.tp-why summary').focus();
    await mobile.keyboard.press('Enter');
    await expect.poll(() => card.locator('details.tp-why div').textContent(), { timeout: 10_000 }).toMatch(OPT_OUT);
    expect(await seriousViolations(mobile)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('under the pages’ strict Content Security Policy the banner and the <tp-placement> element render with no violation', async () => {
    const policy = (await fetch(stack.netbankUrl)).headers.get('content-security-policy') ?? '';
    const apiOrigin = new URL(stack.apiUrl).origin;
    const directives = new Map(
      policy.split(';').map((directive) => {
        const [name = '', ...values] = directive.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toContain(apiOrigin);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', apiOrigin]);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|nonce-|sha256-/);
    expect((await fetch(stack.mobileUrl)).headers.get('content-security-policy')).toMatch(/style-src 'self'/);

    const context = await browser.newContext();
    const violations: string[] = [];
    await context.exposeFunction('reportCspViolation', (violation: string) => violations.push(violation));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation(
          `${event.violatedDirective} ${event.blockedURI}`,
        );
      });
    });
    const cspErrors: string[] = [];
    context.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    });

    const customer = customers[4] ?? customers[0]!;
    const explainable = explainableDecisions(context);
    const page = await logIn(context, customer);
    await waitForExplainable(hero(page), explainable);
    const why = hero(page).locator('details.tp-why');
    await why.locator('summary').click();
    await expect.poll(() => why.locator('div').textContent(), { timeout: 10_000 }).toMatch(OPT_OUT);

    const mobile = await context.newPage();
    await mobile.goto(stack.mobileUrl);
    await mobile.getByTestId('consent-accept').click();
    const card = mobile.locator('tp-placement[name="mobile-home-card"]');
    await card.locator('[role="region"][data-offer-id]').waitFor();
    // Styled by an adopted, constructable stylesheet: no <style> text in the shadow root, which style-src would refuse.
    expect(
      await card.evaluate((element) => ({
        styles: element.shadowRoot?.querySelectorAll('style').length,
        adopted: element.shadowRoot?.adoptedStyleSheets.length,
        display: getComputedStyle(element.shadowRoot?.querySelector('.tp-banner') as Element).display,
      })),
    ).toEqual({ styles: 0, adopted: 1, display: 'flex' });
    expect(violations).toEqual([]);
    expect(cspErrors).toEqual([]);

    // The listener does hear violations: inline style text in the shadow root is refused under this policy.
    await card.evaluate((element) => {
      const style = document.createElement('style');
      style.textContent = '.tp-banner { outline: 1px solid red }';
      element.shadowRoot?.append(style);
    });
    await expect.poll(() => violations).toEqual([expect.stringMatching(/^style-src/)]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('keeps touchpoints made offline on the device and delivers each exactly once after a reload', async () => {
    const customer = customers[1] ?? customers[0]!;
    const context = await browser.newContext();
    const page = await logIn(context, customer);
    await heroOffer(page);

    const sent = new Map<string, number>();
    page.on('request', (request) => {
      if (!request.url().startsWith(`${stack.apiUrl}/v1/touchpoints`) || request.method() !== 'POST') return;
      const body = JSON.parse(request.postData() ?? '{}') as { touchpoints?: Array<{ id: string }> };
      for (const { id } of body.touchpoints ?? []) sent.set(id, (sent.get(id) ?? 0) + 1);
    });

    // Offline: the customer keeps using the net bank (client-side navigation), touchpoints pile up on the device.
    await context.setOffline(true);
    await page.getByTestId('nav-car-loan').click();
    await page.getByTestId('calculate').click();
    await page.getByTestId('nav-pension').click();
    await page.getByTestId('nav-mortgage').click();
    // page views of three pages, a product view each, the price check
    await expect.poll(async () => (await readQueuedIds(page)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(6);
    const queued = await readQueuedIds(page);

    // Reload while the decision API is still unreachable, then come back online.
    await page.route(`${stack.apiUrl}/v1/touchpoints**`, (route) => route.abort('internetdisconnected'));
    await context.setOffline(false);
    await page.reload();
    expect(await readQueuedIds(page)).toEqual(expect.arrayContaining(queued));
    await page.unroute(`${stack.apiUrl}/v1/touchpoints**`);
    await page.getByTestId('nav-dashboard').click();
    await expect.poll(() => readQueuedIds(page), { timeout: 30_000 }).toEqual([]);

    // The server holds each of them exactly once: read the store itself after a graceful stop.
    await context.close();
    await stack.stop();
    const store = await openStore({ dataDir: stack.dataDir });
    try {
      expect(await store.countTouchpointsWithIds(queued)).toBe(new Set(queued).size);
      expect(await store.countTouchpointsWithIds([...sent.keys()])).toBe(sent.size);
    } finally {
      await store.close();
    }
    expect(pageErrors).toEqual([]);
  });
});

const AXE = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/** axe-core's serious and critical findings on the page as it is now (open shadow roots included). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }> }>;
        };
      }
    ).axe;
    const { violations } = await axe.run();
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
}
