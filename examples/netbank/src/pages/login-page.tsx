import { useEffect, useState } from 'react';
import { type DemoCustomer, fetchCustomers } from '../../../shared/bank-session.js';
import { useLocale } from '../i18n/locale.js';
import { isProductId } from '../products.js';

type LoadState = { status: 'loading' } | { status: 'failed' } | { status: 'ready'; customers: DemoCustomer[] };

/** Stands in for MitID: the visitor picks one of the demo bank's featured customers. */
export function LoginPage({ onLogIn }: { onLogIn: (customerId: string) => Promise<void> }) {
  const { t, locale } = useLocale();
  const [load, setLoad] = useState<LoadState>({ status: 'loading' });
  const [pending, setPending] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    fetchCustomers(controller.signal).then(
      (customers) => setLoad({ status: 'ready', customers }),
      () => {
        if (!controller.signal.aborted) setLoad({ status: 'failed' });
      },
    );
    return () => controller.abort();
  }, []);

  const logIn = (customerId: string) => {
    setPending(customerId);
    setFailed(false);
    onLogIn(customerId).catch(() => {
      setPending(null);
      setFailed(true);
    });
  };

  const productNames = (customer: DemoCustomer) => {
    const names = customer.productsHeld.filter(isProductId).map((product) => t.products[product].name);
    return names.length > 0 ? names.join(', ') : t.login.noProducts;
  };

  return (
    <div className="login">
      <div className="page-heading">
        <h1>{t.login.title}</h1>
        <p className="lead">{t.login.intro}</p>
      </div>
      <section aria-labelledby="login-customers" className="card">
        <h2 id="login-customers">{t.login.chooseCustomer}</h2>
        {load.status === 'loading' && <p role="status">{t.loading}</p>}
        {load.status === 'failed' && <p role="alert">{t.login.loadFailed}</p>}
        {failed && <p role="alert">{t.login.failed}</p>}
        {load.status === 'ready' && (
          <ul className="customer-list">
            {load.customers.map((customer) => (
              <li key={customer.id} className="customer-card">
                <p className="customer-name">{customer.displayName}</p>
                {customer.situation && <p className="customer-situation">{customer.situation[locale]}</p>}
                <p className="customer-products">
                  {t.login.productsHeld}: {productNames(customer)}
                </p>
                <button
                  type="button"
                  className="button button-primary"
                  data-testid={`login-${customer.id}`}
                  disabled={pending !== null}
                  aria-busy={pending === customer.id}
                  onClick={() => logIn(customer.id)}
                >
                  {t.login.logInAs(customer.displayName)}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
