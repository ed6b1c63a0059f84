import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { loadLocale, saveLocale } from '../../../shared/locale-store.js';
import { type Locale, MESSAGES, type Messages } from './messages.js';

const STORAGE_KEY = 'demobank.locale';

interface LocaleContextValue {
  readonly locale: Locale;
  readonly t: Messages;
  readonly toggleLocale: () => void;
}

const LocaleContext = createContext<LocaleContextValue | null>(null);

/** Danish by default; the customer's choice is remembered on the device. */
export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setLocale] = useState<Locale>(() => loadLocale(STORAGE_KEY));
  useEffect(() => {
    document.documentElement.lang = locale;
    saveLocale(STORAGE_KEY, locale);
  }, [locale]);
  const toggleLocale = useCallback(() => setLocale((current) => (current === 'da' ? 'en' : 'da')), []);
  const value = useMemo(() => ({ locale, t: MESSAGES[locale], toggleLocale }), [locale, toggleLocale]);
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export function useLocale(): LocaleContextValue {
  const value = useContext(LocaleContext);
  if (!value) throw new Error('useLocale must be used inside <LocaleProvider>');
  return value;
}
