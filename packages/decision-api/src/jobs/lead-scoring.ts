import { refreshLeads } from '../domain/advisors/leads.js';
import type { CompiledCatalog } from '../domain/decision/catalog.js';
import type { LeadHook, LeadScoring } from '../store/leads.js';
import { leadQualifiedEvent } from './lead-delivery.js';

/** What a touchpoint says about the product it concerns. */
export interface ProductTouch {
  readonly product?: string | null;
  readonly page?: string | null;
}

/** Lead scoring under the current catalog's lead policy; CRM events are queued only when a CRM is configured. */
export function leadScoring(catalog: CompiledCatalog, crmConfigured: boolean, now: Date): LeadScoring {
  return {
    now,
    crmEvent: crmConfigured ? leadQualifiedEvent : null,
    refresh: (customerId, profile, products, previouslyQualified) =>
      refreshLeads({
        customerId,
        profile,
        products,
        previouslyQualified,
        catalogProducts: catalog.products,
        policy: catalog.source.leads,
        now,
      }),
  };
}

/** Lead scoring on ingest: the products the new touchpoints name, or whose pages they were on. */
export function leadHook<T extends ProductTouch>(
  catalog: CompiledCatalog,
  crmConfigured: boolean,
  now: Date,
): LeadHook<T> {
  return {
    ...leadScoring(catalog, crmConfigured, now),
    productsOf: (stored) => [
      ...new Set(
        stored.flatMap((touchpoint) => {
          const product = touchpoint.product ?? (touchpoint.page ? catalog.productOfPage(touchpoint.page) : undefined);
          return product ? [product] : [];
        }),
      ),
    ],
  };
}
