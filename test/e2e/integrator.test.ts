import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiConfig, DEMO_CONFIG } from '../../packages/decision-api/src/config.js';
import { mintCustomerToken } from '../../packages/decision-api/src/http/customer-token.js';
import { launchChromium } from '../support/browser.js';
import { ROOT, type ScratchApp, scratchApp, snippetsOf } from '../support/readme-snippets.js';

const CLI = join(ROOT, 'packages/decision-api/dist/cli/main.js');

/** Vite's React template page, as `npm create vite -- --template react-ts` writes it. */
const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="UTF-8" /><title>My bank</title></head>
  <body>
    <div id="root"></div>
    <script type="module" src="/src/main.tsx"></script>
  </body>
</html>`;

/**
 * A host page whose global CSS would restyle anything it reaches: the React banner (in #root) and the element (its
 * shadow root) must look alike all the same.
 */
const HOSTILE_CSS = `
#root, #plain { text-align: center; color: red; font: italic 30px/3 serif; letter-spacing: 3px; text-transform: uppercase; word-spacing: 9px; text-indent: 20px; text-shadow: 1px 1px 0 lime; }
h2 { font-weight: 500; margin: 40px; font-size: 40px; }
p { margin: 2em; text-align: right !important; }
#root h2.tp-headline { font-weight: 100 !important; color: lime !important; }
#root .tp-banner p { font-size: 8px !important; }
a { color: red; text-decoration: underline wavy; }
button { background: red; border: 5px solid blue; }
* { box-sizing: content-box; }
img { border: 4px solid red; }
details, summary { display: inline; font-weight: 900; }`;

const HOSTILE_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="UTF-8" /><title>Hostile</title><style>${HOSTILE_CSS}</style></head>
  <body>
    <div id="root"></div>
    <div id="plain"><tp-placement name="dashboard-hero" width="960" height="240"></tp-placement></div>
    <script type="module" src="/src/main.tsx"></script>
    <script type="module" src="/src/hostile-element.ts"></script>
  </body>
</html>`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** The built app, served as any static host would; unknown paths get index.html. */
function serve(dir: string, port: number): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://app').pathname;
    const file = join(dir, path === '/' ? 'index.html' : path);
    const body = await readFile(file).catch(() => readFile(join(dir, 'index.html')));
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    response.end(body);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

let api: ChildProcess;
let apiOutput = '';
let dataDir: string;
let app: ScratchApp;
let browser: Browser;
let closeBrowser: () => Promise<void>;
const servers: Server[] = [];
let appOrigin: string;
let strangerOrigin: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'touchpoint-integrator-'));
  const [apiPort, appPort, strangerPort] = [await freePort(), await freePort(), await freePort()];
  appOrigin = `http://127.0.0.1:${appPort}`;
  strangerOrigin = `http://127.0.0.1:${strangerPort}`;

  // The decision API as the README starts it, the page's origin added the documented way; a smaller demo bank
  // (`seed --customers`) so the test starts sooner.
  const seeded = spawnSync(process.execPath, [CLI, 'seed', '--customers', '400', '--data-dir', dataDir], {
    encoding: 'utf8',
  });
  expect(seeded.status, `${seeded.stdout}${seeded.stderr}`).toBe(0);
  api = spawn(process.execPath, [CLI, 'serve', '--port', String(apiPort), '--data-dir', dataDir], {
    env: { ...process.env, TOUCHPOINT_DEMO_ORIGINS: appOrigin },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const listen = (chunk: Buffer) => {
      apiOutput += chunk;
      if (apiOutput.includes('decision API on')) resolve();
    };
    api.stdout?.on('data', listen);
    api.stderr?.on('data', listen);
    api.once('exit', (code) => reject(new Error(`the API exited with ${code}:\n${apiOutput}`)));
  });

  // The app: the README's own quick-start files, in Vite's React template, built by Vite.
  app = scratchApp(snippetsOf('README.md'), 'touchpoint-integrator-app-');
  writeFileSync(join(app.dir, 'index.html'), INDEX_HTML);
  writeFileSync(join(app.dir, 'hostile.html'), HOSTILE_HTML);
  // The element beside the React banner, on the README's client (without the element quick start's tracking, which
  // would only make the two decisions wait for a touchpoint to be stored).
  writeFileSync(
    join(app.dir, 'src/hostile-element.ts'),
    "import { definePlacementElement } from '@touchpoint/sdk-web/elements';\nimport { touchpoint } from './touchpoint';\n\ndefinePlacementElement(touchpoint);\n",
  );
  writeFileSync(join(app.dir, '.env'), `VITE_TOUCHPOINT_ENDPOINT=http://127.0.0.1:${apiPort}\n`);
  await build({
    root: app.dir,
    mode: 'production',
    logLevel: 'error',
    configFile: false,
    build: {
      outDir: 'dist',
      rolldownOptions: { input: { index: join(app.dir, 'index.html'), hostile: join(app.dir, 'hostile.html') } },
    },
  });
  servers.push(await serve(join(app.dir, 'dist'), appPort), await serve(join(app.dir, 'dist'), strangerPort));
  ({ browser, close: closeBrowser } = await launchChromium());
}, 300_000);

afterAll(async () => {
  await closeBrowser?.();
  for (const server of servers) server.close();
  api?.kill('SIGTERM');
  app?.dispose();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A fresh page that keeps what the SDK wrote to the console. */
async function open(origin: string, path = '/'): Promise<{ page: Page; logs: string[] }> {
  const page = await (await browser.newContext()).newPage();
  const logs: string[] = [];
  page.on('console', (message: ConsoleMessage) => logs.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => logs.push(`pageerror: ${error.message}`));
  await page.goto(`${origin}${path}`);
  return { page, logs };
}

const banner = (page: Page) => page.locator('#root [role="region"][data-offer-id]');
const consoleSays = (page: Page, text: string) =>
  page.waitForEvent('console', { predicate: (message) => message.text().includes(text), timeout: 30_000 });

describe('an integrator follows the README', () => {
  it('an anonymous visitor on a page of their own gets a banner', async () => {
    const { page, logs } = await open(appOrigin);
    await banner(page).waitFor({ timeout: 30_000 });
    expect(await banner(page).locator('.tp-headline').textContent()).not.toBe('');
    // debug: true tells why: the reason, and the development key's candidates.
    await expect.poll(() => logs.some((line) => line.startsWith('info: [touchpoint] dashboard-hero'))).toBe(true);
    await page.context().close();
  });

  it('a logged-in customer, with a token from `touchpoint customer-token`, gets a banner decided for them', async () => {
    const minted = spawnSync(process.execPath, [CLI, 'customer-token', 'c-00014'], { encoding: 'utf8' });
    expect(minted.status, minted.stderr).toBe(0);
    const token = minted.stdout.trim();
    const { page } = await open(appOrigin);
    await banner(page).waitFor({ timeout: 30_000 });
    // As the README says: in the page's console, drop what the tab cached for the anonymous visitor, set the token.
    await page.evaluate((value) => {
      sessionStorage.clear();
      sessionStorage.setItem('touchpoint-token', value);
    }, token);
    const answered = page.waitForResponse((response) => response.url().endsWith('/v1/decisions'));
    await page.reload();
    const response = await answered;
    expect(response.request().headers().authorization).toBe(`Bearer ${token}`);
    const { decisions } = (await response.json()) as { decisions: Array<{ why?: string }> };
    // A customer's own decision: it can be explained to them.
    expect(decisions[0]?.why).toEqual(expect.stringContaining('/v1/me/decisions/'));
    await banner(page).waitFor({ timeout: 30_000 });
    await page.context().close();
  });
});

describe('errors an integrator can read', () => {
  it('a page whose origin no key allows is told so, with the origin, the key and where to add it', async () => {
    const { page } = await open(strangerOrigin);
    const said = await consoleSays(page, 'is not allowed for site key');
    expect(said.text()).toContain(
      `no decision: Origin ${strangerOrigin} is not allowed for site key pk_demo_netbank; add it to the key's origins in TOUCHPOINT_SITE_KEYS, or to TOUCHPOINT_DEMO_ORIGINS for the demo keys.`,
    );
    expect(await banner(page).count()).toBe(0);
    await page.context().close();
  });

  it('a refused token is told once, and the visitor still gets a banner, decided anonymously', async () => {
    const options = ApiConfig.parse(DEMO_CONFIG).customerToken;
    const wrong = await mintCustomerToken({ ...options, issuer: 'my-bank' }, 'c-00014');
    const { page, logs } = await open(appOrigin);
    await banner(page).waitFor({ timeout: 30_000 });
    await page.evaluate((value) => {
      sessionStorage.clear();
      sessionStorage.setItem('touchpoint-token', value);
    }, wrong);
    const requests: Array<string | undefined> = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/v1/decisions') && request.method() === 'POST')
        requests.push(request.headers().authorization);
    });
    await page.reload();
    const said = await consoleSays(page, 'token refused');
    expect(said.text()).toContain(
      'token refused: The customer token claim "iss" is invalid. It must be "demo-bank" (TOUCHPOINT_CUSTOMER_TOKEN_ISSUER).',
    );
    await banner(page).waitFor({ timeout: 30_000 });
    expect(requests).toEqual([`Bearer ${wrong}`, undefined]);
    // Once through onError (the quick start's console.error), once in the debug log.
    expect(logs.filter((line) => line.includes('token refused'))).toEqual([
      expect.stringMatching(/^warning: \[touchpoint\] token refused: /),
      expect.stringMatching(/^error: token refused: /),
    ]);
    await page.context().close();
  });
});

const COMPARED = [
  'font-weight',
  'font-size',
  'font-style',
  'font-family',
  'line-height',
  'text-align',
  'text-transform',
  'text-indent',
  'text-shadow',
  'letter-spacing',
  'word-spacing',
  'color',
  'background-color',
  'margin-top',
  'margin-left',
  'padding-top',
  'padding-left',
  'border-top-width',
  'text-decoration-line',
  'box-sizing',
  'display',
];
const PARTS = ['.tp-banner', '.tp-headline', '.tp-body', '.tp-cta', '.tp-dismiss', '.tp-why > summary', '.tp-image'];

describe('the banner on a page with hostile global CSS', () => {
  it('the React banner keeps its looks: the same computed styles as the custom element’s in its shadow root', async () => {
    const { page, logs } = await open(appOrigin, '/hostile.html');
    await Promise.all([
      banner(page).waitFor({ timeout: 30_000 }),
      page.locator('tp-placement [role="region"]').waitFor({ timeout: 30_000 }),
    ]).catch((error: unknown) => {
      throw new Error(`${error}\n${logs.join('\n')}`);
    });
    const styles = await page.evaluate(
      ({ parts, properties }) => {
        const read = (root: ParentNode) =>
          Object.fromEntries(
            parts.map((part) => {
              const element = root.querySelector(part);
              const style = element ? getComputedStyle(element) : null;
              return [part, style ? Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)])) : null];
            }),
          );
        const shadow = document.querySelector('tp-placement')?.shadowRoot;
        return { react: read(document.querySelector('#root') as ParentNode), element: shadow ? read(shadow) : null };
      },
      { parts: PARTS, properties: COMPARED },
    );
    expect(styles.element).not.toBeNull();
    // The two may show different offers (one with an image, one without): parts both have are compared.
    const shared = PARTS.filter((part) => styles.react[part] && styles.element?.[part]);
    expect(shared).toEqual(
      expect.arrayContaining(['.tp-banner', '.tp-headline', '.tp-body', '.tp-cta', '.tp-dismiss']),
    );
    for (const part of shared) expect({ part, ...styles.react[part] }).toEqual({ part, ...styles.element?.[part] });
    expect(styles.react['.tp-headline']?.['font-weight']).toBe('700');
    expect(styles.react['.tp-body']?.['text-align']).toBe('start');
    expect(styles.react['.tp-banner']?.['text-transform']).toBe('none');
    await page.context().close();
  });
});
