import { useEffect, useId, useRef } from 'react';
import type { ConsentChoice } from '../../../shared/consent-store.js';
import { useLocale } from '../i18n/locale.js';

/**
 * The question whether the bank may personalise what the customer sees. In the page flow (not an overlay), so it
 * never hides the page; when reopened from the footer it takes focus, and gives it back once answered.
 */
export function ConsentBanner({
  onChoose,
  takeFocus,
}: {
  onChoose: (choice: ConsentChoice) => void;
  takeFocus: boolean;
}) {
  const { t } = useLocale();
  const titleId = useId();
  const bodyId = useId();
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!takeFocus) return;
    const opener = document.activeElement;
    dialogRef.current?.focus();
    return () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, [takeFocus]);

  return (
    <div
      ref={dialogRef}
      className="consent"
      role="dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      tabIndex={-1}
      data-testid="consent-dialog"
    >
      <div className="container consent-inner">
        <div className="consent-text">
          <h2 id={titleId}>{t.consent.title}</h2>
          <div id={bodyId}>
            <p>{t.consent.body}</p>
            <p>{t.consent.noEmail}</p>
          </div>
        </div>
        <div className="consent-actions">
          <button
            type="button"
            className="button button-primary"
            data-testid="consent-accept"
            onClick={() => onChoose('granted')}
          >
            {t.consent.accept}
          </button>
          <button
            type="button"
            className="button button-secondary"
            data-testid="consent-decline"
            onClick={() => onChoose('denied')}
          >
            {t.consent.decline}
          </button>
        </div>
      </div>
    </div>
  );
}
