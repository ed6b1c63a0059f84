import { PensionCalculator } from '../calculators/pension-calculator.js';
import { ProductPage } from './product-page.js';

export function PensionPage() {
  return (
    <ProductPage product="pension">
      <PensionCalculator />
    </ProductPage>
  );
}
