/**
 * Budgets: volume constraints in totals per period (day, week, campaign in the bank's time zone), paced over the
 * period by the expected traffic, with an optional minimum that boosts offers behind it. Reading order: period →
 * pacing → standing (what a decision reads) → scope (which budgets an offer answers to).
 */

export {
  allowance,
  elapsedShare,
  type HourlyCount,
  minimumBoost,
  type PacingPlan,
  pacingPlan,
  type TrafficProfile,
  trafficProfile,
} from './pacing.js';
export { type BudgetPeriodWindow, periodAt } from './period.js';
export { type BudgetScopes, compileBudgetScopes } from './scope.js';
export {
  type BudgetCounts,
  type BudgetHold,
  type BudgetStanding,
  type BudgetStandings,
  budgetBoost,
  budgetHold,
  budgetStanding,
} from './standing.js';
export { hourOfWeek, localDate, localDay, localTime, localWeek, zonedInstant } from './zoned-time.js';
