import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { desktopConfig } from 'lighthouse';
import puppeteer from 'puppeteer-core';
import { CHROMIUM, CHROMIUM_FLAGS } from './browser.js';

export const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface PageAudit {
  readonly name: string;
  readonly path: string;
  /** Lighthouse's category scores, 0–100. */
  readonly scores: Record<Category, number>;
  /** The audits that lost accessibility points, for a failure message. */
  readonly accessibilityFailures: string[];
  readonly metrics: { fcpMs: number; lcpMs: number; tbtMs: number; cls: number };
}

export interface NetbankAudit {
  readonly lighthouseVersion: string;
  readonly chromiumVersion: string;
  readonly pages: PageAudit[];
}

/**
 * Runs Lighthouse (desktop settings: the net bank is the bank's desktop channel; the mobile bank has its own web view)
 * on Debian's Chromium, with the e2e tests' flags, on the net bank's login page and, logged in as `customerId` with
 * consent given, on the overview with its personalized hero. One tab throughout, storage kept between the pages, as
 * the customer's own session would be.
 */
export async function auditNetbank(netbankUrl: string, customerId: string): Promise<NetbankAudit> {
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: CHROMIUM_FLAGS });
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null });
  try {
    const page = await browser.newPage();
    const flags = { logLevel: 'error' as const, output: 'json' as const, disableStorageReset: true };
    const pages: PageAudit[] = [];
    let lighthouseVersion = '';
    const audit = async (name: string, path: string) => {
      const result = await lighthouse(`${netbankUrl}${path}`, flags, desktopConfig, page);
      if (!result) throw new Error(`Lighthouse returned nothing for ${path}`);
      const { lhr } = result;
      if (lhr.runtimeError) throw new Error(`Lighthouse failed on ${path}: ${lhr.runtimeError.message}`);
      lighthouseVersion = lhr.lighthouseVersion;
      const score = (category: Category) => Math.round((lhr.categories[category]?.score ?? 0) * 100);
      const numeric = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;
      pages.push({
        name,
        path,
        scores: {
          performance: score('performance'),
          accessibility: score('accessibility'),
          'best-practices': score('best-practices'),
        },
        accessibilityFailures: (lhr.categories.accessibility?.auditRefs ?? [])
          .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id]?.score ?? 1) < 1)
          .map((ref) => `${ref.id}: ${lhr.audits[ref.id]?.title}`),
        metrics: {
          fcpMs: Math.round(numeric('first-contentful-paint')),
          lcpMs: Math.round(numeric('largest-contentful-paint')),
          tbtMs: Math.round(numeric('total-blocking-time')),
          cls: numeric('cumulative-layout-shift'),
        },
      });
    };

    await audit('Login', '/login');

    // Log in as the customer would: pick the demo customer, accept the consent question, land on the overview.
    await page.goto(`${netbankUrl}/login`);
    await (await page.waitForSelector(`[data-testid="login-${customerId}"]`))?.click();
    await (await page.waitForSelector('[data-testid="consent-accept"]'))?.click();
    await page.waitForSelector('.hero-slot [role="region"][data-offer-id]', { timeout: 20_000 });
    await audit('Overview (logged in, personalized hero)', '/dashboard');

    return { lighthouseVersion, chromiumVersion: await browser.version(), pages };
  } finally {
    await browser.disconnect();
    chrome.kill();
  }
}
