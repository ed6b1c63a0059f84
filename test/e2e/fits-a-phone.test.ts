import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { consoleBrowser } from '../support/console.js';
import { type Stack, startStack } from '../support/stack.js';

/** Where the phone layouts are pictured for docs/console.md. */
const SHOTS = fileURLToPath(new URL('../../docs/console/', import.meta.url));

const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

/** The console's sections, each with a staff member whose role may open it. */
const CONSOLE_ROUTES: Array<[route: string, staffId: string]> = [
  ['/preview', 'm.marketer'],
  ['/experiments', 'v.viewer'],
  ['/experiments/new', 'm.marketer'],
  ['/compare', 'v.viewer'],
  ['/offers', 'm.marketer'],
  ['/offers/new', 'm.marketer'],
  ['/offers/car-loan-price', 'a.approver'],
  ['/audit', 'a.approver'],
  ['/clusters', 'm.marketer'],
  ['/kpis', 'v.viewer'],
  ['/queue', 'r.advisor'],
  ['/advisors', 'v.viewer'],
];

/** The net bank's pages for a signed-in customer. */
const NETBANK_PATHS = [
  '/dashboard',
  '/loans/car',
  '/mortgage',
  '/pension',
  '/savings',
  '/insurance/home',
  '/investments',
  '/no-such-page',
];

/** How far the document scrolls sideways, and the widest elements that stick out, to say what to fix. */
async function sidewaysScroll(page: Page): Promise<{ overflow: number; culprits: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const overflow = root.scrollWidth - root.clientWidth;
    const culprits: string[] = [];
    if (overflow > 0) {
      for (const element of Array.from(document.querySelectorAll('body *'))) {
        const right = element.getBoundingClientRect().right;
        const parent = element.parentElement;
        const parentRight = parent ? parent.getBoundingClientRect().right : 0;
        const contained = parent !== null && parentRight > root.clientWidth + 1;
        if (right > root.clientWidth + 1 && !contained) {
          const name = `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${
            typeof element.className === 'string' && element.className
              ? `.${element.className.split(' ').join('.')}`
              : ''
          }`;
          culprits.push(`${name} → ${Math.round(right)}px`);
        }
      }
    }
    return { overflow, culprits: culprits.slice(0, 8) };
  });
}

/** A page is ready once no request is in flight and nothing says it is still loading. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.getByText('Loading…').first().waitFor({ state: 'detached' });
}

describe('every page fits a phone (390×844) and a desktop (1280×800) without scrolling sideways', () => {
  let stack: Stack;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;

  beforeAll(async () => {
    stack = await startStack();
    ({ browser, close: closeBrowser } = await launchChromium());
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await closeBrowser?.();
    await stack?.dispose();
  });

  for (const size of SIZES) {
    it(`the staff console at ${size.width}×${size.height}, each section as a role that may open it`, async () => {
      const staff = consoleBrowser(browser, () => stack.apiUrl);
      const contexts = new Map<string, { context: BrowserContext; page: Page }>();
      const problems: string[] = [];
      for (const [route, staffId] of CONSOLE_ROUTES) {
        let signedIn = contexts.get(staffId);
        if (!signedIn) {
          const context = await staff.newContext();
          const page = await staff.signIn(context, staffId);
          signedIn = { context, page };
          contexts.set(staffId, signedIn);
        }
        const { page } = signedIn;
        await page.setViewportSize({ width: size.width, height: size.height });
        await page.goto(`${stack.apiUrl}/console/#${route}`);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        await settled(page);
        const { overflow, culprits } = await sidewaysScroll(page);
        if (overflow > 0) problems.push(`${route} as ${staffId}: ${overflow}px (${culprits.join(', ')})`);
        // Each table scrolls inside its own box: a labelled region a keyboard user can focus to scroll it.
        const loose = await page.evaluate(() =>
          Array.from(document.querySelectorAll('main table'))
            .filter((table) => {
              const box = table.parentElement;
              return !(
                box?.classList.contains('table-box') &&
                box.getAttribute('aria-label') &&
                box.tabIndex === 0 &&
                getComputedStyle(box).overflowX === 'auto'
              );
            })
            .map((table) => table.querySelector('caption')?.textContent ?? table.outerHTML.slice(0, 80)),
        );
        if (loose.length > 0) problems.push(`${route}: tables outside a scrolling region: ${loose.join('; ')}`);
        if (size.name === 'phone' && ['/offers', '/audit', '/clusters', '/kpis', '/advisors'].includes(route)) {
          await page.locator('main').screenshot({ path: `${SHOTS}phone-${route.slice(1).replaceAll('/', '-')}.png` });
        }
      }
      if (size.name === 'desktop') {
        // Each table downloads as CSV exactly as it is shown: the KPI breakdown, header and rows.
        const { page } = contexts.get('v.viewer') ?? { page: null };
        if (!page) throw new Error('the viewer signed in above');
        await page.goto(`${stack.apiUrl}/console/#/kpis`);
        const table = page.getByTestId('kpi-breakdown');
        await table.waitFor();
        await settled(page);
        const shown = await table.evaluate((element: HTMLTableElement) =>
          Array.from(element.rows).map((row) =>
            Array.from(row.cells).map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim()),
          ),
        );
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Download CSV: Offer KPIs for the period' }).click(),
        ]);
        expect(download.suggestedFilename()).toBe('offer-kpis-for-the-period.csv');
        const csv = readFileSync(await download.path(), 'utf8');
        const lines = csv.split('\r\n');
        expect(lines.length - 1).toBe(shown.length);
        expect(lines[0]).toBe(shown[0]?.join(','));
      }
      for (const { context } of contexts.values()) await context.close();
      expect(problems).toEqual([]);
      expect(staff.pageErrors).toEqual([]);
    });

    it(`the example net bank and mobile bank at ${size.width}×${size.height}`, async () => {
      const customers: Array<{ id: string }> = (await (await fetch(`${stack.netbankUrl}/api/customers`)).json())
        .customers;
      const context = await browser.newContext({ viewport: { width: size.width, height: size.height } });
      const page = await context.newPage();
      const problems: string[] = [];
      const measure = async (where: string) => {
        await settled(page);
        const { overflow, culprits } = await sidewaysScroll(page);
        if (overflow > 0) problems.push(`${where}: ${overflow}px (${culprits.join(', ')})`);
      };
      await page.goto(`${stack.netbankUrl}/login`);
      await measure('net bank /login');
      await page.getByTestId(`login-${customers[0]?.id}`).click();
      await page.getByTestId('consent-accept').click();
      await page.waitForURL(/\/dashboard$/);
      for (const path of NETBANK_PATHS) {
        await page.goto(`${stack.netbankUrl}${path}`);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        await measure(`net bank ${path}`);
        if (size.name === 'phone' && path === '/dashboard') {
          await page.screenshot({ path: `${SHOTS}phone-netbank-overview.png` });
        }
      }
      await page.goto(stack.mobileUrl);
      await page.locator('body *').first().waitFor();
      await measure('mobile bank');
      await context.close();
      expect(problems).toEqual([]);
    });
  }
});
