import type { Budget } from '../../contract/index.js';
import { localDate, localDay, localWeek } from './zoned-time.js';

/** One period of a budget: its counter's key, and when it begins and ends. */
export interface BudgetPeriodWindow {
  /** The counter's period: the local date of the day, of the week's Monday, or `campaign`. */
  readonly key: string;
  readonly start: Date;
  readonly end: Date;
}

/** The period of the budget `at` falls in; null outside a campaign's dates (the budget is not in force). */
export function periodAt(budget: Budget, at: Date, timeZone: string): BudgetPeriodWindow | null {
  if (budget.period === 'campaign') {
    const start = new Date(budget.from as string);
    const end = new Date(budget.to as string);
    if (at < start || at >= end) return null;
    return { key: 'campaign', start, end };
  }
  const { start, end } = budget.period === 'day' ? localDay(at, timeZone) : localWeek(at, timeZone);
  return { key: `${budget.period}-${localDate(start, timeZone)}`, start, end };
}
