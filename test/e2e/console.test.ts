import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiConfig, DEMO_CONFIG } from '../../packages/decision-api/src/config.js';
import { featuredDemoCustomers, generateDemoBank } from '../../packages/decision-api/src/demo/index.js';
import { mintStaffToken } from '../../packages/decision-api/src/http/staff-token.js';
import { launchChromium } from '../support/browser.js';
import { consoleBrowser, PASSWORDS, seriousViolations } from '../support/console.js';
import { type Stack, startStack } from '../support/stack.js';

describe('staff in the console, in Chromium, against the demo started as the README starts it', () => {
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

  async function signOut(page: Page) {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Staff id').waitFor();
  }

  /** A draft written through the API with a marketer's token, as another marketer's browser would. */
  async function draftByApi(name: string): Promise<string> {
    const token = await mintStaffToken(ApiConfig.parse(DEMO_CONFIG).staffToken, {
      id: 'm.marketer',
      roles: ['marketer'],
    });
    const response = await fetch(`${stack.apiUrl}/v1/admin/experiments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        hypothesis: {
          change: 'Show the monthly cost of waiting instead of the monthly payment',
          audience: { placements: ['dashboard-hero'] },
          primaryMetric: 'click_through',
          minimumEffect: 0.05,
          direction: 'increase',
          principle: 'loss_aversion',
          rationale: 'Losses loom larger than gains of the same size.',
        },
        arms: [
          { id: 'control', name: 'Today', allocation: 1 },
          { id: 'lever', name: 'Pushed', allocation: 1, offer: 'car-loan-price', lever: 1.5 },
        ],
      }),
    });
    expect(response.status).toBe(201);
    return (await response.json()).experiment.id;
  }

  const navLabels = async (page: Page) =>
    (await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link').allInnerTexts()).map((t) =>
      t.trim(),
    );

  it('each role signs in and sees only the sections it may use; a wrong password is refused without a hint', async () => {
    const context = await staff.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.apiUrl}/console/`);
    await page.getByLabel('Staff id').fill('m.marketer');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').innerText(), { timeout: 20_000 })
      .toContain('The staff id or the password is wrong.');
    await context.close();

    const expected: Record<string, string[]> = {
      'v.viewer': [
        'Preview',
        'Experiments',
        'Compare by principle',
        'Offers',
        'Audit log',
        'Clusters',
        'Offer KPIs',
        'Advisor action rate',
      ],
      'm.marketer': [
        'Preview',
        'Experiments',
        'New experiment',
        'Compare by principle',
        'Offers',
        'Clusters',
        'Offer KPIs',
      ],
      'a.approver': [
        'Preview',
        'Experiments',
        'Compare by principle',
        'Offers',
        'Audit log',
        'Offer KPIs',
        'Advisor action rate',
      ],
      'r.advisor': ['Advisor queue'],
      's.admin': [
        'Preview',
        'Experiments',
        'New experiment',
        'Compare by principle',
        'Offers',
        'Audit log',
        'Clusters',
        'Offer KPIs',
        'Advisor queue',
        'Advisor action rate',
      ],
    };
    for (const [id, sections] of Object.entries(expected)) {
      const roleContext = await staff.newContext();
      const rolePage = await staff.signIn(roleContext, id);
      expect(await navLabels(rolePage), id).toEqual(sections);
      await signOut(rolePage);
      // Signed out: the session cookie is gone, so the API no longer knows the browser.
      const me = await rolePage.evaluate(async () => (await fetch('/v1/admin/me')).status);
      expect(me).toBe(401);
      await roleContext.close();
    }
    expect(staff.cspViolations).toEqual([]);
  });

  it('a marketer’s draft cannot start until an approver, another person, approves it; the power calculator follows the form', async () => {
    const marketerContext = await staff.newContext();
    const marketer = await staff.signIn(marketerContext, 'm.marketer');
    await marketer.getByTestId('nav-experiments-new').click();
    await marketer.getByLabel('Name', { exact: true }).fill('Car-loan hero: the cost of waiting');
    await marketer.getByLabel('What changes').fill('Show the monthly cost of waiting instead of the payment');
    await marketer.getByLabel('Why it should work').fill('Losses loom larger than gains of the same size.');
    await marketer.getByLabel('Behavioural principle').selectOption('loss_aversion');
    await marketer.getByLabel('Offer the variant changes').fill('car-loan-price');

    const sample = marketer.getByTestId('sample-per-arm');
    await sample.waitFor({ timeout: 20_000 });
    const atTwoPoints = Number((await sample.innerText()).replaceAll(',', ''));
    await marketer.getByLabel('Smallest effect worth detecting (percentage points)').fill('5');
    await expect
      .poll(async () => Number((await sample.innerText()).replaceAll(',', '')), { timeout: 20_000 })
      .toBeLessThan(atTwoPoints);
    // A larger effect needs fewer customers per arm: the plan is the API's, read again as the form changed.
    await marketer.getByLabel('Smallest effect worth detecting (percentage points)').fill('1');
    await expect
      .poll(async () => Number((await sample.innerText()).replaceAll(',', '')), { timeout: 20_000 })
      .toBeGreaterThan(atTwoPoints);
    await marketer.getByLabel('Smallest effect worth detecting (percentage points)').fill('5');
    await expect.poll(() => marketer.getByTestId('power-verdict').innerText(), { timeout: 20_000 }).toMatch(/Feasible/);

    await marketer.getByTestId('save-draft').click();
    await marketer.waitForURL(/#\/experiments\/[0-9a-f-]{36}$/);
    const experimentUrl = marketer.url();
    expect(await marketer.getByTestId('status').innerText()).toBe('draft');
    // A marketer does not approve.
    expect(await marketer.getByTestId('approve').count()).toBe(0);
    await marketer.getByTestId('start').click();
    await expect
      .poll(() => marketer.getByRole('alert').innerText(), { timeout: 20_000 })
      .toContain('Only an approved experiment starts; this one is draft.');
    expect(await marketer.getByTestId('status').innerText()).toBe('draft');

    const approverContext = await staff.newContext();
    const approver = await staff.signIn(approverContext, 'a.approver');
    await approver.goto(experimentUrl);
    await approver.getByTestId('approve').click();
    await expect.poll(() => approver.getByTestId('status').innerText(), { timeout: 20_000 }).toBe('approved');
    await approverContext.close();

    await marketer.reload();
    await marketer.getByTestId('start').click();
    await expect.poll(() => marketer.getByTestId('status').innerText(), { timeout: 20_000 }).toBe('running');
    await marketer.getByTestId('results').waitFor();
    await marketer.getByLabel('Decision').selectOption('keep_control');
    await marketer.getByTestId('stop').click();
    await expect.poll(() => marketer.getByTestId('status').innerText(), { timeout: 20_000 }).toBe('stopped');
    await marketerContext.close();
    expect(staff.cspViolations).toEqual([]);
    expect(staff.pageErrors).toEqual([]);
  });

  it('a viewer sees no button that changes anything, and the API refuses a change forced from the page', async () => {
    const id = await draftByApi('Savings hero: a default goal');
    const context = await staff.newContext();
    const viewer = await staff.signIn(context, 'v.viewer');
    expect(await navLabels(viewer)).not.toContain('New experiment');
    await viewer.goto(`${stack.apiUrl}/console/#/experiments/${id}`);
    await viewer.getByTestId('no-actions').waitFor();
    for (const button of ['approve', 'start', 'stop', 'new-experiment']) {
      expect(await viewer.getByTestId(button).count(), button).toBe(0);
    }
    const forced = await viewer.evaluate(async (experimentId) => {
      const csrf = /(?:^|;\s*)tp_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      const response = await fetch(`/v1/admin/experiments/${experimentId}/approve`, {
        method: 'POST',
        headers: { 'x-csrf-token': csrf },
      });
      return { status: response.status, type: (await response.json()).type };
    }, id);
    expect(forced.status).toBe(403);
    expect(forced.type).toMatch(/forbidden$/);
    await viewer.reload();
    expect(await viewer.getByTestId('status').innerText()).toBe('draft');
    await context.close();
    expect(staff.cspViolations).toEqual([]);
  });

  it('a marketer previews a real demo customer and a synthetic profile: the banner at the placement’s size and the whole trace', async () => {
    const [customer] = featuredDemoCustomers(generateDemoBank({ now: new Date() }));
    expect(customer).toBeDefined();
    const context = await staff.newContext();
    const page = await staff.signIn(context, 'm.marketer');
    // Wide enough for the dashboard hero at its full 960 px next to the navigation.
    await page.setViewportSize({ width: 1500, height: 1000 });
    await page.getByTestId('nav-preview').click();
    await page.getByLabel('Customer id (pseudonymous)').fill(customer?.id ?? '');
    await page.getByTestId('run-preview').click();
    const hero = page.getByTestId('preview-dashboard-hero');
    await hero.getByTestId('trace-candidates').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('preview-result').getByRole('heading', { level: 2 }).first().innerText()).toContain(
      `customer ${customer?.id}`,
    );
    // The decision drawn as the banner customers see, in the placement's size, and the trace as tables.
    const banner = hero.getByTestId('preview-banner');
    expect(await banner.boundingBox()).toMatchObject({ width: 960, height: 240 });
    expect(await banner.locator('.tp-banner').getAttribute('data-offer-id')).toMatch(/^[a-z]/);
    expect(await banner.locator('.tp-cta').isVisible()).toBe(true);
    expect(await hero.getByTestId('trace-candidates').locator('tbody tr').count()).toBeGreaterThan(1);
    expect(await hero.getByTestId('trace-summary').innerText()).toMatch(
      /Contact policy\s+\d+ of \d+ contacts this week/,
    );
    const sidebar = page.getByTestId('preview-product-sidebar').getByTestId('preview-banner');
    expect(await sidebar.boundingBox()).toMatchObject({ width: 300, height: 360 });

    // A synthetic profile pricing a car loan: a car-loan offer, the stage in the trace.
    await page.getByLabel('A synthetic profile').check();
    await page.getByLabel('Stage of Car loan').selectOption('compare');
    await page.getByLabel('Holds Savings').check();
    await page.getByTestId('run-preview').click();
    await expect
      .poll(() => page.getByTestId('preview-result').getByRole('heading', { level: 2 }).first().innerText(), {
        timeout: 20_000,
      })
      .toContain('the synthetic profile');
    const heroOffer = () => hero.locator('.tp-banner').getAttribute('data-offer-id');
    expect(await heroOffer()).toMatch(/^car-loan-/);
    expect(await hero.getByTestId('trace-summary').innerText()).toContain('car_loan: compare');
    expect(await hero.getByTestId('winner-changed').count()).toBe(1);

    // One input changed (no consent): generic content, and the preview says what changed.
    await page.getByLabel('Consent to personalization').selectOption('denied');
    await page.getByTestId('run-preview').click();
    await expect.poll(heroOffer, { timeout: 20_000 }).not.toMatch(/^car-loan-/);
    expect(await hero.getByTestId('winner-changed').innerText()).toMatch(/changed: was car-loan-/);
    expect(await hero.locator('tr.changed').count()).toBeGreaterThan(0);

    // A bad input is refused, naming the field.
    await page.getByLabel('A real customer').check();
    await page.getByLabel('Customer id (pseudonymous)').fill('c-nobody-here');
    await page.getByTestId('run-preview').click();
    await expect.poll(() => page.getByTestId('problem').innerText(), { timeout: 20_000 }).toContain('c-nobody-here');
    await context.close();
    expect(staff.cspViolations).toEqual([]);
    expect(staff.pageErrors).toEqual([]);
  });

  it('axe finds nothing serious or critical on any console page', async () => {
    const id = await draftByApi('Pension check: authority');
    // axe is injected as a script, which the console's strict CSP would rightly refuse.
    const context = await staff.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${stack.apiUrl}/console/`);
    await page.getByLabel('Staff id').waitFor();
    expect(await seriousViolations(page), 'sign-in').toEqual([]);
    await page.getByLabel('Staff id').fill('s.admin');
    await page.getByLabel('Password').fill(PASSWORDS['s.admin'] ?? '');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('who').waitFor();

    const pages: Array<[string, () => Promise<void>]> = [
      ['experiments', () => page.getByRole('table').waitFor()],
      ['experiments/new', () => page.getByTestId('sample-per-arm').or(page.getByTestId('power')).first().waitFor()],
      [`experiments/${id}`, () => page.getByTestId('status').waitFor()],
      ['compare', () => page.getByRole('button', { name: 'Compare' }).waitFor()],
      ['audit', () => page.getByTestId('audit').locator('tbody tr').first().waitFor()],
      ['preview', () => page.getByRole('checkbox', { name: /Dashboard hero/ }).waitFor()],
    ];
    for (const [route, ready] of pages) {
      await page.goto(`${stack.apiUrl}/console/#/${route}`);
      await ready();
      expect(await seriousViolations(page), route).toEqual([]);
    }
    await page.getByRole('button', { name: 'Compare' }).isVisible();
    await page.goto(`${stack.apiUrl}/console/#/compare`);
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.getByTestId('comparison').waitFor();
    expect(await seriousViolations(page), 'compare with results').toEqual([]);
    await page.goto(`${stack.apiUrl}/console/#/preview`);
    await page.getByLabel('A synthetic profile').check();
    await page.getByLabel('Stage of Mortgage').selectOption('apply');
    await page.getByTestId('run-preview').click();
    await page.getByTestId('preview-dashboard-hero').getByTestId('trace-candidates').waitFor();
    expect(await seriousViolations(page), 'preview with results').toEqual([]);
    await context.close();
  });
});
