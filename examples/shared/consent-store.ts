export type ConsentChoice = 'granted' | 'denied';

/** The customer's personalisation choice on this device; null until they choose. */
export function loadConsent(key: string): ConsentChoice | null {
  try {
    const stored = localStorage.getItem(key);
    return stored === 'granted' || stored === 'denied' ? stored : null;
  } catch {
    return null;
  }
}

export function saveConsent(key: string, choice: ConsentChoice): void {
  try {
    localStorage.setItem(key, choice);
  } catch {
    // Without storage the choice holds for this page only, and the question comes back next visit.
  }
}
