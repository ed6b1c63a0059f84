import type { Score } from './arbitration.js';

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

/**
 * The offers a placement could choose — eligible, before the page's one-offer and one-credit rules — in the catalog's
 * order, as parallel arrays (a decision of a large catalog lists hundreds; an object each was most of its garbage).
 */
export interface Contenders {
  readonly ids: string[];
  /** The offer's slot in the catalog: what marks it shown on the page. */
  readonly slots: number[];
  readonly credit: boolean[];
  readonly triggered: boolean[];
  readonly scores: Score[];
  /** A learned propensity's posterior draws; undefined for a fixed one (the bank's model). */
  readonly draws: (Float64Array | undefined)[];
}

/** A placement with no offer to choose from (never pushed to). */
export const NO_CONTENDERS: Contenders = Object.freeze({
  ids: [],
  slots: [],
  credit: [],
  triggered: [],
  scores: [],
  draws: [],
}) as Contenders;

export const noContenders = (): Contenders => ({
  ids: [],
  slots: [],
  credit: [],
  triggered: [],
  scores: [],
  draws: [],
});

export interface ChoiceProbability {
  /** The probability that this placement gets the offer it got (or, for no offer, none). */
  readonly propensity: number;
  /** The offer ranked second by the decision, and the probability that the placement would have got it. */
  readonly runnerUp: { readonly offerId: string; readonly propensity: number } | null;
}

/** Replays of the page rank at most about this many offers: the rows shrink for very large catalogs, never below 8. */
export const ROW_BUDGET = 2_048;
export const MIN_ROWS = 8;

/** How many of the model's rows a decision draws from, given how many offers its placements list. */
export function rowsFor(listed: number, draws: number): number {
  return Math.min(draws, Math.max(MIN_ROWS, Math.floor(ROW_BUDGET / Math.max(1, listed))));
}

/**
 * Each placement's choice probability. `contenders` per placement; `chosen` the decision's choice per placement and
 * `runnersUp` its second; `rows` the rows the decision drew from (0: it did not explore); `slots` the catalog's size.
 */
export function choiceProbabilities(
  contenders: readonly Contenders[],
  chosen: readonly (string | null)[],
  runnersUp: readonly (string | null)[],
  rows: number,
  slots: number,
): ChoiceProbability[] {
  const explores =
    rows > 0 && contenders.some((list) => list.ids.length > 1 && list.draws.some((d) => d !== undefined));
  if (!explores) {
    return chosen.map((_, p) => {
      const second = runnersUp[p] ?? null;
      return { propensity: 1, runnerUp: second === null ? null : { offerId: second, propensity: 0 } };
    });
  }
  // What each row has shown so far on the page, by catalog slot: only a page of several placements needs it.
  const shownInRow = contenders.length > 1 ? new Int32Array(slots).fill(-1) : undefined;
  // Each contender's factors in typed arrays, read once per row rather than through its score object.
  const factors = contenders.map((list) => {
    const n = list.ids.length;
    const f = {
      multiplier: new Float64Array(n),
      value: new Float64Array(n),
      context: new Float64Array(n),
      lever: new Float64Array(n),
      fixed: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      const score = list.scores[i] as Score;
      f.multiplier[i] = score.learned?.journeyMultiplier ?? 1;
      f.value[i] = score.value;
      f.context[i] = score.contextWeight;
      f.lever[i] = score.lever;
      f.fixed[i] = score.priority;
    }
    return f;
  });
  // wins[p][i]: rows in which placement p chose its contender i; the last slot counts rows with no offer.
  const wins = contenders.map((list) => new Int32Array(list.ids.length + 1));
  for (let row = 0; row < rows; row++) {
    let creditShown = false;
    for (let p = 0; p < contenders.length; p++) {
      const list = contenders[p] as Contenders;
      const { ids, draws, triggered } = list;
      const { multiplier, value, context, lever, fixed } = factors[p] as (typeof factors)[number];
      let best = -1;
      let bestPriority = 0;
      let bestTriggered = false;
      for (let i = 0; i < ids.length; i++) {
        if (shownInRow && (shownInRow[list.slots[i] as number] === row || (list.credit[i] && creditShown))) continue;
        const column = draws[i];
        // The very expression scoreOffer computes, in its order, so row r ranks exactly as the decision did.
        const priority = column
          ? Math.min(1, (column[row] as number) * (multiplier[i] as number)) *
            (value[i] as number) *
            (context[i] as number) *
            (lever[i] as number)
          : (fixed[i] as number);
        const isTriggered = triggered[i] as boolean;
        if (
          best < 0 ||
          (isTriggered && !bestTriggered) ||
          (isTriggered === bestTriggered &&
            (priority > bestPriority || (priority === bestPriority && (ids[i] as string) < (ids[best] as string))))
        ) {
          best = i;
          bestPriority = priority;
          bestTriggered = isTriggered;
        }
      }
      const counts = wins[p] as Int32Array;
      if (best < 0) {
        counts[ids.length] = (counts[ids.length] as number) + 1;
        continue;
      }
      counts[best] = (counts[best] as number) + 1;
      if (shownInRow) {
        shownInRow[list.slots[best] as number] = row;
        if (list.credit[best]) creditShown = true;
      }
    }
  }
  const share = (p: number, offerId: string | null) => {
    const { ids } = contenders[p] as Contenders;
    const i = offerId === null ? ids.length : ids.indexOf(offerId);
    return i < 0 ? 0 : ((wins[p] as Int32Array)[i] as number) / rows;
  };
  return chosen.map((offerId, p) => {
    const second = runnersUp[p] ?? null;
    return {
      propensity: share(p, offerId),
      runnerUp: second === null ? null : { offerId: second, propensity: share(p, second) },
    };
  });
}
