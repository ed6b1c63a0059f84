import { describe, expect, it } from 'vitest';
import { createRandom, type Random } from '../../../src/demo/random.js';
import { type LoggedDecision, offPolicyEstimate } from '../../../src/domain/what-if/off-policy.js';

/**
 * A simulated bank: six clusters, four offers with true click rates that differ by cluster, a logging policy that
 * explores with known probabilities (as the engine records them), and a draft that picks differently. The draft's true
 * click rate is known, so each estimate's interval can be checked against it.
 */
const OFFERS = ['car-loan', 'mortgage', 'pension', 'savings'] as const;
/** True click rates [cluster][offer]: the best offer differs by cluster. */
const RATES = [
  [0.1, 0.03, 0.02, 0.05],
  [0.02, 0.09, 0.04, 0.03],
  [0.03, 0.02, 0.11, 0.04],
  [0.05, 0.06, 0.02, 0.08],
  [0.12, 0.02, 0.03, 0.02],
  [0.02, 0.03, 0.04, 0.1],
];
/** How often each cluster visits. */
const SHARES = [0.3, 0.2, 0.15, 0.15, 0.1, 0.1];
/**
 * The logging policy: each cluster's choice probabilities, skewed so the draft's choice is rare exactly where it pays
 * most (clusters 3 and 4): an estimate that does not weigh by the recorded probabilities is pulled towards the rest.
 */
const LOGGING = [
  [0.2, 0.1, 0.1, 0.6],
  [0.1, 0.2, 0.6, 0.1],
  [0.1, 0.1, 0.2, 0.6],
  [0.3, 0.1, 0.3, 0.3],
  [0.05, 0.35, 0.3, 0.3],
  [0.1, 0.1, 0.6, 0.2],
];
/** The draft: a fixed offer per cluster (second-best in most), so its value differs from the logging policy's. */
const DRAFT = [3, 2, 3, 1, 0, 2];

const pick = (random: Random, weights: readonly number[]) => {
  let u = random.next();
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i] as number;
    if (u < 0) return i;
  }
  return weights.length - 1;
};

function logDecisions(seed: number, n: number, logging = LOGGING): LoggedDecision[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => {
    const cluster = pick(random, SHARES);
    const probabilities = logging[cluster] as number[];
    const offer = pick(random, probabilities);
    const clicked = random.chance((RATES[cluster] as number[])[offer] as number);
    return {
      stratum: `cluster-${cluster}`,
      action: OFFERS[offer] as string,
      propensity: probabilities[offer] as number,
      reward: clicked ? 1 : 0,
      target: [{ action: OFFERS[DRAFT[cluster] as number] as string, probability: 1 }],
    };
  });
}

const trueDraftValue = SHARES.reduce(
  (sum, share, cluster) => sum + share * ((RATES[cluster] as number[])[DRAFT[cluster] as number] as number),
  0,
);

describe('what a draft would have earned, estimated from the logged decisions', () => {
  it("covers the draft's true click rate with its 95 % interval in at least 90 % of 50 seeded banks", () => {
    let snipsCovered = 0;
    let drCovered = 0;
    let naiveCovered = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const logs = logDecisions(seed, 10_000);
      const report = offPolicyEstimate(logs);
      expect(report.untrusted).toEqual([]);
      const { snips, doublyRobust } = report;
      if (!snips || !doublyRobust) throw new Error('an estimate was withheld');
      if (snips.low <= trueDraftValue && trueDraftValue <= snips.high) snipsCovered++;
      if (doublyRobust.low <= trueDraftValue && trueDraftValue <= doublyRobust.high) drCovered++;
      // The easy answer: the click rate of the logged decisions that happen to agree with the draft, unweighted. It
      // weighs clusters by how often the logging policy agreed with the draft there, and misses.
      const agreeing = logs.filter((log) => log.target[0]?.action === log.action);
      const rate = agreeing.reduce((sum, log) => sum + log.reward, 0) / agreeing.length;
      const se = Math.sqrt((rate * (1 - rate)) / agreeing.length);
      if (Math.abs(rate - trueDraftValue) <= 1.96 * se) naiveCovered++;
    }
    expect(snipsCovered).toBeGreaterThanOrEqual(45);
    expect(drCovered).toBeGreaterThanOrEqual(45);
    // The world is hard enough that the unweighted answer fails: its interval rarely holds the truth.
    expect(naiveCovered).toBeLessThan(25);
  });

  it('says the estimate cannot be trusted when the draft chooses an offer the logged decisions never chose', () => {
    // The logging policy never shows savings in clusters 0 and 2; the draft shows it there.
    const logging = LOGGING.map((row, cluster) => (cluster === 0 || cluster === 2 ? [0.5, 0.3, 0.2, 0] : row));
    const report = offPolicyEstimate(logDecisions(7, 6_000, logging));
    expect(report.snips).toBeNull();
    expect(report.doublyRobust).toBeNull();
    expect(report.unsupportedShare).toBeGreaterThan(0.4);
    expect(report.untrusted.join(' ')).toMatch(/never made/);
  });

  it('says so when too few logged decisions agree with the draft', () => {
    const report = offPolicyEstimate(logDecisions(3, 300));
    expect(report.effectiveSampleSize).toBeLessThan(100);
    expect(report.snips).toBeNull();
    expect(report.untrusted.join(' ')).toMatch(/worth \d+ decisions/);
  });

  it('estimates the logging policy itself as its own mean reward, with every weight 1', () => {
    const logs = logDecisions(11, 2_000).map((log) => ({
      ...log,
      target: OFFERS.map((action, offer) => ({
        action,
        probability: (LOGGING[Number(log.stratum.slice(-1))] as number[])[offer] as number,
      })),
    }));
    const report = offPolicyEstimate(logs);
    expect(report.snips?.value).toBeCloseTo(report.logged.value, 10);
    expect(report.effectiveSampleSize).toBeCloseTo(2_000, 6);
  });
});
