/**
 * A draft replayed beside the live catalog on the same customers: what each placement would serve, who would be left
 * with nothing but house offers and why, and how that changes by cluster and journey stage. Each customer's page is
 * decided by `decidePage` on the live snapshot and on the same snapshot with the draft's catalog, as a staff preview
 * decides it (posterior means, no exploration); nothing is written.
 */
import type { Catalog, DecisionContext } from '../../contract/index.js';
import type { BankScore } from '../decision/arbitration.js';
import { compileCatalog } from '../decision/catalog.js';
import type { PlacementOutcome } from '../decision/decide.js';
import { type DecisionSnapshot, decidePage } from '../decision/decide-page.js';
import type { CustomerProfile } from '../journeys/profile.js';

export interface ReplayedSample {
  readonly customerId: string;
  readonly cluster: string | null;
  /** The birth year the bank supplied, for the fairness check by age band. */
  readonly birthYear: number | undefined;
  readonly live: readonly PlacementOutcome[];
  readonly draft: readonly PlacementOutcome[];
}

/** The snapshot with the draft in place of the live catalog: what a decision would be, were it published. */
export const draftSnapshot = (snapshot: DecisionSnapshot, draft: Catalog): DecisionSnapshot => ({
  ...snapshot,
  catalog: compileCatalog(draft),
});

/** Every placement of each channel, decided as a customer with consent on the channel's dashboard would be. */
export function dashboardPages(catalog: Catalog): Array<{ context: DecisionContext; placements: string[] }> {
  const channels = [...new Set(catalog.placements.flatMap((placement) => placement.channels))];
  return channels.map((channel) => ({
    context: { channel, page: '/dashboard', locale: 'da', consent: 'granted' },
    placements: catalog.placements.filter((p) => p.channels.includes(channel)).map((p) => p.id),
  }));
}

/** Each customer's dashboards decided on the live snapshot and with the draft's catalog. */
export function replayCustomers(
  live: DecisionSnapshot,
  draft: Catalog,
  customers: ReadonlyArray<{
    readonly customerId: string;
    readonly profile: CustomerProfile;
    readonly bankScores?: ReadonlyMap<string, BankScore>;
  }>,
  now: Date,
): ReplayedSample[] {
  const drafted = draftSnapshot(live, draft);
  const pages = dashboardPages(live.catalog.source);
  return customers.map(({ customerId, profile, bankScores }) => {
    const decideWith = (snapshot: DecisionSnapshot) =>
      pages.flatMap(({ context, placements }) =>
        decidePage(snapshot, { profile, context, placements, customerId, unitId: customerId, bankScores, now }),
      );
    const liveOutcomes = decideWith(live);
    return {
      customerId,
      cluster: liveOutcomes[0]?.trace.cluster?.id ?? null,
      birthYear: profile.attributes?.birthYear,
      live: liveOutcomes,
      draft: decideWith(drafted),
    };
  });
}

export const replayed = (outcome: PlacementOutcome): ReplayedPlacement => ({
  placement: outcome.placement,
  winner: outcome.offer?.id ?? null,
  candidates: outcome.trace.candidates,
});

/** One placement's decision as the replay needs it: the winner and the rule that excluded each other candidate. */
export interface ReplayedPlacement {
  readonly placement: string;
  readonly winner: string | null;
  readonly candidates: ReadonlyArray<{ readonly offerId: string; readonly excludedBy?: { readonly rule: string } }>;
}

export interface ReplayedCustomer {
  readonly cluster: string | null;
  /** Journey stage per product. */
  readonly stages: Readonly<Record<string, string>>;
  readonly live: readonly ReplayedPlacement[];
  readonly draft: readonly ReplayedPlacement[];
}

export interface OfferShare {
  readonly offerId: string | null;
  readonly live: number;
  readonly draft: number;
}

export interface ReplayReport {
  readonly customers: number;
  /** Per placement, each offer's share of decisions (null: no offer), live and draft, largest change first. */
  readonly placements: ReadonlyArray<{ readonly placement: string; readonly shares: readonly OfferShare[] }>;
  /** Customers whose every placement gets only house offers or nothing, live and draft, and the rule that excluded most. */
  readonly leftWithNothing: {
    readonly live: number;
    readonly draft: number;
    readonly topRule: { readonly rule: string; readonly count: number } | null;
  };
  /** Decisions that change from live to draft, per cluster and per journey stage of any product. */
  readonly changedByCluster: ReadonlyArray<{
    readonly cluster: string | null;
    readonly customers: number;
    readonly changed: number;
  }>;
  readonly changedByStage: ReadonlyArray<{
    readonly stage: string;
    readonly customers: number;
    readonly changed: number;
  }>;
  /** Offers whose number of decisions gains or loses the most, across placements. */
  readonly movers: ReadonlyArray<{ readonly offerId: string; readonly live: number; readonly draft: number }>;
}

const byCount = <T extends { count: number }>(a: T, b: T) => b.count - a.count;

export function compareReplay(customers: readonly ReplayedCustomer[], houseOffers: ReadonlySet<string>): ReplayReport {
  const shares = new Map<string, Map<string | null, { live: number; draft: number }>>();
  const totals = new Map<string, { live: number; draft: number }>();
  const count = (side: 'live' | 'draft', placement: ReplayedPlacement) => {
    const perOffer = shares.get(placement.placement) ?? new Map();
    shares.set(placement.placement, perOffer);
    const cell = perOffer.get(placement.winner) ?? { live: 0, draft: 0 };
    cell[side] += 1;
    perOffer.set(placement.winner, cell);
    if (placement.winner !== null) {
      const total = totals.get(placement.winner) ?? { live: 0, draft: 0 };
      total[side] += 1;
      totals.set(placement.winner, total);
    }
  };
  const nothing = (placements: readonly ReplayedPlacement[]) =>
    placements.every((p) => p.winner === null || houseOffers.has(p.winner));

  let liveNothing = 0;
  let draftNothing = 0;
  const rules = new Map<string, number>();
  const clusters = new Map<string | null, { customers: number; changed: number }>();
  const stages = new Map<string, { customers: number; changed: number }>();
  for (const customer of customers) {
    for (const placement of customer.live) count('live', placement);
    for (const placement of customer.draft) count('draft', placement);
    if (nothing(customer.live)) liveNothing++;
    if (nothing(customer.draft)) {
      draftNothing++;
      for (const placement of customer.draft) {
        for (const candidate of placement.candidates) {
          if (candidate.excludedBy && !houseOffers.has(candidate.offerId)) {
            rules.set(candidate.excludedBy.rule, (rules.get(candidate.excludedBy.rule) ?? 0) + 1);
          }
        }
      }
    }
    const draftWinners = new Map(customer.draft.map((p) => [p.placement, p.winner]));
    const changed = customer.live.some((p) => draftWinners.get(p.placement) !== p.winner) ? 1 : 0;
    const cluster = clusters.get(customer.cluster) ?? { customers: 0, changed: 0 };
    cluster.customers++;
    cluster.changed += changed;
    clusters.set(customer.cluster, cluster);
    for (const stage of new Set(Object.values(customer.stages))) {
      const row = stages.get(stage) ?? { customers: 0, changed: 0 };
      row.customers++;
      row.changed += changed;
      stages.set(stage, row);
    }
  }

  const n = Math.max(1, customers.length);
  const topRule = [...rules].map(([rule, c]) => ({ rule, count: c })).sort(byCount)[0] ?? null;
  return {
    customers: customers.length,
    placements: [...shares].map(([placement, perOffer]) => ({
      placement,
      shares: [...perOffer]
        .map(([offerId, cell]) => ({ offerId, live: cell.live / n, draft: cell.draft / n }))
        .sort((a, b) => Math.abs(b.draft - b.live) - Math.abs(a.draft - a.live) || b.live - a.live),
    })),
    leftWithNothing: { live: liveNothing, draft: draftNothing, topRule },
    changedByCluster: [...clusters].map(([cluster, row]) => ({ cluster, ...row })),
    changedByStage: [...stages].map(([stage, row]) => ({ stage, ...row })),
    movers: [...totals]
      .map(([offerId, total]) => ({ offerId, ...total }))
      .filter((row) => row.live !== row.draft)
      .sort((a, b) => Math.abs(b.draft - b.live) - Math.abs(a.draft - a.live))
      .slice(0, 10),
  };
}
