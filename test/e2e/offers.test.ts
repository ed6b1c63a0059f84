import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { consoleBrowser, seriousViolations } from '../support/console.js';
import { type Stack, startStack } from '../support/stack.js';

const OFFER = 'house-savings-goal';
const SEEDED = 'Give your savings a goal';
const CHANGED = 'Pick a goal, we put the money aside';

describe('offers under four eyes in the console, in Chromium, against the demo started as the README starts it', () => {
  let stack: Stack;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let staff: ReturnType<typeof consoleBrowser>;

  beforeAll(async () => {
    stack = await startStack();
    ({ browser, close: closeBrowser } = await launchChromium());
    staff = consoleBrowser(browser, () => stack.apiUrl);
  });
  afterAll(async () => {
    await closeBrowser?.();
    await stack?.dispose();
  });

  /** The offer a new visitor of the net bank gets on the dashboard hero, as the SDK would ask for it. */
  async function served(): Promise<{ offerId: string; headline: string } | null> {
    const response = await fetch(`${stack.apiUrl}/v1/decisions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-touchpoint-key': 'pk_demo_netbank' },
      body: JSON.stringify({
        anonymousId: crypto.randomUUID(),
        context: { channel: 'netbank', page: '/dashboard', locale: 'en', consent: 'granted' },
        placements: ['dashboard-hero'],
      }),
    });
    expect(response.status).toBe(200);
    const { decisions } = await response.json();
    const offer = decisions[0]?.offer;
    return offer ? { offerId: offer.offerId, headline: offer.headline } : null;
  }

  /** A change of the offer forced from the page with the session's cookie and CSRF token, past the buttons. */
  const forced = (page: Page, path: string, body: unknown) =>
    page.evaluate(
      async ({ path, body }) => {
        const csrf = /(?:^|;\s*)tp_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
        const response = await fetch(path, {
          method: 'POST',
          headers: { 'x-csrf-token': decodeURIComponent(csrf), 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: response.status, type: (await response.json()).type as string };
      },
      { path, body },
    );

  const draftStatus = (page: Page) => page.getByTestId('draft-status').textContent();

  it('a marketer’s draft cannot go live without an approver; the approver approves and publishes, and decisions serve it at once', async () => {
    expect(await served()).toEqual({ offerId: OFFER, headline: SEEDED });

    const marketerContext = await staff.newContext();
    const marketer = await staff.signIn(marketerContext, 'm.marketer');
    await marketer.getByTestId('nav-offers').click();
    await marketer.getByTestId('offers').getByRole('link', { name: OFFER }).click();
    await marketer.getByTestId('write-change').click();
    await marketer.getByLabel('Headline (English)').fill(CHANGED);
    await marketer.getByLabel('Behavioural principle').selectOption('default_effect');
    // The preview is the SDK's banner, in the placement's size, as the form changes.
    await marketer.getByLabel('English', { exact: true }).check();
    const hero = marketer.getByTestId('preview-dashboard-hero');
    await expect.poll(() => hero.getByRole('heading', { level: 2 }).textContent()).toBe(CHANGED);
    const box = await hero.locator('.tp-placement').boundingBox();
    expect([box?.width, box?.height]).toEqual([960, 240]);
    await marketer.getByTestId('save-offer').click();
    await expect.poll(() => draftStatus(marketer)).toBe('draft');
    await marketer.getByTestId('submit').click();
    await expect.poll(() => draftStatus(marketer)).toBe('submitted');

    // No approve or publish button for a marketer, and the API refuses them when forced.
    expect(await marketer.getByTestId('approve').count()).toBe(0);
    expect(await marketer.getByTestId('publish').count()).toBe(0);
    for (const step of ['approve', 'publish']) {
      const refused = await forced(marketer, `/v1/admin/offers/${OFFER}/drafts/2/${step}`, { revision: 1 });
      expect(refused, step).toEqual({ status: 403, type: expect.stringMatching(/forbidden$/) });
    }
    expect(await served()).toEqual({ offerId: OFFER, headline: SEEDED });

    const approverContext = await staff.newContext();
    const approver = await staff.signIn(approverContext, 'a.approver');
    await approver.goto(`${stack.apiUrl}/console/#/offers/${OFFER}`);
    await approver.getByTestId('approve').click();
    await expect.poll(() => draftStatus(approver)).toBe('approved');
    await approver.getByTestId('publish').click();
    await expect.poll(() => approver.getByTestId('offer-state').textContent()).toContain('Live: version 2.');
    expect(await approver.getByTestId('versions').locator('tr[data-version="2"]').textContent()).toContain('live');
    expect(await served()).toEqual({ offerId: OFFER, headline: CHANGED });

    await marketer.reload();
    await expect.poll(() => marketer.getByTestId('offer-state').textContent()).toContain('No change under way.');
    await marketerContext.close();
    await approverContext.close();
    expect(staff.cspViolations).toEqual([]);
    expect(staff.pageErrors).toEqual([]);
  });

  it('an approver’s rollback needs another approver: the old content is served once they publish it', async () => {
    const approverContext = await staff.newContext();
    const approver = await staff.signIn(approverContext, 'a.approver');
    await approver.goto(`${stack.apiUrl}/console/#/offers/${OFFER}`);
    await approver.getByTestId('rollback-1').click();
    await expect.poll(() => draftStatus(approver)).toBe('draft');
    expect(await approver.getByTestId('authors').textContent()).toBe('a.approver');
    await approver.getByTestId('submit').click();
    await expect.poll(() => draftStatus(approver)).toBe('submitted');
    // Four eyes: the one who wrote the rollback is not offered Approve, and the API refuses it.
    await approver.getByTestId('four-eyes').waitFor();
    expect(await approver.getByTestId('approve').count()).toBe(0);
    const refused = await forced(approver, `/v1/admin/offers/${OFFER}/drafts/3/approve`, { revision: 1 });
    expect(refused).toEqual({ status: 403, type: expect.stringMatching(/four-eyes$/) });
    expect((await served())?.headline).toBe(CHANGED);

    const adminContext = await staff.newContext();
    const admin = await staff.signIn(adminContext, 's.admin');
    await admin.goto(`${stack.apiUrl}/console/#/offers/${OFFER}`);
    await admin.getByTestId('approve').click();
    await expect.poll(() => draftStatus(admin)).toBe('approved');
    await admin.getByTestId('publish').click();
    await expect.poll(() => admin.getByTestId('offer-state').textContent()).toContain('Live: version 3.');
    expect(await served()).toEqual({ offerId: OFFER, headline: SEEDED });
    await approverContext.close();
    await adminContext.close();
    expect(staff.cspViolations).toEqual([]);
    expect(staff.pageErrors).toEqual([]);
  });

  it('a viewer sees offers and their versions but no button that changes them, and the API refuses a forced change', async () => {
    const context = await staff.newContext();
    const viewer = await staff.signIn(context, 'v.viewer');
    await viewer.goto(`${stack.apiUrl}/console/#/offers/${OFFER}`);
    await viewer.getByTestId('versions').waitFor();
    await viewer.getByTestId('no-actions').waitFor();
    for (const button of ['write-change', 'edit', 'submit', 'approve', 'publish', 'rollback-1', 'rollback-2']) {
      expect(await viewer.getByTestId(button).count(), button).toBe(0);
    }
    const refused = await forced(viewer, `/v1/admin/offers/${OFFER}/rollback`, { toVersion: 2, baseVersion: 3 });
    expect(refused.status).toBe(403);
    await context.close();
    expect(staff.cspViolations).toEqual([]);
  });

  it('axe finds nothing serious or critical on the offer pages', async () => {
    // axe is injected as a script, which the console's strict CSP would rightly refuse.
    const context = await staff.newContext({ bypassCSP: true });
    const page = await staff.signIn(context, 's.admin');
    const pages: Array<[string, () => Promise<void>]> = [
      ['offers', () => page.getByTestId('offers').waitFor()],
      [`offers/${OFFER}`, () => page.getByTestId('preview-dashboard-hero').waitFor()],
      ['offers/new', () => page.getByTestId('offer-editor').waitFor()],
    ];
    for (const [route, ready] of pages) {
      await page.goto(`${stack.apiUrl}/console/#/${route}`);
      await ready();
      expect(await seriousViolations(page), route).toEqual([]);
    }
    // The editor with a refusal from the API: each field's error next to it.
    await page.getByLabel('Offer id').fill('e2e-new-offer');
    await page.getByLabel('Headline (Danish)').fill('Ny opsparing');
    await page.getByTestId('save-offer').click();
    await page.getByTestId('problem').waitFor();
    expect(await page.getByTestId('problem').textContent()).toContain('/offer/content/da/body');
    expect(await seriousViolations(page), 'editor with errors').toEqual([]);
    // Completed, the new offer is saved as a draft, previewed in every placement size when asked.
    for (const [field, text] of [
      ['Body (Danish)', 'Spar op til noget, du glæder dig til.'],
      ['Button text (Danish)', 'Kom i gang'],
      ['Headline (English)', 'New savings'],
      ['Body (English)', 'Save for something you look forward to.'],
      ['Button text (English)', 'Get started'],
    ]) {
      await page.getByLabel(field as string, { exact: true }).fill(text as string);
    }
    await page.getByTestId('save-offer').click();
    await page.waitForURL(/#\/offers\/e2e-new-offer$/);
    await expect.poll(() => draftStatus(page)).toBe('draft');
    expect(await page.getByTestId('offer-state').textContent()).toContain('Not live yet.');
    await page.getByLabel('Also in the placements the offer is not for').check();
    await page.getByTestId('preview-mobile-home-card').waitFor();
    expect(await seriousViolations(page), 'a new offer’s draft').toEqual([]);
    // An open draft: the change under way, its steps and the editor.
    await page.goto(`${stack.apiUrl}/console/#/offers/${OFFER}`);
    await page.getByTestId('write-change').click();
    await page.getByTestId('offer-editor').waitFor();
    expect(await seriousViolations(page), 'editor of a change').toEqual([]);
    await context.close();
  });
});
