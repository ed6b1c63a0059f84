import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { consoleBrowser, seriousViolations } from '../support/console.js';
import { type Stack, startStack } from '../support/stack.js';

const OFFER = 'car-loan-price';
/**
 * Where the review screen's screenshots go: `SCREENSHOTS=docs/console` (from the repository root) refreshes the ones
 * docs/console.md shows; otherwise a temporary folder, so a test run changes no tracked file.
 */
const SHOTS = process.env.SCREENSHOTS
  ? join(new URL('../../', import.meta.url).pathname, process.env.SCREENSHOTS)
  : join(tmpdir(), 'touchpoint-review-shots');

interface AuditEntry {
  action: string;
  staffId: string;
  details: { whatIf?: { offerId: string; version: number; sample: { customers: number } } } | null;
}

describe('an approver reviews a marketer’s change in the console, in Chromium, against the demo', () => {
  let stack: Stack;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let staff: ReturnType<typeof consoleBrowser>;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack();
    ({ browser, close: closeBrowser } = await launchChromium());
    staff = consoleBrowser(browser, () => stack.apiUrl);
  });
  afterAll(async () => {
    await closeBrowser?.();
    await stack?.dispose();
  });

  const draftStatus = (page: Page) => page.getByTestId('draft-status').textContent();
  const openOffer = async (page: Page) => {
    await page.goto(`${stack.apiUrl}/console/#/offers/${OFFER}`);
    await page.getByTestId('offer-state').waitFor();
  };
  /** The marketer's lever change, saved and submitted from the offer page. */
  async function submitLever(page: Page, lever: string, startFrom?: number) {
    await page.getByTestId(startFrom ? `start-from-${startFrom}` : 'write-change').click();
    await page.getByLabel('Business lever').fill(lever);
    await page.getByTestId('save-offer').click();
    await expect.poll(() => draftStatus(page)).toBe('draft');
    await page.getByTestId('submit').click();
    await expect.poll(() => draftStatus(page)).toBe('submitted');
  }
  /** The page's own width against the viewport's: more means it scrolls sideways. */
  const overflow = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  it('the approver sees the diff and the what-if before the verdict, rejects with a comment, the marketer fixes it, and the approval keeps the report', async () => {
    const marketerContext = await staff.newContext();
    const marketer = await staff.signIn(marketerContext, 'm.marketer');
    await openOffer(marketer);
    await submitLever(marketer, '3');
    // The author is never offered the review.
    expect(await marketer.getByTestId('review').count()).toBe(0);

    // axe is injected as a script, which the console's strict CSP would rightly refuse: this context bypasses it.
    const approverContext = await staff.newContext({ bypassCSP: true });
    const approver = await staff.signIn(approverContext, 'a.approver');
    await approver.setViewportSize({ width: 1280, height: 800 });
    await openOffer(approver);
    const review = approver.getByTestId('review');
    await review.waitFor();

    // The diff: the lever changed, from the live 1 to 3; every other part is folded away as unchanged.
    expect(await approver.getByTestId('diff-summary').textContent()).toBe('1 field differs from the live version.');
    const lever = approver.getByTestId('diff-Value and lever').locator('tr.review-changed');
    expect(await lever.locator('th').textContent()).toBe('Lever');
    expect(await lever.locator('td').allTextContents()).toEqual(['1', '3']);
    expect(await approver.getByTestId('diff-Content (English)').locator('h4').textContent()).toBe(
      'Content (English): unchanged',
    );
    expect(await approver.getByTestId('diff-Content (English)').locator('details').getAttribute('open')).toBeNull();

    // The what-if report, before the verdict: replay, both estimates, the fairness table with credit offers first.
    const whatIf = approver.getByTestId('what-if');
    await whatIf.waitFor({ timeout: 120_000 });
    expect(await approver.getByTestId('left-with-nothing').textContent()).toMatch(/^Customers left with house offers/);
    for (const estimate of ['estimate-click', 'estimate-conversion']) {
      const text = (await approver.getByTestId(estimate).textContent()) ?? '';
      // Either the draft's estimate with its interval and effective sample size, or the plain reasons it is withheld.
      expect(text, estimate).toMatch(/Effective sample size\d+|cannot be trusted/);
      expect(text, estimate).toMatch(/Live, as logged: \d+\.\d+ % \(95 % interval/);
    }
    const fairness = whatIf.locator('table[data-testid^="fairness-"]');
    expect(await fairness.first().locator('caption').textContent()).toMatch(/\(credit\)/);
    expect(await approver.getByTestId(`fairness-${OFFER}`).locator('tbody tr').count()).toBeGreaterThan(2);
    // The verdict comes after the report on the page.
    const order = await approver.evaluate(() => {
      const at = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect().top ?? 0;
      return [at('diff'), at('what-if'), at('approve')];
    });
    expect(order).toEqual([...order].sort((a, b) => a - b));
    await review.screenshot({ path: join(SHOTS, 'review-desktop.jpg'), quality: 70 });
    expect(await seriousViolations(approver)).toEqual([]);

    // A phone: nothing scrolls sideways, and axe still finds nothing serious.
    await approver.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => overflow(approver)).toBe(0);
    expect(await seriousViolations(approver)).toEqual([]);
    await approver.getByTestId('diff').screenshot({ path: join(SHOTS, 'review-phone-diff.png') });
    await approver.setViewportSize({ width: 1280, height: 800 });

    // Reject needs a comment: without one the buttons stay disabled.
    expect(await approver.getByTestId('reject').isDisabled()).toBe(true);
    expect(await approver.getByTestId('send-back').isDisabled()).toBe(true);
    const comment = 'A lever of 3 pushes the car loan over every savings offer. Keep it under 1.5.';
    await approver.getByLabel('Comment (needed to reject or send back)').fill(comment);
    await approver.getByTestId('reject').click();
    await expect
      .poll(() => approver.getByTestId('versions').locator('tr[data-version="2"]').textContent())
      .toContain('rejected');
    expect(await approver.getByTestId('offer-state').textContent()).toContain('No change under way.');
    expect(await approver.getByTestId('review').count()).toBe(0);

    // The marketer reads the comment on the offer page, starts again from the rejected version and resubmits.
    await marketer.reload();
    const said = marketer.getByTestId('review-comments').locator('li[data-version="2"]');
    await said.waitFor();
    expect(await said.getAttribute('data-action')).toBe('reject');
    expect(await said.locator('blockquote').textContent()).toBe(comment);
    expect(await said.locator('.review-comment-head').textContent()).toContain('a.approver');
    await marketer.getByTestId('review-comments').screenshot({ path: join(SHOTS, 'review-comments.png') });
    await submitLever(marketer, '1.3', 2);
    expect(await marketer.getByTestId('offer-state').textContent()).toContain('Under way: version 3');

    // The approver reviews the fixed draft and approves it once its report is shown.
    await approver.reload();
    await approver.getByTestId('review').waitFor();
    expect(
      await approver.getByTestId('diff-Value and lever').locator('tr.review-changed td').allTextContents(),
    ).toEqual(['1', '1.3']);
    await approver.getByTestId('what-if').waitFor({ timeout: 120_000 });
    await approver.getByTestId('approve').click();
    await expect.poll(() => draftStatus(approver)).toBe('approved');

    // The audit log holds the rejection with its comment, and the approval with the report of version 3.
    const entries = await approver.evaluate(async (offer) => {
      const response = await fetch(`/v1/admin/audit?target=offer:${offer}`);
      return ((await response.json()) as { entries: unknown[] }).entries;
    }, OFFER);
    const audit = entries as AuditEntry[];
    expect(audit.map((e) => [e.action, e.staffId])).toEqual([
      ['offer.approve', 'a.approver'],
      ['offer.submit', 'm.marketer'],
      ['offer.draft', 'm.marketer'],
      ['offer.reject', 'a.approver'],
      ['offer.submit', 'm.marketer'],
      ['offer.draft', 'm.marketer'],
    ]);
    expect(audit[0]?.details?.whatIf).toMatchObject({ offerId: OFFER, version: 3 });
    expect(audit[0]?.details?.whatIf?.sample.customers).toBeGreaterThan(0);
    expect(JSON.stringify(audit[3])).toContain('Keep it under 1.5.');

    await marketerContext.close();
    await approverContext.close();
    expect(staff.pageErrors).toEqual([]);
    expect(staff.cspViolations).toEqual([]);
  }, 400_000);
});
