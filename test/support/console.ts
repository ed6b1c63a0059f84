import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** The demo's staff and their passwords, as the README lists them. */
export const PASSWORDS: Record<string, string> = {
  'v.viewer': 'demo-viewer',
  'm.marketer': 'demo-marketer',
  'a.approver': 'demo-approver',
  'r.advisor': 'demo-advisor',
  's.admin': 'demo-admin',
};

const AXE = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/** Browsing the console as staff: contexts under its real CSP, each violation and page error collected. */
export function consoleBrowser(browser: Browser, apiUrl: () => string) {
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];

  /** A browser context under the console's real CSP, reporting every violation. */
  async function newContext({ bypassCSP = false } = {}): Promise<BrowserContext> {
    const context = await browser.newContext({ bypassCSP });
    await context.exposeFunction('reportCspViolation', (violation: string) => cspViolations.push(violation));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation(
          `${event.violatedDirective} ${event.blockedURI}`,
        );
      });
    });
    return context;
  }

  async function signIn(context: BrowserContext, id: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${apiUrl()}/console`);
    await page.getByLabel('Staff id').fill(id);
    await page.getByLabel('Password').fill(PASSWORDS[id] ?? '');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('who').waitFor();
    return page;
  }

  return { newContext, signIn, pageErrors, cspViolations };
}

/** axe-core's serious and critical findings on the page as it is now (inject it only where the CSP is bypassed). */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
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
