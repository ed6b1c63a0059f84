export type Locale = 'da' | 'en';

/** The language the customer chose on this device; Danish until they choose English. */
export function loadLocale(key: string): Locale {
  try {
    return localStorage.getItem(key) === 'en' ? 'en' : 'da';
  } catch {
    return 'da';
  }
}

export function saveLocale(key: string, locale: Locale): void {
  try {
    localStorage.setItem(key, locale);
  } catch {
    // Without storage the language resets on the next visit.
  }
}
