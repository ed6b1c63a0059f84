import type { Catalog, Touchpoint } from '../contract/index.js';
import { type Lead, refreshLeads } from '../domain/advisors/leads.js';
import { compileCatalog } from '../domain/decision/catalog.js';
import { applyTouchpoints, type CustomerProfile, EMPTY_PROFILE } from '../domain/journeys/profile.js';
import { customerSubject, type Store, type Subject } from '../store/store.js';
import { generateDemoBank } from './index.js';

export interface SeedResult {
  readonly customers: number;
  readonly touchpoints: number;
}

/**
 * Loads the demo bank: its catalog, and the generated customers' history with the profiles it implies,
 * computed by the same domain function that ingest uses. Birth year, credit flags, branch and consent to be contacted
 * come from the bank's records, as its backend would supply them. Leads are scored as new touchpoints arrive.
 */
export async function seedDemoBank(
  store: Store,
  { catalog, now, customers, seed }: { catalog: Catalog; now: Date; customers?: number; seed?: number },
): Promise<SeedResult> {
  await store.saveCatalog(catalog);
  const compiled = compileCatalog(catalog);
  const bank = generateDemoBank({
    now,
    ...(customers !== undefined ? { customers } : {}),
    ...(seed !== undefined ? { seed } : {}),
  });

  const history = new Map<string, Touchpoint[]>();
  for (const { customerId, ...touchpoint } of bank.touchpoints) {
    const list = history.get(customerId) ?? [];
    list.push(touchpoint as Touchpoint);
    history.set(customerId, list);
  }
  const profiles: Array<{ subject: Subject; profile: CustomerProfile }> = bank.customers.map((customer) => ({
    subject: customerSubject(customer.id),
    profile: applyTouchpoints(
      {
        ...EMPTY_PROFILE,
        productsHeld: [...customer.productsHeld].sort(),
        attributes: {
          birthYear: customer.birthYear,
          ...customer.flags,
          branch: customer.branch,
          contactConsent: customer.contactConsent,
        },
      },
      history.get(customer.id) ?? [],
      compiled.productOfPage,
      compiled.journeyOf,
    ),
  }));

  const rows = bank.touchpoints.map(({ customerId, ...touchpoint }) => ({
    subject: customerSubject(customerId),
    anonymousId: null,
    touchpoint: touchpoint as Touchpoint,
  }));
  const CHUNK = 2_000;
  for (let i = 0; i < rows.length; i += CHUNK) await store.insertTouchpoints(rows.slice(i, i + CHUNK));
  for (let i = 0; i < profiles.length; i += CHUNK) await store.putProfiles(profiles.slice(i, i + CHUNK));
  // The history's leads as they stand now, so the advisor queue has customers; history is not news for the CRM.
  const leads: Lead[] = profiles.flatMap(({ subject, profile }) =>
    refreshLeads({
      customerId: subject.slice(2),
      profile,
      products: Object.keys(profile.journeys),
      catalogProducts: compiled.products,
      previouslyQualified: new Map(),
      policy: catalog.leads,
      now,
    }).leads.filter((lead) => lead.qualifiedAt !== null),
  );
  for (let i = 0; i < leads.length; i += CHUNK) await store.putLeads(leads.slice(i, i + CHUNK));
  return { customers: bank.customers.length, touchpoints: rows.length };
}
