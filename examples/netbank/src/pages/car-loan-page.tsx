import { LoanCalculator } from '../calculators/loan-calculator.js';
import { useLocale } from '../i18n/locale.js';
import { ProductPage } from './product-page.js';

/** A fixed demo rate: the calculator shows what a price check looks like, not a real offer of credit. */
const CAR_LOAN_DEMO_RATE_PERCENT = 6.95;

export function CarLoanPage() {
  const { t } = useLocale();
  return (
    <ProductPage product="car_loan">
      <LoanCalculator
        product="car_loan"
        priceLabel={t.calculator.carPrice}
        defaultPrice={250_000}
        defaultDownPayment={50_000}
        minDownPaymentPercent={0}
        yearOptions={[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}
        defaultYears={5}
        ratePercent={CAR_LOAN_DEMO_RATE_PERCENT}
      />
    </ProductPage>
  );
}
