// The mobile bank's backend: serves the web view with Touchpoint's runtime configuration and mints the customer
// token the app hands to the page. `node examples/mobile-webview/server.mjs` runs it alone.
import { SignJWT } from 'jose';
import { isEntryPoint, runFromCommandLine, startBankBackend } from '../shared/bank-backend.mjs';

/**
 * @param {Omit<import('../shared/bank-backend.mjs').BankBackendOptions, 'siteKey'> & { siteKey?: string }} options
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export function startMobileWebview({ siteKey = 'pk_demo_mobilebank', ...options }) {
  return startBankBackend({ ...options, siteKey, distDir: new URL('./dist/', import.meta.url), SignJWT });
}

if (isEntryPoint(import.meta.url)) {
  await runFromCommandLine({ name: 'Demo Bank mobile web view', defaultPort: 5174, start: startMobileWebview });
}
