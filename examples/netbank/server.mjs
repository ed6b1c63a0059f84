// The net bank's backend: serves the built app with Touchpoint's runtime configuration and logs demo customers in
// by minting the customer token, as the bank's own backend would. `node examples/netbank/server.mjs` runs it alone.
import { SignJWT } from 'jose';
import { isEntryPoint, runFromCommandLine, startBankBackend } from '../shared/bank-backend.mjs';

/**
 * @param {Omit<import('../shared/bank-backend.mjs').BankBackendOptions, 'siteKey'> & { siteKey?: string }} options
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export function startNetbank({ siteKey = 'pk_demo_netbank', ...options }) {
  return startBankBackend({ ...options, siteKey, distDir: new URL('./dist/', import.meta.url), SignJWT });
}

if (isEntryPoint(import.meta.url)) {
  await runFromCommandLine({ name: 'Demo Bank net bank', defaultPort: 5173, start: startNetbank });
}
