import type { DayOutcome, Policy, PolicyOutcome, SimulationResult } from './policy-simulation.js';

/**
 * What `pnpm simulate` checks in each world, from a run's days. Rates over windows are expected rates (the sum of the
 * true rates of the offers shown, per impression): on the same visits they compare policies without the luck of each
 * conversion draw, which over a week in one segment would move a rate by more than the 5 % the goal allows.
 */

/** Days of the window the change goal compares rates over. */
export const CHANGE_WINDOW_DAYS = 7;
/** Within this many days of the change the engine's rate must be back. */
export const CHANGE_RECOVERY_DAYS = 14;
/** Days of the window the cold-start goal compares the new offer's share over, ending on the tenth day after entry. */
export const COLD_START_WINDOW_DAYS = 5;
export const COLD_START_DAYS = 10;

export const GOALS = {
  wrongPriorsPriorAtMost: 0.85,
  wrongPriorsEngineAtLeast: 0.92,
  changeWithin: 0.05,
  coldStartShareAtLeast: 0.8,
  demoEngineAtLeast: 0.97,
} as const;

export const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : a / b);

/** A policy's conversions and value as shares of the oracle's. */
export function ofOracle(result: SimulationResult, policy: Policy) {
  const of = (key: keyof PolicyOutcome) => ratio(result[policy][key], result.oracle[key]);
  return { conversions: of('conversions'), value: of('value'), expectedConversions: of('expectedConversions') };
}

const sumFocus = (days: readonly DayOutcome[], from: number, to: number) => {
  let impressions = 0;
  let expected = 0;
  let offer = 0;
  for (let day = Math.max(0, from); day <= to && day < days.length; day++) {
    const focus = (days[day] as DayOutcome).focus;
    impressions += focus.impressions;
    expected += focus.expectedConversions;
    offer += focus.offerImpressions;
  }
  return { impressions, expected, offer };
};

/** The engine's expected conversion rate in the focus segment over the window ending on `day`, over the oracle's. */
export function focusRateRatio(
  result: SimulationResult,
  day: number,
  windowDays = CHANGE_WINDOW_DAYS,
  policy: Policy = 'engine',
): number {
  const rate = (policy: Policy) => {
    const { impressions, expected } = sumFocus(result.daily[policy], day - windowDays + 1, day);
    return ratio(expected, impressions);
  };
  return ratio(rate(policy), rate('oracle'));
}

export interface ChangeRecovery {
  /** Engine ÷ oracle over the week before the change. */
  readonly before: number;
  /** Over the week right after it. */
  readonly firstWeek: number;
  /** Over the window ending on the last day the goal allows (the 14th day from the change). */
  readonly atDeadline: number;
  /** Days from the change to the end of the first window wholly after it within 5 % of the oracle; null: never. */
  readonly recoveredAfterDays: number | null;
}

export function changeRecovery(result: SimulationResult, policy: Policy = 'engine'): ChangeRecovery | null {
  const changeDay = focusDayOf(result);
  if (changeDay === null) return null;
  const last = result.days - 1;
  let recoveredAfterDays: number | null = null;
  for (let end = changeDay + CHANGE_WINDOW_DAYS - 1; end <= last; end++) {
    if (focusRateRatio(result, end, CHANGE_WINDOW_DAYS, policy) >= 1 - GOALS.changeWithin) {
      recoveredAfterDays = end - changeDay + 1;
      break;
    }
  }
  return {
    before: focusRateRatio(result, changeDay - 1, CHANGE_WINDOW_DAYS, policy),
    firstWeek: focusRateRatio(result, changeDay + CHANGE_WINDOW_DAYS - 1, CHANGE_WINDOW_DAYS, policy),
    atDeadline: focusRateRatio(result, changeDay + CHANGE_RECOVERY_DAYS - 1, CHANGE_WINDOW_DAYS, policy),
    recoveredAfterDays,
  };
}

export interface ColdStartShare {
  /** The new offer's share of the focus segment's impressions, engine and oracle, over the window ending day 10. */
  readonly engineShare: number;
  readonly oracleShare: number;
  readonly ofOracle: number;
  /** Days from entry to the end of the first window where the engine's share was ≥ 80 % of the oracle's; null: never. */
  readonly reachedAfterDays: number | null;
}

export function coldStartShare(result: SimulationResult, policy: Policy = 'engine'): ColdStartShare | null {
  const entry = focusDayOf(result);
  if (entry === null) return null;
  const shareOver = (policy: Policy, end: number) => {
    const { impressions, offer } = sumFocus(result.daily[policy], end - COLD_START_WINDOW_DAYS + 1, end);
    return ratio(offer, impressions);
  };
  const deadline = entry + COLD_START_DAYS - 1;
  let reachedAfterDays: number | null = null;
  for (let end = entry + COLD_START_WINDOW_DAYS - 1; end < result.days; end++) {
    if (shareOver(policy, end) >= GOALS.coldStartShareAtLeast * shareOver('oracle', end)) {
      reachedAfterDays = end - entry + 1;
      break;
    }
  }
  const engineShare = shareOver(policy, deadline);
  const oracleShare = shareOver('oracle', deadline);
  return { engineShare, oracleShare, ofOracle: ratio(engineShare, oracleShare), reachedAfterDays };
}

const focusDayOf = (result: SimulationResult): number | null => result.focus?.day ?? null;

/**
 * Cumulative regret per day against the oracle, in expected value (true rate × value of the offers shown): the
 * oracle's expected value so far minus the policy's, averaged over the runs given (the seeds).
 */
export function cumulativeRegret(results: readonly SimulationResult[], policy: Policy): number[] {
  const days = Math.min(...results.map((result) => result.days));
  const regret: number[] = [];
  let total = 0;
  for (let day = 0; day < days; day++) {
    let gap = 0;
    for (const result of results) {
      gap +=
        (result.daily.oracle[day] as DayOutcome).expectedValue -
        (result.daily[policy][day] as DayOutcome).expectedValue;
    }
    total += gap / results.length;
    regret.push(total);
  }
  return regret;
}
