// Starts the whole demo on one machine: the decision API on the embedded store (seeded with the demo bank
// on first start), the example net bank and the mobile-bank web view. Prints the URLs to open.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startMobileWebview } from '../examples/mobile-webview/server.mjs';
import { startNetbank } from '../examples/netbank/server.mjs';
import {
  DEMO_CONFIG,
  DEMO_CUSTOMER_TOKEN_SECRET,
  DEMO_STAFF_DIRECTORY,
  DEMO_STAFF_TOKEN_SECRET,
  featuredDemoCustomers,
  generateDemoBank,
} from '../packages/decision-api/dist/index.js';
import { startNodeServer } from '../packages/decision-api/dist/runtime/node.js';

const env = process.env;
const host = env.HOST ?? '127.0.0.1';
const apiPort = Number(env.API_PORT ?? 8787);
const netbankPort = Number(env.NETBANK_PORT ?? 5173);
const mobilePort = Number(env.MOBILE_PORT ?? 5174);
const dataDir = resolve(env.TOUCHPOINT_DATA_DIR ?? '.data/touchpoint');
const tokenSecret = env.TOUCHPOINT_CUSTOMER_TOKEN_SECRET ?? DEMO_CUSTOMER_TOKEN_SECRET;
const origins = (port) => [`http://localhost:${port}`, `http://127.0.0.1:${port}`];

mkdirSync(dataDir, { recursive: true });
const api = await startNodeServer({
  port: apiPort,
  host,
  dataDir,
  seedDemo: true,
  config: {
    siteKeys: [
      { key: 'pk_demo_netbank', channel: 'netbank', origins: origins(netbankPort) },
      { key: 'pk_demo_mobilebank', channel: 'mobilebank', origins: origins(mobilePort) },
    ],
    customerToken: { secret: tokenSecret, issuer: 'demo-bank', audience: 'touchpoint' },
    staffToken: { secret: env.TOUCHPOINT_STAFF_TOKEN_SECRET ?? DEMO_STAFF_TOKEN_SECRET },
    // The demo car marketplace reports its visitors' car pages (see TOUCHPOINT_PARTNERS in the API's README).
    partners: env.TOUCHPOINT_PARTNERS ? JSON.parse(env.TOUCHPOINT_PARTNERS) : DEMO_CONFIG.partners,
    // Demo staff, one per role; their passwords are in the README and are for the demo only.
    staffDirectory: env.TOUCHPOINT_STAFF_DIRECTORY ? JSON.parse(env.TOUCHPOINT_STAFF_DIRECTORY) : DEMO_STAFF_DIRECTORY,
  },
});
const customers = featuredDemoCustomers(generateDemoBank({ now: new Date() }));
const netbank = await startNetbank({ port: netbankPort, host, apiUrl: api.url, tokenSecret, customers });
const mobile = await startMobileWebview({ port: mobilePort, host, apiUrl: api.url, tokenSecret, customers });

console.log(`
Touchpoint demo is running (embedded store in ${dataDir})

  Net bank (React)          ${netbank.url}
  Mobile-bank web view      ${mobile.url}
  Staff console             ${api.url}/console/  (demo staff: see the README)
  Decision API docs         ${api.url}/docs
  OpenAPI document          ${api.url}/openapi.json

Press Ctrl+C to stop.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([netbank.close(), mobile.close()]);
  await api.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
