import type { Budget, Channel, Offer } from '../../contract/index.js';

/** The budgets a decision checks an offer against, looked up by offer, product, placement and channel. */
export interface BudgetScopes {
  /** Every budget a decision reads (leads to the branches are counted on delivery, not in decisions). */
  readonly decisionBudgets: readonly Budget[];
  /** The budgets of an offer shown in a placement of a channel. */
  budgetsOf(offer: Offer, placement: string, channel: Channel): readonly Budget[];
  /** The budgets of leads handed over to a branch. */
  leadBudgetsOf(branch: string | null): readonly Budget[];
}

const NONE: readonly Budget[] = [];

export function compileBudgetScopes(budgets: readonly Budget[]): BudgetScopes {
  const byKey = new Map<string, Budget[]>();
  const add = (key: string, budget: Budget) => byKey.set(key, [...(byKey.get(key) ?? []), budget]);
  const leads: Budget[] = [];
  const decisionBudgets: Budget[] = [];
  for (const budget of budgets) {
    const { scope } = budget;
    if (scope.kind === 'branch-leads') {
      leads.push(budget);
      continue;
    }
    decisionBudgets.push(budget);
    if (scope.kind === 'offer') add(`offer:${scope.offer}`, budget);
    else if (scope.kind === 'product') add(`product:${scope.product}`, budget);
    else if (scope.kind === 'placement') add(`placement:${scope.placement}`, budget);
    else add(`channel:${scope.channel}`, budget);
  }
  const memo = new Map<string, readonly Budget[]>();
  return {
    decisionBudgets,
    budgetsOf(offer, placement, channel) {
      if (decisionBudgets.length === 0) return NONE;
      const key = `${offer.id}\u0000${placement}\u0000${channel}`;
      let found = memo.get(key);
      if (!found) {
        found = [
          ...(byKey.get(`offer:${offer.id}`) ?? []),
          ...(offer.product === null ? [] : (byKey.get(`product:${offer.product}`) ?? [])),
          ...(byKey.get(`placement:${placement}`) ?? []),
          ...(byKey.get(`channel:${channel}`) ?? []),
        ];
        memo.set(key, found.length === 0 ? NONE : found);
      }
      return found;
    },
    leadBudgetsOf: (branch) =>
      leads.filter(
        (budget) =>
          budget.scope.kind === 'branch-leads' && (budget.scope.branch === null || budget.scope.branch === branch),
      ),
  };
}
