import type { ProductId } from './i18n/messages.js';

/** The bank's products and their pages in the net bank (the same paths as Touchpoint's catalog). */
export const PRODUCT_PAGES: ReadonlyArray<{
  readonly product: ProductId;
  readonly path: string;
  readonly testId: string;
}> = [
  { product: 'car_loan', path: '/loans/car', testId: 'nav-car-loan' },
  { product: 'mortgage', path: '/mortgage', testId: 'nav-mortgage' },
  { product: 'pension', path: '/pension', testId: 'nav-pension' },
  { product: 'savings', path: '/savings', testId: 'nav-savings' },
  { product: 'home_insurance', path: '/insurance/home', testId: 'nav-home-insurance' },
  { product: 'investments', path: '/investments', testId: 'nav-investments' },
];

export function productOfPath(path: string): ProductId | undefined {
  return PRODUCT_PAGES.find((page) => page.path === path)?.product;
}

export function isProductId(value: string): value is ProductId {
  return PRODUCT_PAGES.some((page) => page.product === value);
}
