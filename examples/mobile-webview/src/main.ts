import { createClient } from '@touchpoint/sdk-web';
import { definePlacementElement } from '@touchpoint/sdk-web/elements';
import { createSessionStore, type DemoCustomer, fetchCustomers, logIn } from '../../shared/bank-session.js';
import { type ConsentChoice, loadConsent, saveConsent } from '../../shared/consent-store.js';
import { demoAccountsOf, formatKroner } from '../../shared/demo-accounts.js';
import { interceptLinkClicks, onNavigate } from '../../shared/history-router.js';
import { loadLocale, saveLocale } from '../../shared/locale-store.js';
import { readRuntimeConfig } from '../../shared/runtime-config.js';
import { sendPendingTouchpoints } from '../../shared/send-pending.js';
import { bindCarLoanCalculator } from './car-loan-calculator.js';
import { byId } from './dom.js';
import { type Locale, MESSAGES, type StaticText } from './messages.js';
import './styles.css';

const SESSION_KEY = 'mobilebank.session';
const CONSENT_KEY = 'mobilebank.consent';
const LOCALE_KEY = 'mobilebank.locale';

type Screen = 'home' | 'accounts' | 'car-loan' | 'product';
const SCREENS: Readonly<Record<string, { screen: Screen; product?: 'car_loan' | 'pension' | 'savings' }>> = {
  '/': { screen: 'home' },
  '/accounts': { screen: 'accounts' },
  '/loans/car': { screen: 'car-loan', product: 'car_loan' },
  '/pension': { screen: 'product', product: 'pension' },
  '/savings': { screen: 'product', product: 'savings' },
};

const config = readRuntimeConfig();
const sessions = createSessionStore(SESSION_KEY);
let locale: Locale = loadLocale(LOCALE_KEY);
let consent = loadConsent(CONSENT_KEY);
let consentReopened = false;

const touchpoint = createClient({
  endpoint: config.endpoint,
  siteKey: config.siteKey,
  channel: 'mobilebank',
  consent: consent ?? 'pending',
  locale,
  getCustomerToken: () => sessions.get()?.token ?? null,
  onError: (error) => console.warn(`[touchpoint] ${error.kind}: ${error.message}`),
});

const t = () => MESSAGES[locale];
const picker = byId<HTMLSelectElement>('customer-picker');
const calculator = bindCarLoanCalculator({
  messages: t,
  locale: () => locale,
  onCalculated: (amount, years) =>
    touchpoint.track('calculator_used', { product: 'car_loan', properties: { amount, years } }),
});

function renderTexts(): void {
  document.documentElement.lang = locale;
  const toggle = byId('locale-toggle');
  toggle.lang = locale === 'da' ? 'en' : 'da';
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    element.textContent = t().text[element.dataset.i18n as StaticText];
  }
  // Offers are asked for in the language shown.
  for (const placement of document.querySelectorAll('tp-placement')) placement.setAttribute('locale', locale);
  calculator.render();
  renderCustomer();
  renderConsent();
  renderScreen();
}

function renderCustomer(): void {
  const customer = sessions.get()?.customer;
  if (!customer) return;
  const accounts = demoAccountsOf(customer.id);
  byId('greeting').textContent = t().greeting(customer.displayName.split(' ')[0] ?? customer.displayName);
  byId('total-balance').textContent = formatKroner(
    accounts.reduce((sum, account) => sum + account.balance, 0),
    locale,
  );
  byId('account-list').replaceChildren(
    ...accounts.map((account) => {
      const item = document.createElement('li');
      const name = document.createElement('span');
      name.className = 'account-name';
      name.textContent = t().accountKinds[account.kind];
      const number = document.createElement('span');
      number.className = 'account-number';
      number.textContent = account.maskedNumber;
      const balance = document.createElement('span');
      balance.className = 'account-balance';
      balance.textContent = formatKroner(account.balance, locale);
      item.append(name, number, balance);
      return item;
    }),
  );
}

function renderConsent(): void {
  byId('consent').hidden = consent !== null && !consentReopened;
  byId('consent-status').textContent = t().consentStatus(consent);
}

function chooseConsent(choice: ConsentChoice): void {
  const reopened = consentReopened;
  consent = choice;
  consentReopened = false;
  saveConsent(CONSENT_KEY, choice);
  touchpoint.setConsent(choice);
  renderConsent();
  if (reopened) byId('consent-settings').focus();
}

function currentScreen() {
  return SCREENS[window.location.pathname] ?? SCREENS['/']!;
}

function renderScreen(): void {
  const { screen, product } = currentScreen();
  for (const section of document.querySelectorAll<HTMLElement>('[data-screen]')) {
    section.hidden = section.dataset.screen !== screen;
  }
  byId('back').hidden = screen === 'home';
  if (screen === 'product' && (product === 'pension' || product === 'savings')) {
    const copy = t().products[product];
    byId('product-title').textContent = copy.title;
    byId('product-intro').textContent = copy.intro;
    byId('product-apply').textContent = copy.apply;
  }
}

/** Shows the screen of the current path and tracks the visit; after a navigation, focus moves to the new screen. */
function showScreen({ navigated }: { navigated: boolean }): void {
  const { screen, product } = currentScreen();
  byId('product-status').textContent = '';
  if (screen === 'car-loan') calculator.reset();
  renderScreen();
  touchpoint.track('page_view', { page: window.location.pathname });
  if (product) touchpoint.track('product_view', { product });
  // Back on the home screen, the card decides again: what the customer just did may change the next best offer.
  if (navigated && screen === 'home') refreshPlacements();
  if (navigated) {
    byId('main').focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
}

async function switchCustomer(customerId: string): Promise<void> {
  const previous = sessions.get();
  picker.disabled = true;
  try {
    const session = await logIn(customerId);
    if (previous) {
      await sendPendingTouchpoints(touchpoint);
      touchpoint.logout();
    }
    sessions.set(session);
    touchpoint.identify('logged-in');
    renderCustomer();
    refreshPlacements();
  } catch {
    showError(t().loginFailed);
    if (previous) picker.value = previous.customer.id;
  } finally {
    picker.disabled = false;
  }
}

/** A fresh element decides again, for the customer now signed in. */
function refreshPlacements(): void {
  for (const placement of document.querySelectorAll('tp-placement')) placement.replaceWith(placement.cloneNode());
}

function showError(message: string): void {
  const alert = byId('app-error');
  alert.textContent = message;
  alert.hidden = false;
}

function fillPicker(customers: readonly DemoCustomer[]): void {
  picker.replaceChildren(
    ...customers.map((customer) => {
      const option = document.createElement('option');
      option.value = customer.id;
      option.textContent = customer.displayName;
      return option;
    }),
  );
}

function toggleLocale(): void {
  locale = locale === 'da' ? 'en' : 'da';
  saveLocale(LOCALE_KEY, locale);
  renderTexts();
}

async function start(): Promise<void> {
  renderTexts();
  byId('locale-toggle').addEventListener('click', toggleLocale);
  byId('consent-accept').addEventListener('click', () => chooseConsent('granted'));
  byId('consent-decline').addEventListener('click', () => chooseConsent('denied'));
  byId('consent-settings').addEventListener('click', () => {
    consentReopened = true;
    renderConsent();
    byId('consent').focus();
  });
  byId('product-apply').addEventListener('click', () => {
    const { product } = currentScreen();
    if (product) touchpoint.track('application_started', { product });
    byId('product-status').textContent = t().applyStarted;
  });
  picker.addEventListener('change', () => void switchCustomer(picker.value));

  const customers = await fetchCustomers();
  fillPicker(customers);
  // The app has signed the customer in before it opens the web view; the first demo customer stands in.
  const first = customers[0];
  if (!sessions.get() && first) await switchCustomer(first.id);
  picker.value = sessions.get()?.customer.id ?? '';
  picker.disabled = false;
  renderCustomer();

  interceptLinkClicks();
  onNavigate(() => showScreen({ navigated: true }));
  showScreen({ navigated: false });
  definePlacementElement(touchpoint);
}

start().catch((error: unknown) => {
  console.error('[bank] the web view could not start', error);
  showError(error instanceof Error ? error.message : String(error));
});
