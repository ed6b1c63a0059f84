import type { Catalog, Offer, Placement, Product, Trigger } from '../../contract/index.js';
import { type BudgetScopes, compileBudgetScopes } from '../budgets/index.js';
import { type CompiledJourney, compileJourney, DEFAULT_COMPILED_JOURNEY, type JourneyOf } from '../journeys/journey.js';

/** The catalog indexed for the decision hot path: built once per catalog version, then only read. */
export interface CompiledCatalog {
  readonly version: string;
  readonly products: ReadonlyMap<string, Product>;
  readonly placements: ReadonlyMap<string, Placement>;
  readonly offers: ReadonlyMap<string, Offer>;
  readonly offersByPlacement: ReadonlyMap<string, readonly Offer[]>;
  /**
   * Each placement's offers (as `offersByPlacement` lists them) by their position in the catalog's offers: a decision
   * works out each offer once for all the placements of a page.
   */
  readonly offerSlotsByPlacement: ReadonlyMap<string, readonly number[]>;
  readonly productOfPage: (page: string) => string | undefined;
  /** Each product's journey rules and fading; the default journey for a product the catalog does not know. */
  readonly journeyOf: JourneyOf;
  readonly triggers: readonly Trigger[];
  /** The budgets each offer answers to, by offer, product, placement and channel. */
  readonly budgetScopes: BudgetScopes;
  readonly source: Catalog;
}

export function compileCatalog(catalog: Catalog): CompiledCatalog {
  const products = new Map(catalog.products.map((product) => [product.id, product]));
  const placements = new Map(catalog.placements.map((placement) => [placement.id, placement]));
  const offersByPlacement = new Map<string, Offer[]>();
  const offerSlotsByPlacement = new Map<string, number[]>();
  catalog.offers.forEach((offer, slot) => {
    for (const placement of offer.placements) {
      const list = offersByPlacement.get(placement) ?? [];
      list.push(offer);
      offersByPlacement.set(placement, list);
      const slots = offerSlotsByPlacement.get(placement) ?? [];
      slots.push(slot);
      offerSlotsByPlacement.set(placement, slots);
    }
  });
  // Longest page prefix wins, so /loans/car/apply belongs to the car loan.
  const pages = catalog.products
    .map((product) => [product.page, `${product.page}/`, product.id] as const)
    .sort((a, b) => b[0].length - a[0].length);
  const productOfPage = (page: string) =>
    pages.find(([prefix, below]) => page === prefix || page.startsWith(below))?.[2];
  const offers = new Map(catalog.offers.map((offer) => [offer.id, offer]));
  const journeys = new Map<string, CompiledJourney>(
    catalog.products.map((product) => [product.id, compileJourney(product.journey)]),
  );
  const journeyOf: JourneyOf = (product) => journeys.get(product) ?? DEFAULT_COMPILED_JOURNEY;
  return {
    version: catalog.version,
    products,
    placements,
    offers,
    offersByPlacement,
    offerSlotsByPlacement,
    productOfPage,
    journeyOf,
    triggers: catalog.triggers ?? [],
    budgetScopes: compileBudgetScopes(catalog.budgets ?? []),
    source: catalog,
  };
}
