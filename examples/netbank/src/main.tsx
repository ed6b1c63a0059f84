import { TouchpointProvider } from '@touchpoint/sdk-react';
import { createClient } from '@touchpoint/sdk-web';
import { createRoot } from 'react-dom/client';
import { createSessionStore } from '../../shared/bank-session.js';
import { loadConsent } from '../../shared/consent-store.js';
import { type RuntimeConfig, readRuntimeConfig } from '../../shared/runtime-config.js';
import { App } from './app.js';
import { CONSENT_STORAGE_KEY } from './consent.js';
import { LocaleProvider } from './i18n/locale.js';
import './styles.css';

const root = document.getElementById('root')!;
let config: RuntimeConfig;
try {
  config = readRuntimeConfig();
} catch (error) {
  root.textContent = error instanceof Error ? error.message : String(error);
  throw error;
}
const sessions = createSessionStore('demobank.session');

const touchpoint = createClient({
  endpoint: config.endpoint,
  siteKey: config.siteKey,
  channel: 'netbank',
  consent: loadConsent(CONSENT_STORAGE_KEY) ?? 'pending',
  getCustomerToken: () => sessions.get()?.token ?? null,
  onError: (error) => console.warn(`[touchpoint] ${error.kind}: ${error.message}`),
});

createRoot(root).render(
  <LocaleProvider>
    <TouchpointProvider client={touchpoint}>
      <App sessions={sessions} />
    </TouchpointProvider>
  </LocaleProvider>,
);
