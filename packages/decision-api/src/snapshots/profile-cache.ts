import type { BankScore } from '../domain/decision/arbitration.js';
import { type CustomerProfile, EMPTY_PROFILE } from '../domain/journeys/profile.js';
import { anonymousSubject, customerSubject, type Store, type Subject } from '../store/store.js';

export interface ProfileCacheOptions {
  /** Profiles kept at most; the least recently used go first. 0 turns the cache off. */
  readonly maxEntries: number;
  /**
   * The longest a kept profile is used without being read again, however quiet the change feed: the bound on
   * staleness should the feed's connection die without a word (its heartbeat finds out within 30 s).
   */
  readonly ttlMs: number;
  /** Milliseconds from a monotonic clock. */
  readonly clock?: () => number;
}

export interface CustomerRead {
  readonly profile: CustomerProfile;
  /** The device is not linked yet, or is the customer's and has anonymous history to move to them. */
  readonly deviceToLink: boolean;
  /** The device has an anonymous profile of its own. */
  readonly deviceProfile: boolean;
  readonly bankScores: Map<string, BankScore>;
}

export interface ProfileCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
  readonly live: boolean;
}

/**
 * The decision hot path's profiles, kept in memory between a customer's requests: a decision costs no round trip to
 * the store while the customer's profile is unchanged. Correct only while every change is heard, so it is on only
 * while the store's change feed is live (`live(true)`): this process's own writes drop the profiles they change before
 * the writer goes on (Store.onProfilesWritten), other processes' writes as their notification arrives (migration 14),
 * and a lost feed drops everything and keeps nothing until it is back.
 *
 * A read that was under way when its subject was dropped does not keep what it read: it may be older than the change.
 * Kept profiles are shared between requests and must not be mutated (nothing in the decision path does).
 */
export interface ProfileCache {
  /** A logged-in customer's profile, bank scores and whether the device has a profile to link. */
  customer(customerId: string, anonymousId: string): Promise<CustomerRead>;
  /** An anonymous device's profile (the empty one when it has none). */
  anonymous(anonymousId: string): Promise<CustomerProfile>;
  /** Drops these subjects' profiles (null: all). */
  drop(subjects: readonly string[] | null): void;
  /** Whether changes are heard: while not, nothing is kept. */
  live(isLive: boolean): void;
  stats(): ProfileCacheStats;
}

/** What is kept per subject: a customer's profile with the bank's scores, or a device's profile (null: none). */
type Kept =
  | { readonly kind: 'customer'; readonly profile: CustomerProfile; readonly bankScores: Map<string, BankScore> }
  | { readonly kind: 'device'; readonly profile: CustomerProfile | null };

export function createProfileCache(
  store: Pick<Store, 'customerProfile' | 'storedProfile'>,
  { maxEntries, ttlMs, clock = () => performance.now() }: ProfileCacheOptions,
): ProfileCache {
  const kept = new Map<string, { value: Kept; until: number }>();
  // The read under way per subject; dropping a subject forgets its read, so that read keeps nothing.
  const reading = new Map<string, object>();
  let isLive = false;
  let hits = 0;
  let misses = 0;

  const get = (subject: Subject): Kept | undefined => {
    const entry = kept.get(subject);
    if (!entry) return undefined;
    kept.delete(subject);
    if (entry.until <= clock()) return undefined;
    // Least recently used first: a hit moves to the end.
    kept.set(subject, entry);
    return entry.value;
  };

  const enabled = () => isLive && maxEntries > 0;

  // Only a read begun while enabled can keep what it finds (`keep` checks its token is still the subject's).
  const begin = (subjects: readonly Subject[]) => {
    const token = {};
    if (enabled()) for (const subject of subjects) reading.set(subject, token);
    return token;
  };

  const keep = (token: object, subject: Subject, value: Kept) => {
    if (reading.get(subject) !== token) return;
    reading.delete(subject);
    kept.set(subject, { value, until: clock() + ttlMs });
    if (kept.size > maxEntries) {
      const oldest = kept.keys().next();
      if (!oldest.done) kept.delete(oldest.value);
    }
  };

  const forget = (token: object, subjects: readonly Subject[]) => {
    for (const subject of subjects) if (reading.get(subject) === token) reading.delete(subject);
  };

  return {
    async customer(customerId, anonymousId) {
      const customer = customerSubject(customerId);
      const device = anonymousSubject(anonymousId);
      if (enabled()) {
        const keptCustomer = get(customer);
        const keptDevice = get(device);
        if (keptCustomer?.kind === 'customer' && keptDevice?.kind === 'device') {
          hits += 1;
          return {
            profile: keptCustomer.profile,
            deviceToLink: keptDevice.profile !== null,
            deviceProfile: keptDevice.profile !== null,
            bankScores: keptCustomer.bankScores,
          };
        }
      }
      misses += 1;
      const token = begin([customer, device]);
      try {
        const read = await store.customerProfile(customerId, anonymousId, { bankScores: true });
        const bankScores = read.bankScores ?? new Map<string, BankScore>();
        keep(token, customer, { kind: 'customer', profile: read.profile, bankScores });
        // Only a device's absence of a profile is worth keeping: a device with one is about to be moved, or belongs to
        // another customer and keeps it for its anonymous decisions. Kept as none, a device counts as linked: the read
        // that found it unlinked is linking it now.
        if (!read.deviceProfile) keep(token, device, { kind: 'device', profile: null });
        return {
          profile: read.profile,
          deviceToLink: read.deviceToLink,
          deviceProfile: read.deviceProfile,
          bankScores,
        };
      } finally {
        forget(token, [customer, device]);
      }
    },

    async anonymous(anonymousId) {
      const device = anonymousSubject(anonymousId);
      if (enabled()) {
        const keptDevice = get(device);
        if (keptDevice?.kind === 'device') {
          hits += 1;
          return keptDevice.profile ?? EMPTY_PROFILE;
        }
      }
      misses += 1;
      const token = begin([device]);
      try {
        const profile = await store.storedProfile(device);
        keep(token, device, { kind: 'device', profile });
        return profile ?? EMPTY_PROFILE;
      } finally {
        forget(token, [device]);
      }
    },

    drop(subjects) {
      if (subjects === null) {
        kept.clear();
        reading.clear();
        return;
      }
      for (const subject of subjects) {
        kept.delete(subject);
        reading.delete(subject);
      }
    },

    live(next) {
      isLive = next;
      kept.clear();
      reading.clear();
    },

    stats: () => ({ hits, misses, size: kept.size, live: isLive }),
  };
}
