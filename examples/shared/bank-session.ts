/** A demo customer as the bank's backend lists them; the id is pseudonymous, the name never leaves the bank. */
export interface DemoCustomer {
  readonly id: string;
  readonly displayName: string;
  readonly productsHeld: readonly string[];
  /** A line for the login screen saying what situation the customer is in. */
  readonly situation?: { readonly da: string; readonly en: string };
}

/** The logged-in customer and the token the bank's backend minted for Touchpoint. */
export interface BankSession {
  readonly token: string;
  /** ISO time the token stops being valid; the session ends with it. */
  readonly expiresAt: string;
  readonly customer: DemoCustomer;
}

export async function fetchCustomers(signal?: AbortSignal): Promise<DemoCustomer[]> {
  const response = await fetch('/api/customers', { headers: { accept: 'application/json' }, signal: signal ?? null });
  if (!response.ok) throw new Error(`The bank could not list its demo customers (HTTP ${response.status}).`);
  const body = (await response.json()) as { customers: DemoCustomer[] };
  return body.customers;
}

export async function logIn(customerId: string): Promise<BankSession> {
  const response = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ customerId }),
  });
  if (!response.ok) throw new Error(`The bank refused the login (HTTP ${response.status}).`);
  return (await response.json()) as BankSession;
}

export function isSessionActive(session: BankSession | null, now = Date.now()): session is BankSession {
  return session !== null && Date.parse(session.expiresAt) > now;
}

/** The session lives in sessionStorage: closing the tab logs out, as in a real net bank. */
function loadSession(key: string): BankSession | null {
  try {
    const stored = sessionStorage.getItem(key);
    const session = stored ? (JSON.parse(stored) as BankSession) : null;
    return isSessionActive(session) ? session : null;
  } catch {
    return null;
  }
}

function saveSession(key: string, session: BankSession | null): void {
  try {
    if (session) sessionStorage.setItem(key, JSON.stringify(session));
    else sessionStorage.removeItem(key);
  } catch {
    // Storage may be unavailable (private mode, quota): the session then lasts as long as the page.
  }
}

export interface SessionStore {
  get(): BankSession | null;
  set(session: BankSession | null): void;
  /** Calls back on every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

/** Holds the session for the app and for the Touchpoint client's token callback alike. */
export function createSessionStore(key: string): SessionStore {
  let current = loadSession(key);
  const listeners = new Set<() => void>();
  return {
    get: () => (isSessionActive(current) ? current : null),
    set(session) {
      current = session;
      saveSession(key, session);
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
