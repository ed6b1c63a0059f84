import type { BankSession } from '../../../shared/bank-session.js';
import { useLocale } from '../i18n/locale.js';
import { PRODUCT_PAGES } from '../products.js';
import { Logo } from './logo.js';

export function SiteHeader({
  session,
  path,
  onLogOut,
}: {
  session: BankSession | null;
  path: string;
  onLogOut: () => void;
}) {
  const { t, locale, toggleLocale } = useLocale();
  const links = [
    { path: '/dashboard', label: t.overview, testId: 'nav-dashboard' },
    ...PRODUCT_PAGES.map((page) => ({ path: page.path, label: t.products[page.product].name, testId: page.testId })),
  ];
  return (
    <header className="site-header">
      <div className="container header-bar">
        <a className="brand" href={session ? '/dashboard' : '/login'}>
          <Logo />
          <span>{t.bankName}</span>
        </a>
        <div className="header-tools">
          <button
            type="button"
            className="header-button"
            lang={locale === 'da' ? 'en' : 'da'}
            onClick={toggleLocale}
            data-testid="language-toggle"
          >
            {t.switchLanguage}
          </button>
          {session && (
            <>
              <span className="header-customer" data-testid="current-customer">
                {t.loggedInAs(session.customer.displayName)}
              </span>
              <button type="button" className="header-button" onClick={onLogOut} data-testid="logout">
                {t.logOut}
              </button>
            </>
          )}
        </div>
      </div>
      {session && (
        <nav className="main-nav" aria-label={t.mainNavigation}>
          <ul className="container">
            {links.map((link) => (
              <li key={link.path}>
                <a href={link.path} aria-current={link.path === path ? 'page' : undefined} data-testid={link.testId}>
                  {link.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </header>
  );
}
