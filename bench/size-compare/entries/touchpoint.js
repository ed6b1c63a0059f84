// Touchpoint's own quick start (packages/sdk-web/README.md "Quick start" and "The element"), bundled the same way as
// the other SDKs' quick starts so the comparison is like for like.
import { createClient } from '@touchpoint/sdk-web';
import { definePlacementElement } from '@touchpoint/sdk-web/elements';

const touchpoint = createClient({
  endpoint: 'https://touchpoint.bank.example',
  siteKey: 'pk_live_netbank',
  channel: 'netbank',
  consent: 'pending',
  locale: 'da',
  getCustomerToken: () => null,
  onError: (error) => console.error(error),
});
touchpoint.track('product_view', { product: 'car_loan' });
touchpoint.setConsent('granted');
touchpoint.identify('logged-in');
definePlacementElement(touchpoint);
console.log(await touchpoint.decide(['dashboard-hero'], { page: '/overview' }));
