import { useTouchpointClient } from '@touchpoint/sdk-react';
import { type ReactNode, useCallback, useEffect, useRef, useSyncExternalStore } from 'react';
import { type BankSession, type DemoCustomer, logIn, type SessionStore } from '../../shared/bank-session.js';
import { sendPendingTouchpoints } from '../../shared/send-pending.js';
import { ConsentBanner } from './components/consent-banner.js';
import { PageViewTracker } from './components/page-view-tracker.js';
import { SiteFooter } from './components/site-footer.js';
import { SiteHeader } from './components/site-header.js';
import { useConsent } from './consent.js';
import { useLocale } from './i18n/locale.js';
import type { Messages } from './i18n/messages.js';
import { CarLoanPage } from './pages/car-loan-page.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { LoginPage } from './pages/login-page.js';
import { MortgagePage } from './pages/mortgage-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { PensionPage } from './pages/pension-page.js';
import { ProductPage } from './pages/product-page.js';
import { productOfPath } from './products.js';
import { navigate, useClientSideLinks, usePathname } from './router.js';

interface Route {
  readonly title: string;
  readonly content: ReactNode;
}

function routeOf(path: string, customer: DemoCustomer, t: Messages): Route {
  if (path === '/dashboard') return { title: t.overview, content: <DashboardPage customer={customer} /> };
  const product = productOfPath(path);
  if (product === 'car_loan') return { title: t.products.car_loan.name, content: <CarLoanPage /> };
  if (product === 'mortgage') return { title: t.products.mortgage.name, content: <MortgagePage /> };
  if (product === 'pension') return { title: t.products.pension.name, content: <PensionPage /> };
  if (product) return { title: t.products[product].name, content: <ProductPage product={product} /> };
  return { title: t.notFound.title, content: <NotFoundPage /> };
}

/** Where a path leads when it is not the page itself: the login for visitors, the overview for customers. */
function redirectOf(path: string, session: BankSession | null): string | null {
  if (path === '/') return session ? '/dashboard' : '/login';
  if (path === '/login') return session ? '/dashboard' : null;
  return session ? null : '/login';
}

export function App({ sessions }: { sessions: SessionStore }) {
  const { t } = useLocale();
  const touchpoint = useTouchpointClient();
  const path = usePathname();
  const session = useSyncExternalStore(sessions.subscribe, sessions.get);
  const consent = useConsent(touchpoint);
  const mainRef = useRef<HTMLElement>(null);
  const lastShownPath = useRef<string | null>(null);
  useClientSideLinks();

  const logOut = useCallback(async () => {
    await sendPendingTouchpoints(touchpoint);
    sessions.set(null);
    touchpoint.logout();
    navigate('/login');
  }, [sessions, touchpoint]);

  const logInAs = useCallback(
    async (customerId: string) => {
      sessions.set(await logIn(customerId));
      touchpoint.identify('logged-in');
      navigate('/dashboard');
    },
    [sessions, touchpoint],
  );

  // The token lasts an hour; the net bank logs the customer out when it ends.
  useEffect(() => {
    if (!session) return;
    const timer = window.setTimeout(() => void logOut(), Math.max(0, Date.parse(session.expiresAt) - Date.now()));
    return () => window.clearTimeout(timer);
  }, [session, logOut]);

  const redirect = redirectOf(path, session);
  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);

  const route: Route | null = redirect
    ? null
    : session
      ? routeOf(path, session.customer, t)
      : { title: t.login.title, content: <LoginPage onLogIn={logInAs} /> };

  const title = route?.title;
  useEffect(() => {
    if (title) document.title = `${title} – ${t.bankName}`;
  }, [title, t]);

  // After a navigation between pages (not the first page, nor a redirect), focus moves to the new content so
  // screen readers announce it.
  const shown = route !== null;
  useEffect(() => {
    if (!shown) return;
    if (lastShownPath.current !== null && lastShownPath.current !== path) {
      mainRef.current?.focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }
    lastShownPath.current = path;
  }, [path, shown]);

  return (
    <>
      <a className="skip-link" href="#main">
        {t.skipToContent}
      </a>
      <SiteHeader session={session} path={path} onLogOut={() => void logOut()} />
      {consent.asking && <ConsentBanner onChoose={consent.choose} takeFocus={consent.choice !== null} />}
      <main id="main" ref={mainRef} tabIndex={-1} className="site-main">
        <div className="container">
          {route && (
            <>
              <PageViewTracker page={path} />
              <div key={path}>{route.content}</div>
            </>
          )}
        </div>
      </main>
      <SiteFooter consent={consent.choice} onChangeConsent={consent.ask} />
    </>
  );
}
