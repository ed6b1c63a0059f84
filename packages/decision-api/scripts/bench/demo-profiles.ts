import type { Touchpoint } from '../../src/contract/index.js';
import { generateDemoBank } from '../../src/demo/index.js';
import { compileCatalog } from '../../src/domain/decision/catalog.js';
import { applyTouchpoints, type CustomerProfile, EMPTY_PROFILE } from '../../src/domain/journeys/profile.js';
import { readSeedCatalog } from '../../src/runtime/node.js';

/** The profiles of `count` demo customers, built from their generated history as ingest builds them. */
export function demoProfiles(count: number): CustomerProfile[] {
  const catalog = compileCatalog(readSeedCatalog());
  const bank = generateDemoBank({ now: new Date(), customers: count });
  const history = new Map<string, Touchpoint[]>();
  for (const { customerId, ...touchpoint } of bank.touchpoints) {
    const list = history.get(customerId) ?? [];
    list.push(touchpoint as Touchpoint);
    history.set(customerId, list);
  }
  return bank.customers.map((customer) =>
    applyTouchpoints(
      { ...EMPTY_PROFILE, productsHeld: [...customer.productsHeld].sort() },
      history.get(customer.id) ?? [],
      catalog.productOfPage,
      catalog.journeyOf,
    ),
  );
}
