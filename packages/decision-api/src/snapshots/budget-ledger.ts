import type { BudgetConfig } from '../config.js';
import type { Budget, Channel, Offer } from '../contract/index.js';
import {
  type BudgetPeriodWindow,
  type BudgetStanding,
  type BudgetStandings,
  budgetStanding,
  elapsedShare,
  type PacingPlan,
  pacingPlan,
  periodAt,
  type TrafficProfile,
  trafficProfile,
} from '../domain/budgets/index.js';
import type { CompiledCatalog } from '../domain/decision/catalog.js';
import type { BudgetCounterStore } from '../store/budget-counters.js';

const HOUR_MS = 3_600_000;
const PROFILE_DAYS = 28;
const MAX_BLOCKS_PER_LEASE = 50;
/** A lease is not spent from in the last tenth of its time: room for this process's clock and a slow answer. */
const LEASE_MARGIN = 0.1;

/**
 * Budgets held across processes without a write on a decision's path. A budget of served decisions is spent from
 * blocks this process leases from the budget's counter row (`used` never passes the maximum, nor the pacing line), in
 * memory; fully spent blocks are settled, and what a block did not spend goes back when it ends or when this process
 * closes. Leases are renewed (with what they spent) every `syncMs`; one not renewed within `leaseMs` (a killed process)
 * is given back by the next lease of that budget, less what it had reported spent. So the largest overshoot is what
 * killed processes spent after their last report. A lease covers the demand since the last one (up to fifty blocks), and
 * reports its spend at the end of each block, so that is at most two blocks per killed process (the one being spent
 * and the one whose report was under way; a block is `blockShare` of the maximum: 1 % of the budget by default). Budgets of viewable impressions and conversions are counted on ingest and read back every `syncMs`.
 */
export interface BudgetLedger {
  /**
   * Where each budget in force stands now, for a decision: memory only; may start leasing in the background. With
   * `peek` (a preview, perhaps at another time) nothing is leased and only periods already followed are told.
   */
  standings(now: Date, options?: { readonly peek?: boolean }): BudgetStandings;
  /** Spends what a page's decisions served from this process's blocks, and counts the page in the hourly traffic. */
  spend(served: ReadonlyArray<{ placement: string; offer: Offer | null }>, channel: Channel, now: Date): void;
  /** Counts stored viewable impressions and conversions against their budgets (after ingest). */
  counted(
    touchpoints: ReadonlyArray<{ type: string; offer?: string | undefined; placement?: string | undefined }>,
    channel: Channel,
    now: Date,
  ): Promise<void>;
  /** Renews leases, settles spent ones, writes hourly traffic, reads counters again. */
  sync(): Promise<void>;
  /** Waits until no lease is being asked for. */
  idle(): Promise<void>;
  /** Gives back every unspent block (closing). */
  close(): Promise<void>;
}

interface Lease {
  readonly id: string;
  readonly amount: number;
  spent: number;
  /**
   * Until when (this process's monotonic clock) the lease surely holds: the time its last lease or renewal was sent,
   * plus the lease time. Past it the store may have given the block back, so it is not spent from.
   */
  safeUntil: number;
}

interface Tracked {
  budget: Budget;
  readonly period: BudgetPeriodWindow;
  plan: PacingPlan;
  readonly leased: boolean;
  leases: Lease[];
  /** The counter as last read. */
  used: number;
  spent: number;
  /** Counted here on ingest since the counter was last read. */
  countedSince: number;
  asking: Promise<void> | null;
  /** Spent here, and decisions that found no block left here, since the last lease: the demand the next one covers. */
  wanted: number;
  /** The last lease's size: the next is asked for when half of it is left, so it arrives before this one runs out. */
  lastAmount: number;
  /** The cap a lease was last refused at: asked again only when the pacing line has moved past it. */
  refusedAt: number;
}

export interface BudgetLedgerOptions {
  readonly counters: BudgetCounterStore;
  readonly catalog: () => CompiledCatalog;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly config: BudgetConfig;
  /** Called when a background store call fails (the ledger carries on: a budget simply holds its offers back). */
  readonly onError?: (error: unknown) => void;
}

export function createBudgetLedger(options: BudgetLedgerOptions): BudgetLedger {
  const { counters, config } = options;
  const onError = options.onError ?? ((error) => console.error('[touchpoint] budget counter:', error));
  const tracked = new Map<string, Tracked>();
  /** Blocks of periods that ended, still to give back. */
  let ended: Tracked[] = [];
  const hours = new Map<number, number>();
  let profile: TrafficProfile = null;
  let profileLoadedAt = Number.NEGATIVE_INFINITY;
  let profileLoading: Promise<void> | null = null;
  let closed = false;
  const settling = new Set<Promise<void>>();

  const blockOf = (budget: Budget) => Math.max(1, Math.round(budget.maximum * config.blockShare));
  const clock = () => performance.now();
  // What the process may spend: a lease whose renewal is late may have been given back, so it counts for nothing.
  const holds = (lease: Lease, at: number) => lease.safeUntil - LEASE_MARGIN * config.leaseMs > at;
  /** When the last decision read the standings: its spend, in the same turn, judges the leases as it saw them. */
  let readAt = 0;
  const left = (t: Tracked, at = clock()) => {
    let sum = 0;
    for (const lease of t.leases) if (holds(lease, at)) sum += lease.amount - lease.spent;
    return sum;
  };
  const timeZone = () => options.catalog().source.timeZone;

  const loadProfile = (now: Date) => {
    if (profileLoading || now.getTime() - profileLoadedAt < HOUR_MS) return;
    profileLoadedAt = now.getTime();
    profileLoading = counters
      .decisionHours(new Date(now.getTime() - PROFILE_DAYS * 86_400_000))
      .then((rows) => {
        profile = trafficProfile(rows, timeZone());
        for (const t of tracked.values()) t.plan = pacingPlan(t.period.start, t.period.end, profile, timeZone());
      })
      .catch(onError)
      .finally(() => {
        profileLoading = null;
      });
  };

  const track = (budget: Budget, now: Date): Tracked | null => {
    const zone = timeZone();
    const current = tracked.get(budget.id);
    if (current && now >= current.period.start && now < current.period.end) {
      current.budget = budget;
      return current;
    }
    if (current) {
      tracked.delete(budget.id);
      ended.push(current);
    }
    const period = periodAt(budget, now, zone);
    if (!period) return null;
    const next: Tracked = {
      budget,
      period,
      plan: pacingPlan(period.start, period.end, profile, zone),
      leased: budget.measure === 'served_decisions',
      leases: [],
      used: 0,
      spent: 0,
      countedSince: 0,
      asking: null,
      wanted: 0,
      lastAmount: 0,
      refusedAt: -1,
    };
    tracked.set(budget.id, next);
    // The counter as it stands (another process may have spent from it already).
    void readCounters([next]);
    return next;
  };

  const readCounters = async (list: readonly Tracked[]) => {
    if (list.length === 0) return;
    try {
      const rows = await counters.counters(list.map((t) => ({ budgetId: t.budget.id, period: t.period.key })));
      const byKey = new Map(rows.map((row) => [`${row.budgetId}\u0000${row.period}`, row]));
      for (const t of list) {
        const row = byKey.get(`${t.budget.id}\u0000${t.period.key}`);
        if (!row) continue;
        t.used = Math.max(t.used, row.used);
        if (!t.leased) t.countedSince = 0;
        t.spent = row.spent;
      }
    } catch (error) {
      onError(error);
    }
  };

  const capAt = (t: Tracked, now: Date) =>
    t.budget.pacing === 'asap'
      ? t.budget.maximum
      : Math.min(t.budget.maximum, Math.ceil(t.budget.maximum * elapsedShare(t.plan, now)));

  /** Leases the next block when this one runs low; `retry` asks even at a cap refused before (expired leases return). */
  const ask = (t: Tracked, now: Date, retry = false) => {
    if (closed || t.asking) return;
    const cap = capAt(t, now);
    if (cap <= t.refusedAt && !retry) return;
    const block = blockOf(t.budget);
    if (left(t) > Math.max(block, t.lastAmount) / 2) return;
    // As much as the demand since the last lease, in whole blocks (up to fifty); the counter gives what is left.
    const amount = block * Math.min(MAX_BLOCKS_PER_LEASE, Math.max(1, Math.ceil(t.wanted / block)));
    t.wanted = 0;
    const id = options.newId();
    const sentAt = clock();
    t.asking = counters
      .lease(t.budget.id, t.period.key, amount, cap, config.leaseMs, id)
      .then(({ granted, counter }) => {
        t.used = counter.used;
        t.spent = counter.spent;
        t.lastAmount = granted;
        if (granted > 0) t.leases.push({ id, amount: granted, spent: 0, safeUntil: sentAt + config.leaseMs });
        else t.refusedAt = cap;
      })
      .catch(onError)
      .finally(() => {
        t.asking = null;
      });
  };

  const settle = (lease: Lease) => {
    const done: Promise<void> = counters
      .settle(lease.id, lease.spent)
      .catch(onError)
      .finally(() => settling.delete(done));
    settling.add(done);
  };

  /** Tells the store what a lease has spent at each block's end, so a killed process's lease gives back the rest. */
  const report = (lease: Lease) => {
    const sentAt = clock();
    const done: Promise<void> = counters
      .renew([{ id: lease.id, spent: lease.spent }], config.leaseMs)
      .then((kept) => {
        if (kept.has(lease.id)) lease.safeUntil = Math.max(lease.safeUntil, sentAt + config.leaseMs);
        else lease.safeUntil = Number.NEGATIVE_INFINITY;
      })
      .catch(onError)
      .finally(() => settling.delete(done));
    settling.add(done);
  };

  const standingOf = (t: Tracked, now: Date): BudgetStanding => {
    const share = elapsedShare(t.plan, now);
    if (t.leased) {
      const own = left(t, readAt);
      // Another process's unspent block counts as spent: conservative for pacing.
      return budgetStanding(t.budget, t.period, share, {
        spent: Math.max(0, t.used - own),
        leased: { left: own, used: t.used },
      });
    }
    return budgetStanding(t.budget, t.period, share, { spent: t.spent + t.countedSince, leased: null });
  };

  const EMPTY: BudgetStandings = new Map();

  return {
    standings(now, how) {
      const { decisionBudgets } = options.catalog().budgetScopes;
      if (decisionBudgets.length === 0) return EMPTY;
      const standings = new Map<string, BudgetStanding>();
      if (how?.peek) {
        for (const budget of decisionBudgets) {
          const t = tracked.get(budget.id);
          if (t && now >= t.period.start && now < t.period.end) standings.set(budget.id, standingOf(t, now));
        }
        return standings;
      }
      loadProfile(now);
      readAt = clock();
      for (const budget of decisionBudgets) {
        const t = track(budget, now);
        if (!t) continue;
        if (t.leased) {
          if (left(t, readAt) === 0 && t.used < budget.maximum) t.wanted += 1;
          ask(t, now);
        }
        standings.set(budget.id, standingOf(t, now));
      }
      return standings;
    },

    spend(served, channel, now) {
      const hour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
      hours.set(hour, (hours.get(hour) ?? 0) + 1);
      const { budgetScopes } = options.catalog();
      if (budgetScopes.decisionBudgets.length === 0) return;
      for (const { placement, offer } of served) {
        if (!offer) continue;
        for (const budget of budgetScopes.budgetsOf(offer, placement, channel)) {
          if (budget.measure !== 'served_decisions') continue;
          const t = tracked.get(budget.id);
          if (!t) continue;
          const lease = t.leases.find((l) => l.spent < l.amount && holds(l, readAt));
          // The decision saw this block in the same turn of the event loop, so it is there.
          if (!lease) continue;
          lease.spent += 1;
          t.wanted += 1;
          if (lease.spent === lease.amount) {
            t.leases = t.leases.filter((l) => l !== lease);
            settle(lease);
          } else if (lease.spent % blockOf(budget) === 0) report(lease);
          ask(t, now);
        }
      }
    },

    async counted(touchpoints, channel, now) {
      const { budgetScopes, offers } = options.catalog();
      if (budgetScopes.decisionBudgets.length === 0) return;
      const adds = new Map<string, { t: Tracked; n: number }>();
      for (const touchpoint of touchpoints) {
        const measure =
          touchpoint.type === 'offer_impression'
            ? 'viewable_impressions'
            : touchpoint.type === 'conversion'
              ? 'conversions'
              : null;
        const offer = touchpoint.offer === undefined ? undefined : offers.get(touchpoint.offer);
        if (!measure || !offer) continue;
        for (const budget of budgetScopes.budgetsOf(offer, touchpoint.placement ?? '', channel)) {
          if (budget.measure !== measure) continue;
          const t = track(budget, now);
          if (!t) continue;
          const entry = adds.get(budget.id) ?? { t, n: 0 };
          entry.n += 1;
          adds.set(budget.id, entry);
        }
      }
      await Promise.all(
        [...adds.values()].map(async ({ t, n }) => {
          t.countedSince += n;
          await counters.add(t.budget.id, t.period.key, n);
        }),
      );
    },

    async sync() {
      const now = options.now();
      // Every budget in force is followed (and leased from) before its first decision asks.
      for (const budget of options.catalog().budgetScopes.decisionBudgets) track(budget, now);
      loadProfile(now);
      const all = [...tracked.values()];
      const held = all.flatMap((t) => t.leases);
      if (held.length > 0) {
        try {
          const sentAt = clock();
          const kept = await counters.renew(
            held.map((lease) => ({ id: lease.id, spent: lease.spent })),
            config.leaseMs,
          );
          for (const lease of held) if (kept.has(lease.id)) lease.safeUntil = sentAt + config.leaseMs;
          // A lease given back while this process was away cannot be spent any more.
          for (const t of all) t.leases = t.leases.filter((lease) => kept.has(lease.id) || !held.includes(lease));
        } catch (error) {
          onError(error);
        }
      }
      const done = ended;
      ended = [];
      for (const t of done) for (const lease of t.leases) settle(lease);
      if (hours.size > 0) {
        const rows = [...hours].map(([hour, decisions]) => ({ hour: new Date(hour), decisions }));
        hours.clear();
        await counters.addDecisionHours(rows).catch(onError);
      }
      await readCounters(all);
      for (const t of all) {
        // The pacing line moved on, or another process's block expired: a refused lease may be granted now.
        if (t.leased) ask(t, now, true);
      }
      await Promise.all([...settling]);
    },

    async idle() {
      for (;;) {
        const pending = [...tracked.values()].flatMap((t) => (t.asking ? [t.asking] : []));
        if (pending.length === 0 && settling.size === 0) return;
        await Promise.all([...pending, ...settling]);
      }
    },

    async close() {
      closed = true;
      await Promise.all([...tracked.values()].flatMap((t) => (t.asking ? [t.asking] : [])));
      for (const t of [...tracked.values(), ...ended]) for (const lease of t.leases) settle(lease);
      tracked.clear();
      ended = [];
      if (hours.size > 0) {
        const rows = [...hours].map(([hour, decisions]) => ({ hour: new Date(hour), decisions }));
        hours.clear();
        await counters.addDecisionHours(rows).catch(onError);
      }
      await Promise.all([...settling]);
    },
  };
}
