import { useTrack } from '@touchpoint/sdk-react';
import { useState } from 'react';
import { formatKroner } from '../../../shared/demo-accounts.js';
import { parseWholeNumber } from '../../../shared/form-input.js';
import { monthlyPayment } from '../../../shared/loan-math.js';
import { useLocale } from '../i18n/locale.js';
import { CalculatorCard } from './calculator-card.js';
import { NumberField, SelectField } from './number-field.js';

export interface LoanCalculatorProps {
  readonly product: 'car_loan' | 'mortgage';
  readonly priceLabel: string;
  readonly defaultPrice: number;
  readonly defaultDownPayment: number;
  /** The least down payment, in percent of the price. */
  readonly minDownPaymentPercent: number;
  readonly yearOptions: readonly number[];
  readonly defaultYears: number;
  readonly ratePercent: number;
}

interface Result {
  readonly amount: number;
  readonly years: number;
  readonly monthly: number;
}

/** Prices an annuity loan at the demo rate; each calculation is a price check Touchpoint learns from. */
export function LoanCalculator(props: LoanCalculatorProps) {
  const { t, locale } = useLocale();
  const track = useTrack();
  const [price, setPrice] = useState(String(props.defaultPrice));
  const [downPayment, setDownPayment] = useState(String(props.defaultDownPayment));
  const [years, setYears] = useState(String(props.defaultYears));
  const [errors, setErrors] = useState<{ price?: string; downPayment?: string }>({});
  const [result, setResult] = useState<Result | null>(null);
  const rate = props.ratePercent.toLocaleString(locale === 'da' ? 'da-DK' : 'en-GB');

  const calculate = () => {
    const priceValue = parseWholeNumber(price);
    const downValue = parseWholeNumber(downPayment);
    const term = Number(years);
    const found: { price?: string; downPayment?: string } = {};
    if (priceValue === null || priceValue <= 0) found.price = t.calculator.mustBePositive;
    if (downValue === null || downValue < 0) found.downPayment = t.calculator.invalidAmount;
    else if (priceValue !== null && downValue >= priceValue) found.downPayment = t.calculator.downPaymentTooLarge;
    else if (priceValue !== null && downValue < (priceValue * props.minDownPaymentPercent) / 100) {
      found.downPayment = t.calculator.downPaymentTooSmall(props.minDownPaymentPercent);
    }
    setErrors(found);
    if (found.price || found.downPayment || priceValue === null || downValue === null) {
      setResult(null);
      return;
    }
    const amount = priceValue - downValue;
    setResult({ amount, years: term, monthly: monthlyPayment(amount, props.ratePercent, term) });
    track('calculator_used', { product: props.product, properties: { amount, years: term } });
  };

  return (
    <CalculatorCard
      assumption={t.product.demoRate(rate)}
      onCalculate={calculate}
      fields={
        <>
          <NumberField
            label={props.priceLabel}
            value={price}
            onChange={setPrice}
            error={errors.price}
            min={0}
            step={1000}
            testId="price"
          />
          <NumberField
            label={t.calculator.downPayment}
            value={downPayment}
            onChange={setDownPayment}
            error={errors.downPayment}
            min={0}
            step={1000}
            testId="down-payment"
          />
          <SelectField
            label={t.calculator.years}
            value={years}
            onChange={setYears}
            options={props.yearOptions.map((option) => ({
              value: String(option),
              label: t.calculator.yearsOption(option),
            }))}
            testId="years"
          />
        </>
      }
      result={
        result && (
          <>
            <p className="result-figure">{t.calculator.perMonth(formatKroner(result.monthly, locale, 0))}</p>
            <p>{t.calculator.loanSummary(formatKroner(result.amount, locale, 0), result.years)}</p>
          </>
        )
      }
    />
  );
}
