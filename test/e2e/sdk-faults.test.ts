import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG } from '../../packages/decision-api/src/config.js';
import { Catalog } from '../../packages/decision-api/src/contract/index.js';
import { type RunningServer, startNodeServer } from '../../packages/decision-api/src/runtime/node.js';
import { openStore } from '../../packages/decision-api/src/store/open.js';
import { launchChromium, readQueuedIds } from '../support/browser.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SDK_DIST = join(ROOT, 'packages/sdk-web/dist/');
const PREACT_DIST = join(ROOT, 'packages/sdk-web/node_modules/preact/dist/');
const SITE_KEY = 'pk_demo_netbank';
const HEIGHT = 240;

interface Report {
  kind: string;
  message: string;
  status?: number;
  dropped?: string[];
}

/**
 * The SDK as a bank's page ships it (the built dist, Preact from its package), in front of the real decision API
 * (embedded store, the demo catalog). The page takes the client's options from `?options=<json>`; it collects what
 * the SDK reports in `reports` and anything that reaches the page as an error or an unhandled rejection in `problems`.
 */
function pageHtml(apiUrl: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Net bank</title>
    <script type="importmap">{ "imports": { "preact": "/preact/preact.mjs" } }</script>
  </head>
  <body style="margin: 0">
    <header id="above" style="height: 64px">Net bank</header>
    <tp-placement name="dashboard-hero" width="960" height="${HEIGHT}"></tp-placement>
    <main id="below">Your accounts</main>
    <script type="module">
      import { createClient } from '/sdk/index.js';
      import { definePlacementElement } from '/sdk/elements/index.js';
      window.reports = [];
      window.problems = [];
      addEventListener('error', (event) => problems.push('error: ' + event.message));
      addEventListener('unhandledrejection', (event) => problems.push('unhandled rejection: ' + event.reason));
      const { placement = true, ...options } = JSON.parse(new URLSearchParams(location.search).get('options') ?? '{}');
      window.touchpoint = createClient({
        endpoint: ${JSON.stringify(apiUrl)},
        siteKey: ${JSON.stringify(SITE_KEY)},
        channel: 'netbank',
        consent: 'granted',
        locale: 'en',
        onError: ({ kind, message, status, dropped }) => reports.push({ kind, message, status, dropped }),
        ...options,
      });
      if (placement) definePlacementElement(touchpoint);
    </script>
  </body>
</html>`;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.map': 'application/json',
};

async function startPageServer(apiUrl: () => string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname;
    const file = path.startsWith('/sdk/')
      ? join(SDK_DIST, path.slice('/sdk/'.length))
      : path.startsWith('/preact/')
        ? join(PREACT_DIST, path.slice('/preact/'.length))
        : null;
    if (path === '/' || path === '/dashboard') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(pageHtml(apiUrl()));
      return;
    }
    try {
      if (!file || file.includes('..')) throw new Error('not found');
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, server };
}

describe('the browser SDK in Chromium, with faults injected in front of the real decision API', () => {
  let dataDir: string;
  let api: RunningServer;
  let pages: { url: string; server: Server };
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let context: BrowserContext;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'touchpoint-sdk-faults-'));
    const store = await openStore({ dataDir });
    const catalog = JSON.parse(readFileSync(join(ROOT, 'packages/decision-api/seed/catalog.json'), 'utf8'));
    await store.saveCatalog(Catalog.parse(catalog));
    await store.close();
    // The page's origin goes into the API's site key (CORS); the API's URL into the page.
    pages = await startPageServer(() => api.url);
    api = await startNodeServer({
      port: 0,
      dataDir,
      log: () => {},
      config: { ...DEMO_CONFIG, siteKeys: [{ key: SITE_KEY, channel: 'netbank', origins: [pages.url] }] },
    });
    ({ browser, close: closeBrowser } = await launchChromium());
  });

  afterEach(async () => {
    await context?.close();
  });

  afterAll(async () => {
    await closeBrowser?.();
    pages?.server.close();
    await api?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function open(options: Record<string, unknown> = {}, into?: BrowserContext): Promise<Page> {
    context = into ?? (await browser.newContext());
    const page = await context.newPage();
    await page.goto(`${pages.url}/dashboard?options=${encodeURIComponent(JSON.stringify(options))}`);
    await page.waitForFunction(() => 'touchpoint' in window);
    return page;
  }

  const track = (page: Page, count = 1) =>
    page.evaluate((count) => {
      const client = (window as unknown as { touchpoint: { track(type: string, fields?: object): string } }).touchpoint;
      return Array.from({ length: count }, (_, i) =>
        client.track('product_view', { product: `car_loan`, properties: { i } }),
      );
    }, count);
  const call = (page: Page, method: 'flush' | 'logout' | 'setConsent', argument?: string) =>
    page.evaluate(
      ([method, argument]) =>
        (window as unknown as { touchpoint: Record<string, (value?: string) => unknown> }).touchpoint[method]?.(
          argument,
        ),
      [method, argument] as const,
    );
  const reports = (page: Page) => page.evaluate(() => (window as unknown as { reports: Report[] }).reports);
  const problems = (page: Page) => page.evaluate(() => (window as unknown as { problems: string[] }).problems);
  const stored = (ids: readonly string[]) => api.touchpoint.services.store.countTouchpointsWithIds(ids);

  /** Records the ids of every touchpoint batch that leaves the page (what Chromium sends, before any fault). */
  function watchBatches(page: Page): string[][] {
    const batches: string[][] = [];
    page.on('request', (request) => {
      if (!request.url().includes('/v1/touchpoints') || request.method() !== 'POST') return;
      const body = JSON.parse(request.postData() ?? '{}') as { touchpoints?: Array<{ id: string }> };
      batches.push((body.touchpoints ?? []).map((item) => item.id));
    });
    return batches;
  }

  /** Routes the real API's `path` through `handle` (preflights go through untouched). */
  const intercept = (page: Page, path: string, handle: (route: Route) => Promise<void>) =>
    page.route(`${api.url}${path}`, (route) =>
      route.request().method() === 'POST' ? handle(route) : route.continue(),
    );

  const cors = () => ({ 'access-control-allow-origin': pages.url, 'content-type': 'application/json' });

  // Pages without a placement here: its impression would be one more touchpoint in the queue.
  it('a batch whose answer is lost is sent again after a reload with the same ids, and the API holds each once', async () => {
    const page = await open({ flushIntervalMs: 60_000, placement: false });
    const batches = watchBatches(page);
    // The API receives and stores the batch, but the answer never reaches the page.
    let attempts = 0;
    await intercept(page, '/v1/touchpoints', async (route) => {
      // The first attempt reaches the API; retries before the reload do not even leave.
      if (attempts++ === 0) await route.fetch();
      await route.abort(attempts === 1 ? 'connectionreset' : 'internetdisconnected');
    });
    const ids = await track(page, 3);
    await call(page, 'flush');
    expect(await reports(page)).toContainEqual(
      expect.objectContaining({ kind: 'delivery', message: expect.stringMatching(/^send failed; retry in/) }),
    );
    expect(await stored(ids)).toBe(3);
    expect(await readQueuedIds(page)).toEqual(ids);

    await page.unroute(`${api.url}/v1/touchpoints`);
    await page.reload();
    await page.waitForFunction(() => 'touchpoint' in window);
    await call(page, 'flush');
    await expect.poll(() => readQueuedIds(page), { timeout: 10_000 }).toEqual([]);
    // Every attempt carried the same ids; the API counted them once.
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches.every((batch) => JSON.stringify(batch) === JSON.stringify(ids))).toBe(true);
    expect(await stored(ids)).toBe(3);
    expect(await problems(page)).toEqual([]);
  });

  it('one touchpoint the server fails on (500) never holds the queue: the others arrive, it is reported', async () => {
    const page = await open({ flushIntervalMs: 60_000, placement: false });
    let poisoned = '';
    // Any batch holding the poisoned touchpoint gets 500; every other batch reaches the real API.
    await intercept(page, '/v1/touchpoints', async (route) => {
      const body = JSON.parse(route.request().postData() ?? '{}') as { touchpoints?: Array<{ id: string }> };
      if (body.touchpoints?.some((item) => item.id === poisoned)) {
        await route.fulfill({ status: 500, headers: cors(), body: JSON.stringify({ title: 'Internal error' }) });
      } else await route.continue();
    });
    const ids = await track(page, 7);
    poisoned = ids[2] as string;
    const others = ids.filter((id) => id !== poisoned);
    await call(page, 'flush');
    // Waits for the signal: the poisoned touchpoint reported as given up, after the halves went through.
    await expect
      .poll(async () => (await reports(page)).filter((report) => report.dropped?.length), { timeout: 60_000 })
      .toEqual([{ kind: 'delivery', message: 'touchpoint set aside', status: 500, dropped: [poisoned] }]);
    expect(await stored(others)).toBe(others.length);
    expect(await stored([poisoned])).toBe(0);
    await expect.poll(() => readQueuedIds(page)).toEqual([]);
    expect(await problems(page)).toEqual([]);
  });

  it('a request aborted on its way goes again, with the same ids, once the network is back', async () => {
    const page = await open({ flushIntervalMs: 60_000, placement: false });
    const batches = watchBatches(page);
    await intercept(page, '/v1/touchpoints', (route) => route.abort('internetdisconnected'));
    const ids = await track(page, 2);
    await call(page, 'flush');
    expect(await stored(ids)).toBe(0);
    await page.unroute(`${api.url}/v1/touchpoints`);
    await page.reload();
    await page.waitForFunction(() => 'touchpoint' in window);
    await call(page, 'flush');
    await expect.poll(() => readQueuedIds(page)).toEqual([]);
    expect(batches.every((batch) => JSON.stringify(batch) === JSON.stringify(ids))).toBe(true);
    expect(await stored(ids)).toBe(2);
  });

  it('tabs take turns: with the Web Lock, two tabs flushing at once send each touchpoint once', async () => {
    // No placement on these pages: a decision would send the queue first, before the test lets both tabs flush.
    const first = await open({ flushIntervalMs: 60_000, placement: false });
    expect(await first.evaluate(() => typeof navigator.locks?.request)).toBe('function');
    const ids = await track(first, 4);
    await expect.poll(() => readQueuedIds(first)).toEqual(ids);
    // A second tab of the net bank takes the device queue into its own.
    const second = await open({ flushIntervalMs: 60_000, placement: false }, context);
    const sent = [...[first, second].map((page) => watchBatches(page))];
    for (const page of [first, second]) {
      // Slow answers, so the two sends would overlap if nothing kept them apart (stays a fixed delay: with the lock
      // the second send never starts while the first is held, so no signal could release it).
      await intercept(page, '/v1/touchpoints', async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        await route.continue();
      });
    }
    await Promise.all([call(first, 'flush'), call(second, 'flush')]);
    expect(sent.flat(2).sort()).toEqual([...ids].sort());
    expect(await stored(ids)).toBe(4);
  });

  it('without the Web Locks API a tab still sends', async () => {
    context = await browser.newContext();
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined });
    });
    const page = await open({ flushIntervalMs: 60_000 }, context);
    expect(await page.evaluate(() => navigator.locks)).toBeUndefined();
    const ids = await track(page, 2);
    await call(page, 'flush');
    expect(await stored(ids)).toBe(2);
    expect(await problems(page)).toEqual([]);
  });

  it('the queue has a cap: the oldest touchpoints beyond it are dropped and reported', async () => {
    const page = await open({ flushIntervalMs: 60_000, maxQueueSize: 3, placement: false });
    await intercept(page, '/v1/touchpoints', (route) => route.abort('internetdisconnected'));
    const ids = await track(page, 5);
    await expect.poll(() => readQueuedIds(page)).toEqual(ids.slice(2));
    const full = (await reports(page)).filter((report) => report.message === 'queue full');
    expect(full.flatMap((report) => report.dropped)).toEqual(ids.slice(0, 2));
    expect(full.every((report) => report.kind === 'storage')).toBe(true);
  });

  it.each([
    ['opening it throws (storage blocked)', 'throw'],
    ['it is missing (a private mode)', 'missing'],
  ])('when IndexedDB %s, touchpoints wait in memory and are sent', async (_, fault) => {
    context = await browser.newContext();
    await context.addInitScript((fault) => {
      if (fault === 'missing') Object.defineProperty(window, 'indexedDB', { get: () => undefined });
      else
        IDBFactory.prototype.open = () => {
          throw new DOMException('The user denied permission to access the database.', 'SecurityError');
        };
    }, fault);
    const page = await open({ flushIntervalMs: 60_000 }, context);
    const ids = await track(page, 2);
    await call(page, 'flush');
    expect(await stored(ids)).toBe(2);
    expect(await reports(page)).toContainEqual(expect.objectContaining({ kind: 'storage' }));
    expect(await problems(page)).toEqual([]);
  });

  it('consent pending keeps touchpoints in memory only; granted stores and sends them; denied sends nothing', async () => {
    // The pages' timers run when the test says: the flush interval passes ten times over, with no sleep.
    context = await browser.newContext();
    await context.clock.install();
    const page = await open({ consent: 'pending', flushIntervalMs: 100, placement: false }, context);
    const batches = watchBatches(page);
    const ids = await track(page, 2);
    await call(page, 'flush');
    await page.clock.runFor(1_000);
    // A send that a timer started would be in flight now, and the next flush waits for it.
    await call(page, 'flush');
    expect(batches).toEqual([]);
    expect(await page.evaluate(() => indexedDB.databases().then((all) => all.map((db) => db.name)))).not.toContain(
      'touchpoint',
    );
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length])).toEqual([0, 0]);

    await call(page, 'setConsent', 'granted');
    await call(page, 'flush');
    expect(batches.flat()).toEqual(ids);
    expect(await stored(ids)).toBe(2);

    const declined = await open({ consent: 'denied', flushIntervalMs: 100 }, context);
    const declinedBatches = watchBatches(declined);
    expect(await track(declined, 1)).toEqual([null]);
    await call(declined, 'flush');
    await declined.clock.runFor(1_000);
    await call(declined, 'flush');
    expect(declinedBatches).toEqual([]);
  });

  it('logout empties the device queue: nothing of the previous customer is sent after a reload', async () => {
    const page = await open({ flushIntervalMs: 60_000, placement: false });
    const batches = watchBatches(page);
    const ids = await track(page, 2);
    await expect.poll(() => readQueuedIds(page)).toEqual(ids);
    await call(page, 'logout');
    await expect.poll(() => readQueuedIds(page)).toEqual([]);
    await page.reload();
    await page.waitForFunction(() => 'touchpoint' in window);
    await call(page, 'flush');
    expect(batches).toEqual([]);
    expect(await stored(ids)).toBe(0);
  });

  describe('a decision that fails never breaks the page, and the placement keeps its reserved box', () => {
    /** Answers only once the page has reported the decision given up: an answer that comes after the timeout. */
    const answerAfterTheTimeout = async (route: Route) => {
      const page = route.request().frame().page();
      await expect
        .poll(() => reports(page), { timeout: 30_000 })
        .toContainEqual(expect.objectContaining({ kind: 'decision' }))
        .then(() => route.continue())
        .catch(() => {});
    };
    const faults: Array<[string, (route: Route) => Promise<void>]> = [
      [
        'a 500',
        (route) =>
          route.fulfill({
            status: 500,
            headers: cors(),
            body: JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500 }),
          }),
      ],
      ['a body that is not JSON', (route) => route.fulfill({ status: 200, headers: cors(), body: '{"decisions": [' })],
      [
        'a malformed decision with a script link',
        (route) =>
          route.fulfill({
            status: 200,
            headers: cors(),
            body: JSON.stringify({
              decisions: [
                {
                  placement: 'dashboard-hero',
                  decisionId: 'd1',
                  reason: '',
                  ttlSeconds: 60,
                  offer: {
                    offerId: 'x',
                    headline: 'Hi',
                    body: '',
                    locale: 'en',
                    cta: { label: 'Go', url: 'javascript:alert(1)' },
                  },
                },
              ],
            }),
          }),
      ],
      ['a network error', (route) => route.abort('connectionrefused')],
      ['an answer slower than the timeout', answerAfterTheTimeout],
    ];

    it.each(faults)('after %s', async (_, fault) => {
      context = await browser.newContext();
      const page = await context.newPage();
      await intercept(page, '/v1/decisions', fault);
      await page.goto(
        `${pages.url}/dashboard?options=${encodeURIComponent(JSON.stringify({ decisionTimeoutMs: 800 }))}`,
      );
      const placement = page.locator('tp-placement');
      const boxBefore = await placement.boundingBox();
      const belowBefore = await page.locator('#below').boundingBox();
      await expect
        .poll(() => reports(page), { timeout: 10_000 })
        .toContainEqual(expect.objectContaining({ kind: 'decision' }));
      expect(boxBefore?.height).toBe(HEIGHT);
      expect(await placement.boundingBox()).toEqual(boxBefore);
      expect(await page.locator('#below').boundingBox()).toEqual(belowBefore);
      // Nothing is shown in the box, and nothing of the malformed answer reached the page.
      expect(await placement.getAttribute('aria-hidden')).toBe('true');
      expect(await placement.locator('a').count()).toBe(0);
      // The SDK reported it; the page saw no error and no unhandled rejection.
      expect(await problems(page)).toEqual([]);
    });

    it('a slow decision gives way to the cached one after the timeout', async () => {
      // The first decision has all the time it needs (the API may be slow to warm up).
      const page = await open({ decisionTimeoutMs: 10_000 });
      const banner = page.locator('tp-placement [role="region"][data-offer-id]');
      await banner.waitFor();
      const offerId = await banner.getAttribute('data-offer-id');
      // The cached decision has expired, so the next page load asks again; the API then answers too late.
      await page.evaluate(() => {
        const key = 'touchpoint:decisions';
        const cache = JSON.parse(sessionStorage.getItem(key) ?? '{}') as Record<string, { expiresAt: number }>;
        for (const entry of Object.values(cache)) entry.expiresAt = 0;
        sessionStorage.setItem(key, JSON.stringify(cache));
      });
      let asked = 0;
      await intercept(page, '/v1/decisions', async (route) => {
        asked++;
        await answerAfterTheTimeout(route);
      });
      await page.goto(
        `${pages.url}/dashboard?options=${encodeURIComponent(JSON.stringify({ decisionTimeoutMs: 1_500 }))}`,
      );
      await banner.waitFor();
      expect(asked).toBe(1);
      expect(await banner.getAttribute('data-offer-id')).toBe(offerId);
      expect(await reports(page)).toContainEqual(expect.objectContaining({ kind: 'decision', message: 'no decision' }));
      expect((await page.locator('tp-placement').boundingBox())?.height).toBe(HEIGHT);
      expect(await problems(page)).toEqual([]);
    });

    it('touchpoint sends that fail with 500 or time out do not reach the page either', async () => {
      const page = await open({ flushIntervalMs: 60_000 });
      let calls = 0;
      await intercept(page, '/v1/touchpoints', async (route) => {
        if (calls++ === 0) {
          await route.fulfill({ status: 500, headers: cors(), body: '{}' });
          return;
        }
        await route.abort('timedout');
      });
      await track(page, 2);
      await call(page, 'flush');
      expect(await reports(page)).toContainEqual(expect.objectContaining({ kind: 'delivery', status: 500 }));
      // The retry (after at most a second) times out, and the SDK reports that too: the page has seen it by then.
      await expect
        .poll(async () => (await reports(page)).filter((report) => report.kind === 'delivery').length, {
          timeout: 10_000,
        })
        .toBeGreaterThanOrEqual(2);
      expect(calls).toBeGreaterThanOrEqual(2);
      expect(await problems(page)).toEqual([]);
    });
  });
});
