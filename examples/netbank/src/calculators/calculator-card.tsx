import { type FormEvent, type ReactNode, useId } from 'react';
import { useLocale } from '../i18n/locale.js';

/** The frame every calculator shares: title, assumption, fields, the Calculate button and the announced result. */
export function CalculatorCard({
  assumption,
  onCalculate,
  fields,
  result,
}: {
  assumption: string;
  onCalculate: () => void;
  fields: ReactNode;
  result: ReactNode;
}) {
  const { t } = useLocale();
  const titleId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onCalculate();
  };
  return (
    <section className="card calculator" aria-labelledby={titleId}>
      <h2 id={titleId}>{t.calculator.title}</h2>
      <p className="muted">{assumption}</p>
      <form onSubmit={submit} noValidate>
        <div className="field-row">{fields}</div>
        <button type="submit" className="button button-primary" data-testid="calculate">
          {t.calculator.calculate}
        </button>
      </form>
      <div role="status" className="calculator-result" data-testid="calculator-result">
        {result}
      </div>
    </section>
  );
}
