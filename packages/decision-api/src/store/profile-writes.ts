import type { ProfilesWritten, Store } from './port.js';
import { anonymousSubject, customerSubject, type Subject } from './subjects.js';

/** The store's methods that change profiles, and the subjects each call changes (null: possibly any). */
type Unobserved = Omit<Store, 'onProfilesWritten'>;
type Observed = {
  readonly [K in keyof Unobserved]?: Unobserved[K] extends (...args: infer A) => Promise<unknown>
    ? (...args: A) => readonly Subject[] | null
    : never;
};

const OBSERVED: Observed = {
  ingest: (subject, anonymousId) => [subject, anonymousSubject(anonymousId)],
  ingestForSubjects: (rows) => rows.map((row) => row.subject),
  linkAnonymous: (anonymousId, customerId) => [anonymousSubject(anonymousId), customerSubject(customerId)],
  putProfiles: (profiles) => profiles.map((entry) => entry.subject),
  recordAdvisorOutcome: (outcome) => [customerSubject(outcome.customerId)],
  backfillBehaviour: () => null,
  saveBankScores: () => null,
};

/**
 * Tells this process at once, after each of the store's own writes of profiles, which subjects changed: an in-memory
 * profile is dropped before the write's caller goes on, so a decision asked right after a touchpoint sees it. Other
 * processes' writes (and any write by other paths) arrive through the change feed (migration 14), a moment later.
 */
export function observeProfileWrites(store: Unobserved): Store {
  const listeners = new Set<ProfilesWritten>();
  const tell = (subjects: readonly Subject[] | null) => {
    for (const listener of listeners) listener(subjects);
  };
  const observed: Record<string, unknown> = {};
  for (const [name, subjectsOf] of Object.entries(OBSERVED) as Array<
    [keyof Unobserved, (...args: unknown[]) => readonly Subject[] | null]
  >) {
    const write = store[name] as (...args: unknown[]) => Promise<unknown>;
    observed[name] = async (...args: unknown[]) => {
      try {
        return await write(...args);
      } finally {
        // Also after a failure: a write that timed out on the client may still have committed.
        tell(subjectsOf(...args));
      }
    };
  }
  const eraseCustomer = store.privacy.eraseCustomer;
  return {
    ...store,
    ...(observed as Partial<Store>),
    privacy: {
      ...store.privacy,
      eraseCustomer: async (...args) => {
        try {
          return await eraseCustomer(...args);
        } finally {
          // The customer's linked devices go too; which they were is not known here.
          tell(null);
        }
      },
    },
    onProfilesWritten(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
