/**
 * Off-policy evaluation: what another policy (a draft) would have earned on the decisions this one logged, from the
 * probability each logged choice had (the trace's `propensity`). Two estimators, each with a 95 % interval and the
 * effective sample size, and a plain refusal when the logs cannot answer:
 *
 * - self-normalised inverse propensity weighting (SNIPS): Σ wᵢ rᵢ / Σ wᵢ with wᵢ = π(aᵢ|xᵢ) / μ(aᵢ|xᵢ);
 * - doubly robust (DR): the reward model's value of the draft's choices, corrected by the weighted residuals of the
 *   logged ones: mean of r̂(xᵢ, π) + wᵢ (rᵢ − r̂(xᵢ, aᵢ)).
 *
 * Both are unbiased only where the logging policy could have made the draft's choices: a choice the logs never made in
 * a stratum has no weight to carry it, so the share of the draft's probability on such choices is reported and an
 * estimate over the bound is withheld.
 */

/** An action the policy can take at a placement: an offer id, or null for no offer. */
export type Action = string | null;

export interface LoggedDecision {
  /** Where the logging policy's behaviour is comparable (e.g. placement × cluster): support is judged per stratum. */
  readonly stratum: string;
  /** What the logging policy chose. */
  readonly action: Action;
  /** The probability with which it chose it (recorded with the decision); > 0. */
  readonly propensity: number;
  /** What the choice earned: 1/0 for a click or a conversion, or a value. */
  readonly reward: number;
  /** The evaluated policy's probabilities over actions in the same context (a deterministic one: one action, 1). */
  readonly target: ReadonlyArray<{ readonly action: Action; readonly probability: number }>;
}

export interface Estimate {
  readonly value: number;
  readonly low: number;
  readonly high: number;
  readonly standardError: number;
}

export interface OffPolicyReport {
  readonly decisions: number;
  /** (Σw)² / Σw²: how many logged decisions the weighted estimate is worth. */
  readonly effectiveSampleSize: number;
  /** The draft's probability mass on choices the logs never made in the decision's stratum, averaged. */
  readonly unsupportedShare: number;
  /** The logged policy's own value (the mean reward), for comparison. */
  readonly logged: Estimate;
  /** Null when the estimate cannot be trusted; `untrusted` says why. */
  readonly snips: Estimate | null;
  readonly doublyRobust: Estimate | null;
  readonly untrusted: readonly string[];
}

export interface OffPolicyOptions {
  /** Below this effective sample size the estimate is withheld. */
  readonly minEffectiveSampleSize?: number;
  /** Above this unsupported share the estimate is withheld. */
  readonly maxUnsupportedShare?: number;
  /** Shrinks each stratum × action mean of the reward model towards the action's overall mean by this many decisions. */
  readonly rewardModelPrior?: number;
}

const Z95 = 1.959963984540054;
const key = (stratum: string, action: Action) => `${stratum}\u0000${action ?? ''}`;

function estimate(value: number, standardError: number): Estimate {
  return { value, standardError, low: value - Z95 * standardError, high: value + Z95 * standardError };
}

/**
 * The reward model DR corrects: the mean reward per stratum × action, shrunk towards the action's mean across strata
 * (and that towards the overall mean), so a sparse cell borrows strength instead of reading 0 or 1 off a handful.
 */
export function rewardModel(logs: readonly LoggedDecision[], prior = 20): (stratum: string, action: Action) => number {
  let total = 0;
  for (const log of logs) total += log.reward;
  const overall = logs.length > 0 ? total / logs.length : 0;
  const byAction = new Map<string, { sum: number; n: number }>();
  const byCell = new Map<string, { sum: number; n: number }>();
  for (const log of logs) {
    const a = byAction.get(log.action ?? '') ?? { sum: 0, n: 0 };
    a.sum += log.reward;
    a.n += 1;
    byAction.set(log.action ?? '', a);
    const cell = byCell.get(key(log.stratum, log.action)) ?? { sum: 0, n: 0 };
    cell.sum += log.reward;
    cell.n += 1;
    byCell.set(key(log.stratum, log.action), cell);
  }
  return (stratum, action) => {
    const a = byAction.get(action ?? '');
    const actionMean = a ? (a.sum + prior * overall) / (a.n + prior) : overall;
    const cell = byCell.get(key(stratum, action));
    return cell ? (cell.sum + prior * actionMean) / (cell.n + prior) : actionMean;
  };
}

export function offPolicyEstimate(logs: readonly LoggedDecision[], options: OffPolicyOptions = {}): OffPolicyReport {
  const { minEffectiveSampleSize = 100, maxUnsupportedShare = 0.05, rewardModelPrior = 20 } = options;
  const n = logs.length;
  const support = new Set<string>();
  for (const log of logs) if (log.propensity > 0) support.add(key(log.stratum, log.action));
  const predict = rewardModel(logs, rewardModelPrior);

  let sumW = 0;
  let sumW2 = 0;
  let sumWR = 0;
  let unsupported = 0;
  let rewards = 0;
  const weights = new Float64Array(n);
  const drTerms = new Float64Array(n);
  logs.forEach((log, i) => {
    let targetOfLogged = 0;
    let predictedTarget = 0;
    for (const { action, probability } of log.target) {
      if (action === log.action) targetOfLogged += probability;
      if (!support.has(key(log.stratum, action))) unsupported += probability;
      predictedTarget += probability * predict(log.stratum, action);
    }
    const w = log.propensity > 0 ? targetOfLogged / log.propensity : 0;
    weights[i] = w;
    sumW += w;
    sumW2 += w * w;
    sumWR += w * log.reward;
    rewards += log.reward;
    drTerms[i] = predictedTarget + w * (log.reward - predict(log.stratum, log.action));
  });

  const mean = n > 0 ? rewards / n : 0;
  let loggedVar = 0;
  for (const log of logs) loggedVar += (log.reward - mean) ** 2;
  const logged = estimate(mean, n > 1 ? Math.sqrt(loggedVar / (n - 1) / n) : 0);

  const effectiveSampleSize = sumW2 > 0 ? (sumW * sumW) / sumW2 : 0;
  const unsupportedShare = n > 0 ? unsupported / n : 0;
  const untrusted: string[] = [];
  if (n === 0) untrusted.push('no logged decisions with their choice probability');
  if (unsupportedShare > maxUnsupportedShare) {
    untrusted.push(
      `${(unsupportedShare * 100).toFixed(1)} % of the draft's choices are ones the logged decisions never made (at most ${(maxUnsupportedShare * 100).toFixed(0)} % may be)`,
    );
  }
  if (n > 0 && effectiveSampleSize < minEffectiveSampleSize) {
    untrusted.push(
      `the logged decisions that agree with the draft are worth ${effectiveSampleSize.toFixed(0)} decisions (at least ${minEffectiveSampleSize} are needed)`,
    );
  }
  if (untrusted.length > 0) {
    return { decisions: n, effectiveSampleSize, unsupportedShare, logged, snips: null, doublyRobust: null, untrusted };
  }

  // SNIPS's standard error by the delta method: Σ wᵢ² (rᵢ − V)² / (Σ wᵢ)².
  const snipsValue = sumWR / sumW;
  let snipsVar = 0;
  logs.forEach((log, i) => {
    snipsVar += ((weights[i] as number) * (log.reward - snipsValue)) ** 2;
  });
  const snips = estimate(snipsValue, Math.sqrt(snipsVar) / sumW);

  let drSum = 0;
  for (const term of drTerms) drSum += term;
  const drValue = drSum / n;
  let drVar = 0;
  for (const term of drTerms) drVar += (term - drValue) ** 2;
  const doublyRobust = estimate(drValue, Math.sqrt(drVar / (n - 1) / n));

  return { decisions: n, effectiveSampleSize, unsupportedShare, logged, snips, doublyRobust, untrusted };
}
