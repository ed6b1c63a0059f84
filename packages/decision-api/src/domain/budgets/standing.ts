import type { Budget } from '../../contract/index.js';
import { allowance, minimumBoost } from './pacing.js';
import type { BudgetPeriodWindow } from './period.js';

/** Where a budget stands at one moment, as one instance knows it: what a decision reads about it. */
export interface BudgetStanding {
  readonly budget: Budget;
  readonly period: BudgetPeriodWindow;
  /** The period's elapsed share of expected traffic (0–1). */
  readonly share: number;
  /** The pacing line now: how much of the maximum may be spent by now (the maximum without pacing). */
  readonly allowance: number;
  /** The period's spend as far as known, every instance together (another's leased block counts as spent). */
  readonly spent: number;
  /** How many this instance may still spend now without asking the store. */
  readonly available: number;
  /** The period's maximum is reached: nothing more can be had until the next period. */
  readonly exhausted: boolean;
  /** The lever boost of offers in scope (1: none), when the spend is behind the pace to the minimum. */
  readonly boost: number;
}

export type BudgetStandings = ReadonlyMap<string, BudgetStanding>;

/** What the counters say of a budget's period. */
export interface BudgetCounts {
  /** Spent, every instance together, as far as known. */
  readonly spent: number;
  /**
   * For a measure counted as decisions are made: this instance's leased block left, and `used` (spent plus every
   * instance's leased blocks) as the counter row last said. Null for a measure counted on ingest.
   */
  readonly leased: { readonly left: number; readonly used: number } | null;
}

export function budgetStanding(
  budget: Budget,
  period: BudgetPeriodWindow,
  share: number,
  counts: BudgetCounts,
): BudgetStanding {
  const line = allowance(budget.maximum, budget.pacing, share);
  const { spent } = counts;
  const boost = minimumBoost(budget.minimum, spent, share);
  if (counts.leased) {
    const { left, used } = counts.leased;
    return { budget, period, share, allowance: line, spent, available: left, exhausted: used >= budget.maximum, boost };
  }
  const available = Math.max(0, Math.floor(Math.min(budget.maximum, line)) - spent);
  return { budget, period, share, allowance: line, spent, available, exhausted: spent >= budget.maximum, boost };
}

/** The trace's account of a budget holding an offer back. */
export interface BudgetHold {
  readonly rule: 'budget-exhausted' | 'budget-paced';
  readonly detail: string;
  readonly budget: string;
}

/**
 * Whether one of the offer's budgets holds it back: `budget-exhausted` once the period's maximum is reached,
 * `budget-paced` while the spend is at the pacing line (or this instance waits for its next block). `pageSpend` counts
 * what earlier placements of the same page took.
 */
export function budgetHold(
  standings: BudgetStandings,
  budgets: readonly Budget[],
  pageSpend: ReadonlyMap<string, number>,
): BudgetHold | null {
  for (const budget of budgets) {
    const standing = standings.get(budget.id);
    if (!standing) continue;
    if (standing.available - (pageSpend.get(budget.id) ?? 0) > 0) continue;
    const measure = budget.measure.replace(/_/g, ' ');
    if (standing.exhausted) {
      return {
        rule: 'budget-exhausted',
        budget: budget.id,
        detail: `budget "${budget.id}" has reached its maximum of ${budget.maximum} ${measure} this ${budget.period}`,
      };
    }
    return {
      rule: 'budget-paced',
      budget: budget.id,
      detail: `budget "${budget.id}" is held to its pace: ${Math.round(standing.spent)} of ${budget.maximum} ${measure} spent, ${Math.floor(standing.allowance)} allowed by now`,
    };
  }
  return null;
}

/** The lever boost of the offer's budgets behind their minimum: the largest of them, with the budget it comes from. */
export function budgetBoost(
  standings: BudgetStandings,
  budgets: readonly Budget[],
): { readonly budget: string; readonly factor: number; readonly behind: number } | null {
  let best: { budget: string; factor: number; behind: number } | null = null;
  for (const budget of budgets) {
    const standing = standings.get(budget.id);
    if (!standing || standing.boost <= 1) continue;
    if (!best || standing.boost > best.factor) {
      const behind = Math.round((budget.minimum ?? 0) * standing.share - standing.spent);
      best = { budget: budget.id, factor: Math.round(standing.boost * 1000) / 1000, behind };
    }
  }
  return best;
}
