import { useTrack } from '@touchpoint/sdk-react';
import { useState } from 'react';
import { formatKroner } from '../../../shared/demo-accounts.js';
import { parseWholeNumber } from '../../../shared/form-input.js';
import { savingsAtEnd } from '../../../shared/loan-math.js';
import { useLocale } from '../i18n/locale.js';
import { CalculatorCard } from './calculator-card.js';
import { NumberField } from './number-field.js';

const DEMO_RETURN_PERCENT = 4;

interface Result {
  readonly years: number;
  readonly total: number;
}

/** Projects monthly pension savings to the retirement age at a fixed demo return. */
export function PensionCalculator() {
  const { t, locale } = useLocale();
  const track = useTrack();
  const [age, setAge] = useState('45');
  const [retirementAge, setRetirementAge] = useState('68');
  const [monthly, setMonthly] = useState('3000');
  const [errors, setErrors] = useState<{ age?: string; retirementAge?: string; monthly?: string }>({});
  const [result, setResult] = useState<Result | null>(null);

  const calculate = () => {
    const ageValue = parseWholeNumber(age);
    const retirementValue = parseWholeNumber(retirementAge);
    const monthlyValue = parseWholeNumber(monthly);
    const found: typeof errors = {};
    if (ageValue === null || ageValue <= 0) found.age = t.calculator.mustBePositive;
    if (retirementValue === null || retirementValue <= 0) found.retirementAge = t.calculator.mustBePositive;
    else if (ageValue !== null && retirementValue <= ageValue) found.retirementAge = t.calculator.retirementTooEarly;
    if (monthlyValue === null || monthlyValue <= 0) found.monthly = t.calculator.mustBePositive;
    setErrors(found);
    if (ageValue === null || retirementValue === null || monthlyValue === null || Object.keys(found).length > 0) {
      setResult(null);
      return;
    }
    const years = retirementValue - ageValue;
    setResult({ years, total: savingsAtEnd(monthlyValue, DEMO_RETURN_PERCENT, years) });
    track('calculator_used', { product: 'pension', properties: { monthly: monthlyValue, years } });
  };

  return (
    <CalculatorCard
      assumption={t.calculator.pensionAssumption(DEMO_RETURN_PERCENT.toLocaleString(locale))}
      onCalculate={calculate}
      fields={
        <>
          <NumberField
            label={t.calculator.age}
            value={age}
            onChange={setAge}
            error={errors.age}
            min={18}
            max={100}
            testId="age"
          />
          <NumberField
            label={t.calculator.retirementAge}
            value={retirementAge}
            onChange={setRetirementAge}
            error={errors.retirementAge}
            min={50}
            max={100}
            testId="retirement-age"
          />
          <NumberField
            label={t.calculator.monthlyContribution}
            value={monthly}
            onChange={setMonthly}
            error={errors.monthly}
            min={0}
            step={100}
            testId="monthly-contribution"
          />
        </>
      }
      result={
        result && (
          <p className="result-figure">
            {t.calculator.pensionResult(formatKroner(result.total, locale, 0), result.years)}
          </p>
        )
      }
    />
  );
}
