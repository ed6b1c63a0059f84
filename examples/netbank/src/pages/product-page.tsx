import { Placement, useTrack } from '@touchpoint/sdk-react';
import { type ReactNode, useEffect, useState } from 'react';
import { useLocale } from '../i18n/locale.js';
import type { ProductId } from '../i18n/messages.js';

/**
 * A product's page: tracks the product view, offers the application and shows the sidebar placement.
 * Pages with a calculator pass it as children.
 */
export function ProductPage({ product, children }: { product: ProductId; children?: ReactNode }) {
  const { t, locale } = useLocale();
  const track = useTrack();
  const [applied, setApplied] = useState(false);
  const copy = t.products[product];

  useEffect(() => {
    track('product_view', { product });
  }, [track, product]);

  const startApplication = () => {
    track('application_started', { product });
    setApplied(true);
  };

  return (
    <div className="product-layout">
      <article className="product-main">
        <div className="page-heading">
          <p className="eyebrow">{copy.name}</p>
          <h1>{copy.title}</h1>
          <p className="lead">{copy.intro}</p>
        </div>
        <ul className="features">
          {copy.features.map((feature) => (
            <li key={feature}>{feature}</li>
          ))}
        </ul>
        {children}
        <div className="apply">
          <button
            type="button"
            className="button button-primary button-large"
            onClick={startApplication}
            data-testid="apply"
          >
            {copy.apply}
          </button>
          <p role="status" className="apply-status" data-testid="apply-status">
            {applied ? t.product.applyStarted : ''}
          </p>
        </div>
      </article>
      <aside className="product-aside" aria-label={t.product.related}>
        <Placement name="product-sidebar" width={300} height={360} locale={locale} />
      </aside>
    </div>
  );
}
