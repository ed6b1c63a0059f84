import { Placement } from '@touchpoint/sdk-react';
import type { DemoCustomer } from '../../../shared/bank-session.js';
import { demoAccountsOf, formatKroner } from '../../../shared/demo-accounts.js';
import { useLocale } from '../i18n/locale.js';
import { isProductId, PRODUCT_PAGES } from '../products.js';

export function DashboardPage({ customer }: { customer: DemoCustomer }) {
  const { t, locale } = useLocale();
  const accounts = demoAccountsOf(customer.id);
  const total = accounts.reduce((sum, account) => sum + account.balance, 0);
  const held = customer.productsHeld.filter(isProductId);
  const firstName = customer.displayName.split(' ')[0] ?? customer.displayName;
  const today = new Intl.DateTimeFormat(locale === 'da' ? 'da-DK' : 'en-GB', { dateStyle: 'full' }).format(new Date());

  return (
    <>
      <div className="page-heading">
        <h1>{t.dashboard.greeting(firstName)}</h1>
        <p className="muted">{t.dashboard.today(today)}</p>
      </div>
      <div className="hero-slot">
        <Placement name="dashboard-hero" width={960} height={240} locale={locale} />
      </div>
      <div className="dashboard-grid">
        <section className="card" aria-labelledby="accounts-title">
          <h2 id="accounts-title">{t.dashboard.accounts}</h2>
          <table className="accounts" data-testid="accounts">
            <thead>
              <tr>
                <th scope="col">{t.dashboard.account}</th>
                <th scope="col" className="account-number">
                  {t.dashboard.number}
                </th>
                <th scope="col" className="amount">
                  {t.dashboard.balance}
                </th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((account) => (
                <tr key={account.kind}>
                  <th scope="row">
                    {t.dashboard.accountKinds[account.kind]}
                    <span className="account-number-inline">{account.maskedNumber}</span>
                  </th>
                  <td className="account-number">{account.maskedNumber}</td>
                  <td className="amount">{formatKroner(account.balance, locale)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t.dashboard.total}</th>
                <td className="account-number" />
                <td className="amount">{formatKroner(total, locale)}</td>
              </tr>
            </tfoot>
          </table>
        </section>
        <section className="card" aria-labelledby="products-title">
          <h2 id="products-title">{t.dashboard.yourProducts}</h2>
          {held.length > 0 ? (
            <ul className="chips">
              {held.map((product) => (
                <li key={product}>{t.products[product].name}</li>
              ))}
            </ul>
          ) : (
            <p className="muted">{t.dashboard.noProducts}</p>
          )}
          <h3>{t.dashboard.explore}</h3>
          <ul className="product-links">
            {PRODUCT_PAGES.map((page) => (
              <li key={page.product}>
                <a href={page.path}>{t.products[page.product].name}</a>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </>
  );
}
