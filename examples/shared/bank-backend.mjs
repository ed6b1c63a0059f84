// The bank's own small backend, as the example apps need it: it serves a built single-page app with Touchpoint's
// runtime configuration placed in the page, lists the demo customers and mints a customer token at login.
// Plain node:http; the token signer is handed in by each example's server.mjs.
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const CONFIG_BLOCK = /(<script\b[^>]*\bid="touchpoint-config"[^>]*>)[\s\S]*?(<\/script>)/;
const MAX_BODY_BYTES = 4 * 1024;
const PROBLEM_BASE = 'https://bank.example/problems/';
const TOKEN_LIFETIME_SECONDS = 60 * 60;

/**
 * Places the runtime configuration in the page as a JSON data block. `<` is escaped so no value can close the
 * element; the block is data, not script, so a strict Content-Security-Policy still holds.
 */
export function injectRuntimeConfig(html, config) {
  if (!CONFIG_BLOCK.test(html)) {
    throw new Error('index.html has no <script type="application/json" id="touchpoint-config"> block to fill');
  }
  const json = JSON.stringify(config).replaceAll('<', '\\u003c');
  return html.replace(CONFIG_BLOCK, (_match, open, close) => `${open}${json}${close}`);
}

/** The policy the pages are served with: scripts and styles from the bank only, API calls and offer images from Touchpoint. */
export function contentSecurityPolicy(apiOrigin) {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: ${apiOrigin}`,
    `connect-src 'self' ${apiOrigin}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * @typedef {object} DemoCustomer
 * @property {string} id pseudonymous customer id, the token's subject
 * @property {string} displayName
 * @property {readonly string[]} productsHeld
 * @property {{ da: string, en: string }} [situation] a line for the login screen
 */

/**
 * @typedef {object} BankBackendOptions
 * @property {number} port 0 picks a free port
 * @property {string} [host] default 127.0.0.1
 * @property {string} apiUrl base URL of the Touchpoint decision API
 * @property {string} siteKey publishable site key of the app's channel
 * @property {string} tokenSecret customer token secret shared with the decision API
 * @property {ReadonlyArray<DemoCustomer>} customers the demo customers who may log in
 */

/**
 * Starts the backend of one example app.
 * @param {BankBackendOptions & { distDir: URL, SignJWT: typeof import('jose').SignJWT }} options
 *   distDir: the built app (vite build output); SignJWT: jose's signer, from the calling app's dependencies
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startBankBackend({
  distDir,
  SignJWT,
  port,
  host = '127.0.0.1',
  apiUrl,
  siteKey,
  tokenSecret,
  customers,
}) {
  if (!apiUrl) throw new Error('apiUrl is required: the base URL of the Touchpoint decision API');
  if (!Array.isArray(customers) || customers.length === 0) {
    throw new Error('customers is required: the featured demo customers who may log in');
  }
  const mintCustomerToken = customerTokenMinter(SignJWT, tokenSecret);
  const runtimeConfig = { endpoint: apiUrl, siteKey };
  const root = resolve(fileURLToPath(distDir));
  const indexHtml = await readIndexHtml(root);
  const page = injectRuntimeConfig(indexHtml, runtimeConfig);
  const csp = contentSecurityPolicy(new URL(apiUrl).origin);
  // Only what the login screen shows: the generator's customers carry more (segment, flags) that stays here.
  const listed = customers.map(({ id, displayName, productsHeld, situation }) => ({
    id,
    displayName,
    productsHeld: [...productsHeld],
    ...(situation ? { situation: { da: situation.da, en: situation.en } } : {}),
  }));
  const byId = new Map(listed.map((customer) => [customer.id, customer]));

  const api = {
    '/api/customers': {
      GET: async () => json(200, { customers: listed }),
    },
    '/api/login': {
      POST: async (request) => {
        const body = await readJsonBody(request);
        if (body.problem) return body.problem;
        const customerId = body.value?.customerId;
        if (typeof customerId !== 'string' || !byId.has(customerId)) {
          return problem(400, 'unknown-customer', 'Unknown customer', 'customerId must be one of GET /api/customers.', [
            { path: '/customerId', message: 'not a demo customer' },
          ]);
        }
        const { token, expiresAt } = await mintCustomerToken(customerId);
        return json(200, { token, expiresAt, customer: byId.get(customerId) });
      },
    },
  };

  const server = createServer((request, response) => {
    handle(request).then(
      (reply) => send(response, request, reply),
      (error) => {
        console.error('[bank] request failed', error);
        send(response, request, problem(500, 'internal', 'Internal error', 'The request could not be completed.'));
      },
    );
  });

  async function handle(request) {
    const url = new URL(request.url ?? '/', 'http://bank.invalid');
    if (url.pathname.startsWith('/api/')) {
      const route = api[url.pathname];
      if (!route) return problem(404, 'not-found', 'Not found', `No API route ${url.pathname}.`);
      const handler = route[request.method ?? 'GET'];
      if (!handler) {
        return withHeaders(problem(405, 'method-not-allowed', 'Method not allowed'), {
          allow: Object.keys(route).join(', '),
        });
      }
      return handler(request);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return withHeaders(problem(405, 'method-not-allowed', 'Method not allowed'), { allow: 'GET, HEAD' });
    }
    const asset = await readAsset(root, url.pathname);
    if (asset) return asset;
    // Paths that name a file (an extension) are real misses; every other path is a client-side route of the app.
    if (extname(url.pathname) && url.pathname !== '/index.html') {
      return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not found' };
    }
    return {
      status: 200,
      headers: { 'content-type': CONTENT_TYPES['.html'], 'cache-control': 'no-cache', 'content-security-policy': csp },
      body: page,
    };
  }

  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host}:${boundPort}`,
    close: () =>
      new Promise((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

/** True when the module at moduleUrl is the script node was started with. */
export function isEntryPoint(moduleUrl) {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(resolve(process.argv[1])).href;
}

/**
 * The bank's backend vouches for who the customer is: an HS256 token whose subject is the pseudonymous customer id,
 * valid for one hour. Touchpoint verifies it; the id itself never travels in a request body.
 * @param {typeof import('jose').SignJWT} SignJWT jose's signer, from the calling app's dependencies
 * @param {string} secret shared with the decision API (TOUCHPOINT_CUSTOMER_TOKEN_SECRET)
 */
function customerTokenMinter(SignJWT, secret) {
  if (typeof secret !== 'string' || secret.length < 16) {
    throw new Error('tokenSecret is required: the customer token secret shared with the decision API (16+ characters)');
  }
  const key = new TextEncoder().encode(secret);
  return async (customerId) => {
    const expiresAt = Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_SECONDS;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(customerId)
      .setIssuer('demo-bank')
      .setAudience('touchpoint')
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(key);
    return { token, expiresAt: new Date(expiresAt * 1000).toISOString() };
  };
}

async function readIndexHtml(root) {
  try {
    return await readFile(join(root, 'index.html'), 'utf8');
  } catch {
    throw new Error(`${join(root, 'index.html')} is missing: build the app first (pnpm build at the repository root)`);
  }
}

/** A file of the build, or null. index.html is never served raw: it is the page with the configuration filled in. */
async function readAsset(root, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded === '/' || decoded === '/index.html') return null;
  const file = resolve(root, `.${decoded}`);
  if (!file.startsWith(root + sep)) return null;
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return null;
  const hashed = decoded.startsWith('/assets/');
  return {
    status: 200,
    headers: {
      'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      // Vite puts a content hash in every file name under assets/, so those never change; the rest may.
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    },
    body: await readFile(file),
  };
}

async function readJsonBody(request) {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    return { problem: problem(415, 'unsupported-media-type', 'Unsupported media type', 'Send application/json.') };
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      return { problem: problem(413, 'body-too-large', 'Request body too large', `At most ${MAX_BODY_BYTES} bytes.`) };
    }
    chunks.push(chunk);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return { value };
  } catch {
    return { problem: problem(400, 'invalid-json', 'Invalid JSON', 'The request body must be a JSON object.') };
  }
}

function json(status, value) {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(value),
  };
}

function problem(status, slug, title, detail, errors) {
  return {
    status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({
      type: `${PROBLEM_BASE}${slug}`,
      title,
      status,
      ...(detail ? { detail } : {}),
      ...(errors ? { errors } : {}),
    }),
  };
}

function withHeaders(reply, headers) {
  return { ...reply, headers: { ...reply.headers, ...headers } };
}

function send(response, request, { status, headers, body }) {
  response.writeHead(status, {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    ...headers,
    'content-length': Buffer.byteLength(body),
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/**
 * Runs an example's backend from the command line (`node examples/<app>/server.mjs`): the decision API's demo bank
 * provides the featured customers and the demo token secret.
 */
export async function runFromCommandLine({ name, defaultPort, start }) {
  const env = process.env;
  const decisionApi = await import('../../packages/decision-api/dist/index.js').catch((error) => {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      `The ${name} needs the demo bank from @touchpoint/decision-api, which is not built yet. Run "pnpm build" at the repository root, or start the whole demo with "pnpm start".`,
    );
  });
  const customers = decisionApi.featuredDemoCustomers(decisionApi.generateDemoBank({ now: new Date() }));
  const running = await start({
    port: Number(env.PORT ?? defaultPort),
    host: env.HOST ?? '127.0.0.1',
    apiUrl: env.API_URL ?? 'http://127.0.0.1:8787',
    tokenSecret: env.TOUCHPOINT_CUSTOMER_TOKEN_SECRET ?? decisionApi.DEMO_CUSTOMER_TOKEN_SECRET,
    customers,
    ...(env.SITE_KEY ? { siteKey: env.SITE_KEY } : {}),
  });
  console.log(`${name} is running at ${running.url}`);
  const stop = () => running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
