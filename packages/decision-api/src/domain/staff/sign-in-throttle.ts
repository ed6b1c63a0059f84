/**
 * Failed sign-ins counted per key in a sliding window. Pure: the state is a value and the time comes in.
 *
 * Two kinds of rule. A lock (`ThrottleRule`) refuses a key whose failures fill the window until the oldest leaves it:
 * used for one account from one address, so a guesser locks only themselves out. A slowdown (`SlowRule`) makes a key
 * with many failures wait a delay after its last failure, doubling with each failure up to a cap: used per address
 * (colleagues behind one office NAT share it) and per account (guesses spread over many addresses), so a guesser is
 * slowed to one try per cap, and nobody else is ever kept out longer than the cap.
 */
export interface ThrottleRule {
  readonly maxFailures: number;
  readonly windowMs: number;
}

export interface SlowRule {
  readonly windowMs: number;
  /** Failures within the window before any delay. */
  readonly freeFailures: number;
  /** The delay after the first failure past the free ones; it doubles with each further failure. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export type ThrottleState = ReadonlyMap<string, readonly number[]>;

/** Failures kept per key: enough for every rule's count (the delay is capped long before). */
const KEPT_PER_KEY = 64;

const recentFailures = (state: ThrottleState, key: string, windowMs: number, now: number) =>
  (state.get(key) ?? []).filter((at) => at > now - windowMs);

/** Milliseconds the key must still wait under a lock rule, or 0 when it may try. */
export function lockedFor(state: ThrottleState, key: string, rule: ThrottleRule, now: number): number {
  const recent = recentFailures(state, key, rule.windowMs, now);
  if (recent.length < rule.maxFailures) return 0;
  const oldest = recent[recent.length - rule.maxFailures] ?? now;
  return Math.max(0, oldest + rule.windowMs - now);
}

/** Milliseconds the key must still wait under a slowdown rule, or 0 when it may try. */
export function slowedFor(state: ThrottleState, key: string, rule: SlowRule, now: number): number {
  const recent = recentFailures(state, key, rule.windowMs, now);
  const past = recent.length - rule.freeFailures;
  if (past < 0) return 0;
  const delay = Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** past);
  const last = recent[recent.length - 1] ?? now;
  return Math.max(0, last + delay - now);
}

/** The state after a failure of the key; failures older than the window are forgotten. */
export function withFailure(state: ThrottleState, key: string, windowMs: number, now: number): ThrottleState {
  const next = new Map(state);
  next.set(key, [...recentFailures(state, key, windowMs, now), now].slice(-KEPT_PER_KEY));
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
export function pruned(state: ThrottleState, windowMs: number, now: number): ThrottleState {
  const next = new Map<string, readonly number[]>();
  for (const [key, failures] of state) {
    const recent = failures.filter((at) => at > now - windowMs);
    if (recent.length > 0) next.set(key, recent);
  }
  return next;
}
