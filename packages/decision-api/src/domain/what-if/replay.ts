/**
 * A draft replayed beside the live catalog on the same customers: what each placement would serve, who would be left
 * with nothing but house offers and why, and how that changes by cluster and journey stage. The decisions themselves
 * are taken by the caller (the same composition as a customer's request, without writes); this only compares them.
 */

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
