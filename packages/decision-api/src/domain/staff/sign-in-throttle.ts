/**
 * Failed sign-ins counted per key (a staff id, a client address) in a sliding window. Past the limit the key is locked
 * until its oldest counted failure leaves the window. Pure: the state is a value and the time comes in.
 */
export interface ThrottleRule {
  readonly maxFailures: number;
  readonly windowMs: number;
}

export type ThrottleState = ReadonlyMap<string, readonly number[]>;

/** Milliseconds the key must still wait, or 0 when it may try. */
export function lockedFor(state: ThrottleState, key: string, rule: ThrottleRule, now: number): number {
  const recent = (state.get(key) ?? []).filter((at) => at > now - rule.windowMs);
  if (recent.length < rule.maxFailures) return 0;
  const oldest = recent[recent.length - rule.maxFailures] ?? now;
  return Math.max(0, oldest + rule.windowMs - now);
}

/** The state after a failure of the key; failures older than the window are forgotten. */
export function withFailure(state: ThrottleState, key: string, rule: ThrottleRule, now: number): ThrottleState {
  const next = new Map(state);
  next.set(key, [...(state.get(key) ?? []).filter((at) => at > now - rule.windowMs), now].slice(-rule.maxFailures));
  return next;
}

/** The state after a successful sign-in: the key starts afresh. */
export function withSuccess(state: ThrottleState, key: string): ThrottleState {
  if (!state.has(key)) return state;
  const next = new Map(state);
  next.delete(key);
  return next;
}

/** Drops keys with no failure left in the window, so the state never grows without bound. */
export function pruned(state: ThrottleState, rule: ThrottleRule, now: number): ThrottleState {
  const next = new Map<string, readonly number[]>();
  for (const [key, failures] of state) {
    const recent = failures.filter((at) => at > now - rule.windowMs);
    if (recent.length > 0) next.set(key, recent);
  }
  return next;
}
