import type { ConsentChoice } from '../../../shared/consent-store.js';
import { useLocale } from '../i18n/locale.js';

export function SiteFooter({
  consent,
  onChangeConsent,
}: {
  consent: ConsentChoice | null;
  onChangeConsent: () => void;
}) {
  const { t } = useLocale();
  return (
    <footer className="site-footer">
      <div className="container footer-grid">
        <section aria-labelledby="footer-privacy">
          <h2 id="footer-privacy">{t.footer.privacy}</h2>
          <p data-testid="consent-status">{t.consent.status(consent)}</p>
          <button
            type="button"
            className="button button-secondary"
            onClick={onChangeConsent}
            data-testid="consent-settings"
          >
            {t.consent.change}
          </button>
        </section>
        <div className="footer-about">
          <p>{t.footer.about}</p>
          <p>{t.footer.demoNotice}</p>
        </div>
      </div>
    </footer>
  );
}
