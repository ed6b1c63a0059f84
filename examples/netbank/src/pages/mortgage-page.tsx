import { LoanCalculator } from '../calculators/loan-calculator.js';
import { useLocale } from '../i18n/locale.js';
import { ProductPage } from './product-page.js';

const MORTGAGE_DEMO_RATE_PERCENT = 4.5;
/** Danish law asks a home buyer to pay at least 5 % of the price themselves. */
const MIN_DOWN_PAYMENT_PERCENT = 5;

export function MortgagePage() {
  const { t } = useLocale();
  return (
    <ProductPage product="mortgage">
      <LoanCalculator
        product="mortgage"
        priceLabel={t.calculator.propertyPrice}
        defaultPrice={3_200_000}
        defaultDownPayment={320_000}
        minDownPaymentPercent={MIN_DOWN_PAYMENT_PERCENT}
        yearOptions={[10, 15, 20, 25, 30]}
        defaultYears={30}
        ratePercent={MORTGAGE_DEMO_RATE_PERCENT}
      />
    </ProductPage>
  );
}
