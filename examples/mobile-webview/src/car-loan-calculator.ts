import { formatKroner } from '../../shared/demo-accounts.js';
import { parseWholeNumber } from '../../shared/form-input.js';
import { monthlyPayment } from '../../shared/loan-math.js';
import { byId } from './dom.js';
import type { Locale, Messages } from './messages.js';

/** A fixed demo rate: the calculator shows what a price check looks like, not a real offer of credit. */
const CAR_LOAN_DEMO_RATE_PERCENT = 6.95;
const YEAR_OPTIONS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const DEFAULT_YEARS = 5;

interface CalculatorOptions {
  readonly messages: () => Messages;
  readonly locale: () => Locale;
  /** A valid calculation: the loan amount and the term, for the price-check touchpoint. */
  readonly onCalculated: (amount: number, years: number) => void;
}

/** Wires the car-loan form in index.html: validates, shows the monthly payment and reports each price check. */
export function bindCarLoanCalculator({ messages, locale, onCalculated }: CalculatorOptions) {
  const form = byId<HTMLFormElement>('car-loan-form');
  const price = byId<HTMLInputElement>('car-price');
  const downPayment = byId<HTMLInputElement>('down-payment');
  const years = byId<HTMLSelectElement>('loan-years');
  const result = byId('car-loan-result');
  let last: { amount: number; years: number; monthly: number } | null = null;

  const setError = (input: HTMLInputElement, message: string | null) => {
    const error = byId(`${input.id}-error`);
    error.textContent = message ?? '';
    error.hidden = message === null;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };

  const renderResult = () => {
    if (!last) {
      result.replaceChildren();
      return;
    }
    const figure = document.createElement('p');
    figure.className = 'result-figure';
    figure.textContent = messages().monthly(formatKroner(last.monthly, locale(), 0));
    const summary = document.createElement('p');
    summary.textContent = messages().loanSummary(formatKroner(last.amount, locale(), 0), last.years);
    result.replaceChildren(figure, summary);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const priceValue = parseWholeNumber(price.value);
    const downValue = parseWholeNumber(downPayment.value);
    const term = Number(years.value);
    const priceOk = priceValue !== null && priceValue > 0;
    const downOk = downValue !== null && downValue >= 0 && (!priceOk || downValue < priceValue);
    setError(price, priceOk ? null : messages().invalidPrice);
    setError(downPayment, downOk ? null : messages().invalidDownPayment);
    if (!priceOk || !downOk || priceValue === null || downValue === null) {
      last = null;
    } else {
      const amount = priceValue - downValue;
      last = { amount, years: term, monthly: monthlyPayment(amount, CAR_LOAN_DEMO_RATE_PERCENT, term) };
      onCalculated(amount, term);
    }
    renderResult();
  });

  return {
    /** Texts in the current language; keeps the chosen term. */
    render() {
      const chosen = years.value || String(DEFAULT_YEARS);
      years.replaceChildren(
        ...YEAR_OPTIONS.map((option) => new Option(messages().yearsOption(option), String(option))),
      );
      years.value = chosen;
      const rate = CAR_LOAN_DEMO_RATE_PERCENT.toLocaleString(locale() === 'da' ? 'da-DK' : 'en-GB');
      byId('car-loan-rate').textContent = messages().demoRate(rate);
      renderResult();
    },
    /** A fresh visit to the calculator starts without a result. */
    reset() {
      last = null;
      setError(price, null);
      setError(downPayment, null);
      renderResult();
    },
  };
}
