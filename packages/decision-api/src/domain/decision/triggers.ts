import type { Trigger } from '../../contract/index.js';
import type { JourneyState } from '../journeys/journey.js';

const DAY_MS = 86_400_000;

/** A trigger that fired for the customer at decision time. */
export interface FiredTrigger {
  readonly id: string;
  readonly product: string;
  readonly offer: string;
  /** The `after` touchpoint it waited from. */
  readonly since: string;
}

/** A trigger the customer's history reached but a later step of the same product replaced. */
export interface SupersededTrigger {
  readonly id: string;
  readonly by: string;
}

/**
 * In-app triggers are evaluated when the customer comes into the bank's own channels (at decision time): a trigger
 * fires once `afterDays` have passed since the last `after` touchpoint on its product, unless one of its `unless`
 * touchpoints has been seen since. Of a product's triggers that fire on the same `after` touchpoint, the one with the
 * most days wins (the 3-day incentive replaces the 1-day reminder). Pure: from the stored journeys and the clock.
 */
export function fireTriggers(
  triggers: readonly Trigger[],
  journeys: Readonly<Record<string, JourneyState>>,
  now: Date,
): { fired: FiredTrigger[]; superseded: SupersededTrigger[] } {
  const reached: Array<{ trigger: Trigger; since: string }> = [];
  for (const trigger of triggers) {
    const seen = journeys[trigger.product]?.seen;
    const since = seen?.[trigger.after];
    if (since === undefined) continue;
    const sinceMs = Date.parse(since);
    if (now.getTime() - sinceMs < trigger.afterDays * DAY_MS) continue;
    const stopped = trigger.unless.some((type) => {
      const at = seen?.[type];
      return at !== undefined && Date.parse(at) >= sinceMs;
    });
    if (!stopped) reached.push({ trigger, since });
  }
  const fired: FiredTrigger[] = [];
  const superseded: SupersededTrigger[] = [];
  for (const { trigger, since } of reached) {
    const later = reached
      .filter(
        (other) =>
          other.trigger.product === trigger.product &&
          other.trigger.after === trigger.after &&
          (other.trigger.afterDays > trigger.afterDays ||
            (other.trigger.afterDays === trigger.afterDays && other.trigger.id < trigger.id)),
      )
      .sort((a, b) => b.trigger.afterDays - a.trigger.afterDays || (a.trigger.id < b.trigger.id ? -1 : 1))[0];
    if (later) superseded.push({ id: trigger.id, by: later.trigger.id });
    else fired.push({ id: trigger.id, product: trigger.product, offer: trigger.offer, since });
  }
  return { fired, superseded };
}
