import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { consoleBrowser, seriousViolations } from '../support/console.js';
import { type Stack, startStack } from '../support/stack.js';

interface Served {
  offerId: string;
  decisionId: string;
}

describe('clusters, offer KPIs and the advisor queue in the console, in Chromium, against the demo', () => {
  let stack: Stack;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let staff: ReturnType<typeof consoleBrowser>;
  const served: Served[] = [];

  /** Featured customers log in to the net bank, get a dashboard decision, see the banner and click it. */
  async function customersSeeOffers() {
    const { customers } = (await (await fetch(`${stack.netbankUrl}/api/customers`)).json()) as {
      customers: Array<{ id: string }>;
    };
    for (const customer of customers.slice(0, 4)) {
      const login = await fetch(`${stack.netbankUrl}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: customer.id }),
      });
      const { token } = (await login.json()) as { token: string };
      const headers = {
        'content-type': 'application/json',
        'x-touchpoint-key': 'pk_demo_netbank',
        authorization: `Bearer ${token}`,
      };
      const anonymousId = crypto.randomUUID();
      const decided = await fetch(`${stack.apiUrl}/v1/decisions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          anonymousId,
          context: { channel: 'netbank', page: '/dashboard', locale: 'en', consent: 'granted' },
          placements: ['dashboard-hero'],
        }),
      });
      expect(decided.status).toBe(200);
      const { decisions } = (await decided.json()) as {
        decisions: Array<{ decisionId: string; offer: { offerId: string } | null }>;
      };
      const decision = decisions[0];
      if (!decision?.offer) continue;
      served.push({ offerId: decision.offer.offerId, decisionId: decision.decisionId });
      const about = { offer: decision.offer.offerId, placement: 'dashboard-hero', decisionId: decision.decisionId };
      const touchpoint = (type: string) => ({
        id: crypto.randomUUID(),
        type,
        occurredAt: new Date().toISOString(),
        channel: 'netbank',
        ...about,
      });
      // Decisions are written just behind the response: the touchpoints name one once it is stored, which the
      // customer's "why am I seeing this?" tells (404 before).
      await vi.waitFor(
        async () => {
          const why = await fetch(`${stack.apiUrl}/v1/me/decisions/${decision.decisionId}/why`, { headers });
          expect(why.status, `decision ${decision.decisionId} stored`).toBe(200);
        },
        { timeout: 30_000, interval: 200 },
      );
      const seen = await fetch(`${stack.apiUrl}/v1/touchpoints`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ anonymousId, touchpoints: [touchpoint('offer_impression'), touchpoint('offer_click')] }),
      });
      expect(seen.status).toBe(200);
    }
    expect(served.length).toBeGreaterThan(0);
  }

  beforeAll(async () => {
    stack = await startStack();
    ({ browser, close: closeBrowser } = await launchChromium());
    staff = consoleBrowser(browser, () => stack.apiUrl);
    await customersSeeOffers();
  });
  afterAll(async () => {
    await closeBrowser?.();
    await stack?.dispose();
  });

  it('an advisor sees the next customers with the reason, records outcomes in one click, and a reached customer leaves the queue', async () => {
    const context = await staff.newContext();
    const page = await staff.signIn(context, 'r.advisor');
    expect(
      await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link').allTextContents(),
    ).toEqual(['Advisor queue']);
    const rows = page.getByTestId('queue-entry');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(1);
    // The reason is in words.
    expect(await rows.first().locator('td').nth(1).textContent()).toMatch(/[a-z]{3,} .*[a-z]{3,}/);

    const reached = (await rows.first().getAttribute('data-customer')) as string;
    await rows.first().getByTestId('outcome-contacted').click();
    await expect.poll(() => page.getByTestId('outcome-status').textContent()).toContain(`contacted for ${reached}`);
    await expect.poll(() => page.locator(`[data-testid="queue-entry"][data-customer="${reached}"]`).count()).toBe(0);

    // Not reached is no contact: the customer stays, marked.
    const unanswered = (await rows.first().getAttribute('data-customer')) as string;
    await rows.first().getByTestId('outcome-not_reached').click();
    const row = page.locator(`[data-testid="queue-entry"][data-customer="${unanswered}"]`);
    await expect.poll(() => row.getByTestId('last-outcome').textContent()).toBe('Last: not reached');

    // After a reload (the queue read again from the API), the reached customer is still out.
    await page.reload();
    await rows.first().waitFor();
    expect(await page.locator(`[data-testid="queue-entry"][data-customer="${reached}"]`).count()).toBe(0);
    await context.close();

    // Staff see the advisor's action in the action rate.
    const viewerContext = await staff.newContext();
    const viewer = await staff.signIn(viewerContext, 'a.approver');
    await viewer.goto(`${stack.apiUrl}/console/#/advisors`);
    const advisorRow = viewer.getByTestId('rates-advisors').getByRole('row', { name: /r\.advisor/ });
    await advisorRow.waitFor();
    const cells = await advisorRow.locator('td').allTextContents();
    // Shown, acted, still open, rate, then contacted, not reached, not relevant, sold.
    expect(Number(cells[1])).toBeGreaterThanOrEqual(2);
    expect(cells.slice(4, 6)).toEqual(['1', '1']);
    expect(
      await viewer
        .getByTestId('rates-branches')
        .getByRole('row', { name: /Aarhus/ })
        .count(),
    ).toBe(1);
    await viewerContext.close();
    expect(staff.cspViolations).toEqual([]);
    expect(staff.pageErrors).toEqual([]);
  });

  it('the clusters page shows sizes, the heat map and the projection, and a marketer names a cluster inline', async () => {
    const context = await staff.newContext();
    const page = await staff.signIn(context, 'm.marketer');
    await page.getByTestId('nav-clusters').click();
    await page.getByTestId('heat-map').waitFor();
    const sizes = page.getByTestId('cluster-sizes').locator('tbody tr');
    const clusters = await sizes.count();
    expect(clusters).toBeGreaterThan(1);
    expect(await page.getByTestId('heat-map').locator('rect').count()).toBeGreaterThanOrEqual(clusters * 5);
    expect(await page.getByTestId('projection').locator('circle').count()).toBe(clusters);

    const first = sizes.first();
    await first.getByTestId('rename').click();
    await first.getByRole('textbox').fill('Pension planners');
    await first.getByTestId('save-name').click();
    await expect.poll(() => first.getByTestId('cluster-name').textContent()).toBe('Pension planners');
    await page.reload();
    await expect
      .poll(() =>
        page.getByTestId('cluster-sizes').locator('tbody tr').first().getByTestId('cluster-name').textContent(),
      )
      .toBe('Pension planners');
    // The name labels the projection too.
    expect(await page.getByTestId('projection').innerHTML()).toContain('Pension planners');
    await context.close();

    // A viewer reads but cannot rename or retrain.
    const viewerContext = await staff.newContext();
    const viewer = await staff.signIn(viewerContext, 'v.viewer');
    await viewer.goto(`${stack.apiUrl}/console/#/clusters`);
    await viewer.getByTestId('heat-map').waitFor();
    expect(await viewer.getByTestId('rename').count()).toBe(0);
    expect(await viewer.getByTestId('retrain').count()).toBe(0);
    await viewerContext.close();

    // An admin retrains: the new model is compared with the one before, and the clusters that stayed keep their names.
    const adminContext = await staff.newContext();
    const admin = await staff.signIn(adminContext, 's.admin');
    await admin.goto(`${stack.apiUrl}/console/#/clusters`);
    await admin.getByTestId('heat-map').waitFor();
    await admin.getByTestId('retrain').click();
    const comparison = admin.getByTestId('training-comparison');
    await comparison.waitFor({ timeout: 100_000 });
    expect(await comparison.getByRole('heading').textContent()).toBe('v2 compared with v1');
    expect(await comparison.textContent()).toMatch(/adjusted Rand index [01]\.\d{3}/);
    await expect.poll(() => admin.getByTestId('cluster-model').textContent()).toMatch(/^Model v2:/);
    expect(await admin.getByTestId('cluster-sizes').textContent()).toContain('Pension planners');
    await adminContext.close();
    expect(staff.cspViolations).toEqual([]);
    expect(staff.pageErrors).toEqual([]);
  }, 240_000);

  it('the KPI page charts the counts over time and narrows them by the filters', async () => {
    const context = await staff.newContext();
    const page = await staff.signIn(context, 'v.viewer');
    await page.getByTestId('nav-kpis').click();
    await page.getByTestId('kpi-counts-chart').waitFor();
    await expect.poll(() => page.getByTestId('total-impressions').textContent()).toBe(String(served.length));
    expect(await page.getByTestId('total-clicks').textContent()).toBe(String(served.length));
    expect(await page.getByTestId('total-clickThrough').textContent()).toBe('100.00 %');
    // One line per count, drawn through every day of the period.
    const lines = page.getByTestId('kpi-counts-chart').locator('polyline');
    expect(await lines.count()).toBe(5);
    expect(((await lines.first().getAttribute('points')) ?? '').split(' ')).toHaveLength(28);
    await page.getByTestId('pressure-chart').waitFor();
    expect(Number((await page.getByTestId('reached-cap').textContent())?.replaceAll(',', ''))).toBeGreaterThanOrEqual(
      0,
    );

    const offer = served[0]?.offerId as string;
    await page.getByLabel('Offer', { exact: true }).selectOption(offer);
    await page.getByTestId('apply-filters').click();
    const expected = served.filter((s) => s.offerId === offer).length;
    await expect.poll(() => page.getByTestId('total-impressions').textContent()).toBe(String(expected));
    const offers = await page.getByTestId('kpi-breakdown').locator('tbody th').allTextContents();
    expect(new Set(offers)).toEqual(new Set([offer]));
    // Every breakdown row names the cluster the decision saw.
    const clusterCells = await page.getByTestId('kpi-breakdown').locator('tbody tr td:nth-child(2)').allTextContents();
    for (const cell of clusterCells) expect(cell).toMatch(/cluster-\d+/);
    await context.close();
    expect(staff.cspViolations).toEqual([]);
    expect(staff.pageErrors).toEqual([]);
  });

  it('axe finds nothing serious or critical on the clusters, KPI, advisor queue and action-rate pages', async () => {
    // axe is injected as a script, which the console's strict CSP would rightly refuse.
    const context = await staff.newContext({ bypassCSP: true });
    const admin = await staff.signIn(context, 's.admin');
    const pages: Array<[string, () => Promise<void>]> = [
      ['clusters', () => admin.getByTestId('projection').waitFor()],
      ['kpis', () => admin.getByTestId('kpi-breakdown').waitFor()],
      ['advisors', () => admin.getByTestId('rates-branches').waitFor()],
    ];
    for (const [route, ready] of pages) {
      await admin.goto(`${stack.apiUrl}/console/#/${route}`);
      await ready();
      expect(await seriousViolations(admin), route).toEqual([]);
    }
    await context.close();

    const advisorContext = await staff.newContext({ bypassCSP: true });
    const advisor = await staff.signIn(advisorContext, 'r.advisor');
    await advisor.getByTestId('queue-entry').first().waitFor();
    expect(await seriousViolations(advisor), 'queue').toEqual([]);
    await advisorContext.close();
  });
});
