/**
 * The probability of each placement's choice, recorded with the decision so that another policy can be evaluated on
 * the decisions this one took (off-policy evaluation).
 *
 * A decision that explores takes its Thompson draw as one row of the learned model's draws (learned-model.ts), the same
 * row for every offer: row r, with r uniform over the rows from the decision's seed. Replaying the page — placements in
 * order, an offer once per page, one credit offer per page, a fired trigger first, then the highest priority, then the
 * lower id — for every row gives, per placement, the share of rows in which each offer is chosen: the exact
 * probability with which this policy, given this profile, context and snapshot, makes each choice. A decision that does
 * not explore (no seed: posterior means) is deterministic: its choice has probability 1, every other 0.
 */

/** An offer a placement could choose: eligible, before the page's one-offer and one-credit rules. */
export interface Contender {
  readonly offerId: string;
  readonly credit: boolean;
  readonly triggered: boolean;
  /** The priority the decision ranked it by. */
  readonly priority: number;
  /** For a learned propensity: the posterior's draws, and the factors its priority multiplies a draw by. */
  readonly draws?: Float64Array;
  readonly journeyMultiplier: number;
  readonly value: number;
  readonly contextWeight: number;
  readonly lever: number;
}

export interface ChoiceProbability {
  /** The probability that this placement gets the offer it got (or, for no offer, none). */
  readonly propensity: number;
  /** The offer ranked second by the decision, and the probability that the placement would have got it. */
  readonly runnerUp: { readonly offerId: string; readonly propensity: number } | null;
}

/** Replays of the page at most this many offer rankings: the rows shrink for very large catalogs, never below 16. */
export const ROW_BUDGET = 4_096;
export const MIN_ROWS = 16;

/** How many of the model's rows a decision draws from, given how many offers its placements list. */
export function rowsFor(listed: number, draws: number): number {
  return Math.min(draws, Math.max(MIN_ROWS, Math.floor(ROW_BUDGET / Math.max(1, listed))));
}

/**
 * Each placement's choice probability. `contenders` per placement, in the catalog's order; `chosen` the decision's
 * choice per placement and `runnersUp` its second; `rows` the rows the decision drew from (0: it did not explore).
 */
export function choiceProbabilities(
  contenders: readonly (readonly Contender[])[],
  chosen: readonly (string | null)[],
  runnersUp: readonly (string | null)[],
  rows: number,
): ChoiceProbability[] {
  const explores = rows > 0 && contenders.some((list) => list.length > 1 && list.some((c) => c.draws !== undefined));
  if (!explores) {
    return chosen.map((_, p) => {
      const second = runnersUp[p] ?? null;
      return { propensity: 1, runnerUp: second === null ? null : { offerId: second, propensity: 0 } };
    });
  }
  // Offers by index across the page, so a row marks what it has shown in a typed array rather than a set.
  const index = new Map<string, number>();
  for (const list of contenders) for (const c of list) if (!index.has(c.offerId)) index.set(c.offerId, index.size);
  const shownInRow = new Int32Array(index.size).fill(-1);
  const offerIndex = contenders.map((list) => Int32Array.from(list, (c) => index.get(c.offerId) as number));
  // wins[p][i]: rows in which placement p chose its contender i; the last slot counts rows with no offer.
  const wins = contenders.map((list) => new Int32Array(list.length + 1));
  for (let row = 0; row < rows; row++) {
    let creditShown = false;
    for (let p = 0; p < contenders.length; p++) {
      const list = contenders[p] as readonly Contender[];
      const indices = offerIndex[p] as Int32Array;
      let best = -1;
      let bestPriority = 0;
      let bestTriggered = false;
      for (let i = 0; i < list.length; i++) {
        const c = list[i] as Contender;
        if (shownInRow[indices[i] as number] === row || (c.credit && creditShown)) continue;
        // The very expression scoreOffer computes, so row r ranks exactly as the decision did.
        const priority = c.draws
          ? Math.min(1, (c.draws[row] as number) * c.journeyMultiplier) * c.value * c.contextWeight * c.lever
          : c.priority;
        const sameFooting = c.triggered === bestTriggered;
        if (
          best < 0 ||
          (c.triggered && !bestTriggered) ||
          (sameFooting &&
            (priority > bestPriority || (priority === bestPriority && c.offerId < (list[best] as Contender).offerId)))
        ) {
          best = i;
          bestPriority = priority;
          bestTriggered = c.triggered;
        }
      }
      const counts = wins[p] as Int32Array;
      if (best < 0) {
        counts[list.length] = (counts[list.length] as number) + 1;
        continue;
      }
      counts[best] = (counts[best] as number) + 1;
      shownInRow[indices[best] as number] = row;
      if ((list[best] as Contender).credit) creditShown = true;
    }
  }
  const share = (p: number, offerId: string | null) => {
    const list = contenders[p] as readonly Contender[];
    const counts = wins[p] as Int32Array;
    const i = offerId === null ? list.length : list.findIndex((c) => c.offerId === offerId);
    return i < 0 ? 0 : (counts[i] as number) / rows;
  };
  return chosen.map((offerId, p) => {
    const second = runnersUp[p] ?? null;
    return {
      propensity: share(p, offerId),
      runnerUp: second === null ? null : { offerId: second, propensity: share(p, second) },
    };
  });
}
