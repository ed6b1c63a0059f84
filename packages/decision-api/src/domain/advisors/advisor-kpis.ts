import { ADVISOR_OUTCOMES, type AdvisorOutcomeKind } from '../../contract/index.js';

/** Presentations of one advisor in one branch, as the store counts them. */
export interface PresentationCounts {
  readonly advisorId: string;
  readonly branch: string;
  /** Customers presented in the advisor's queue (each once per action window). */
  readonly presented: number;
  /** Of those, how many got an outcome from the advisor within the action window. */
  readonly acted: number;
  /** Of those without an outcome, how many are still inside their action window. */
  readonly pending: number;
}

export interface OutcomeCounts {
  readonly advisorId: string;
  readonly branch: string;
  readonly outcome: AdvisorOutcomeKind;
  readonly count: number;
}

export interface ActionKpi {
  readonly presented: number;
  readonly acted: number;
  readonly pending: number;
  /**
   * acted ÷ (presented − pending): the share of presented customers the advisor acted on within the action window,
   * counting only presentations whose window is over or that were acted on. Null when there is none yet.
   */
  readonly actionRate: number | null;
  readonly outcomes: Record<AdvisorOutcomeKind, number>;
}

export interface AdvisorKpis {
  readonly advisors: Array<ActionKpi & { readonly advisorId: string }>;
  readonly branches: Array<ActionKpi & { readonly branch: string }>;
}

/** Sums the counts per advisor (over the branches they served) and per branch (over its advisors). */
export function advisorKpis(
  presentations: readonly PresentationCounts[],
  outcomes: readonly OutcomeCounts[],
): AdvisorKpis {
  const byAdvisor = new Map<string, Tally>();
  const byBranch = new Map<string, Tally>();
  const tally = (map: Map<string, Tally>, key: string) => {
    let t = map.get(key);
    if (!t) {
      t = { presented: 0, acted: 0, pending: 0, outcomes: emptyOutcomes() };
      map.set(key, t);
    }
    return t;
  };
  for (const row of presentations) {
    for (const t of [tally(byAdvisor, row.advisorId), tally(byBranch, row.branch)]) {
      t.presented += row.presented;
      t.acted += row.acted;
      t.pending += row.pending;
    }
  }
  for (const row of outcomes) {
    for (const t of [tally(byAdvisor, row.advisorId), tally(byBranch, row.branch)])
      t.outcomes[row.outcome] += row.count;
  }
  const finish = (t: Tally): ActionKpi => {
    const settled = t.presented - t.pending;
    return { ...t, actionRate: settled > 0 ? t.acted / settled : null };
  };
  return {
    advisors: [...byAdvisor]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([advisorId, t]) => ({ advisorId, ...finish(t) })),
    branches: [...byBranch].sort(([a], [b]) => a.localeCompare(b)).map(([branch, t]) => ({ branch, ...finish(t) })),
  };
}

interface Tally {
  presented: number;
  acted: number;
  pending: number;
  outcomes: Record<AdvisorOutcomeKind, number>;
}

function emptyOutcomes(): Record<AdvisorOutcomeKind, number> {
  return Object.fromEntries(ADVISOR_OUTCOMES.map((outcome) => [outcome, 0])) as Record<AdvisorOutcomeKind, number>;
}
