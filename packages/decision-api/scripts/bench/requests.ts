import { SignJWT } from 'jose';
import { DEMO_CUSTOMER_TOKEN_SECRET } from '../../src/config.js';

/**
 * The benchmarks' decision requests: up to 500 logged-in customers (a signed demo customer token each), one device
 * each, consent granted, two placements, on four net-bank pages in both languages.
 */
export async function decisionRequests(
  customers: readonly string[],
): Promise<Array<{ headers: Record<string, string>; body: string }>> {
  const secret = new TextEncoder().encode(DEMO_CUSTOMER_TOKEN_SECRET);
  const pages = ['/dashboard', '/loans/car', '/pension', '/mortgage'];
  return Promise.all(
    customers.slice(0, 500).map(async (customerId, i) => ({
      headers: {
        'content-type': 'application/json',
        'x-touchpoint-key': 'pk_demo_netbank',
        authorization: `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(customerId)
          .setIssuer('demo-bank')
          .setAudience('touchpoint')
          .setExpirationTime('2h')
          .sign(secret)}`,
      },
      body: JSON.stringify({
        anonymousId: crypto.randomUUID(),
        context: { channel: 'netbank', page: pages[i % pages.length], locale: i % 2 ? 'da' : 'en', consent: 'granted' },
        placements: ['dashboard-hero', 'product-sidebar'],
      }),
    })),
  );
}
