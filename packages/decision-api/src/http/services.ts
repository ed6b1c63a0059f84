import type { ApiConfig } from '../config.js';
import type { BankScore } from '../domain/decision/arbitration.js';
import type { DecisionSnapshot } from '../domain/decision/decide-page.js';
import { type CustomerProfile, mergeProfiles } from '../domain/journeys/profile.js';
import type { DecisionRecorder } from '../jobs/decision-recorder.js';
import { leadHook, leadScoring, type ProductTouch } from '../jobs/lead-scoring.js';
import type { BudgetLedger } from '../snapshots/budget-ledger.js';
import type { CatalogHolder } from '../snapshots/catalog-holder.js';
import type { ClusterHolder } from '../snapshots/cluster-holder.js';
import type { ExperimentHolder } from '../snapshots/experiment-holder.js';
import type { LearningHolder } from '../snapshots/learning-holder.js';
import type { ProfileCache } from '../snapshots/profile-cache.js';
import type { LeadHook, LeadScoring } from '../store/leads.js';
import { anonymousSubject, customerSubject, type Store, type Subject } from '../store/store.js';

/** What the routes work with: the store, the in-memory catalog, the clock and id source. */
export interface Services {
  readonly store: Store;
  readonly catalog: CatalogHolder;
  /** The active behavioural cluster model, in memory. */
  readonly clusters: ClusterHolder;
  readonly config: ApiConfig;
  readonly recorder: DecisionRecorder;
  /** Profiles kept between decisions while the store's changes are heard. */
  readonly profileCache: ProfileCache;
  /** The running experiments, in memory. */
  readonly experiments: ExperimentHolder;
  /** Learned statistics per cluster × offer, in memory for the hot path. */
  readonly learning: LearningHolder;
  /** Budgets: where each stands, spent from blocks this process leased. */
  readonly budgets: BudgetLedger;
  readonly now: () => Date;
  /** Where each decision request's Thompson-sampling seed comes from; tests pass a seeded source. */
  readonly random: () => number;
  readonly newId: () => string;
  /**
   * Checks a staff password against its stored hash (null: an unknown id, checked against a decoy for the same time).
   * Given by the runtime (scrypt is not in Web Crypto); without one, sign-in answers 503.
   */
  readonly verifyStaffPassword: (password: string, storedHash: string | null) => Promise<boolean>;
  /** The subject a request acts for; on a logged-in customer's first request the device's history is linked. */
  subjectFor(customerId: string | null, anonymousId: string): Promise<Subject>;
  /**
   * The subject and its profile, with at most one read on the hot path; with `bankScores`, a logged-in customer's
   * bank-model scores are read in the same round trip.
   */
  profileFor(
    customerId: string | null,
    anonymousId: string,
    options?: { readonly bankScores?: boolean },
  ): Promise<{ subject: Subject; profile: CustomerProfile; bankScores?: Map<string, BankScore> }>;
  /**
   * What a decision reads from memory now: the catalog, cluster model, running experiments, learned state and where
   * each budget stands at `now` (none without it: a draft's replay judges offers, not today's budgets). A preview
   * reads the budgets as they stand and leases nothing.
   */
  decisionSnapshot(now?: Date, options?: { readonly preview?: boolean }): DecisionSnapshot;
  /** Lead scoring for a write that changes customers' profiles, under the current catalog and clock. */
  leadScoring(): LeadScoring;
  /** Lead scoring on ingest, for the products the new touchpoints touch. */
  leadHook<T extends ProductTouch>(): LeadHook<T>;
}

export function createServices(
  deps: Omit<Services, 'subjectFor' | 'profileFor' | 'decisionSnapshot' | 'leadScoring' | 'leadHook'>,
): Services {
  const { store, profileCache } = deps;
  const profileFor: Services['profileFor'] = async (customerId, anonymousId, options) => {
    if (customerId === null) {
      const subject = anonymousSubject(anonymousId);
      return { subject, profile: await profileCache.anonymous(anonymousId) };
    }
    const subject = customerSubject(customerId);
    const { profile, deviceToLink, deviceProfile, bankScores } = await profileCache.customer(customerId, anonymousId);
    const scores = options?.bankScores ? { bankScores } : {};
    if (!deviceToLink) return { subject, profile, ...scores };
    // A device first used logged in is linked, so the customer's export lists it; nothing else changes.
    if (!deviceProfile) {
      await store.linkDevice(anonymousId, customerId);
      return { subject, profile, ...scores };
    }
    const { journeyOf } = deps.catalog.current();
    return {
      subject,
      profile: await store.linkAnonymous(anonymousId, customerId, (customer, device) =>
        mergeProfiles(customer, device, journeyOf),
      ),
      ...scores,
    };
  };
  return {
    ...deps,
    profileFor,
    subjectFor: async (customerId, anonymousId) => (await profileFor(customerId, anonymousId)).subject,
    decisionSnapshot: (now, options) => ({
      catalog: deps.catalog.current(),
      clusterModel: deps.clusters.current()?.model ?? null,
      experiments: deps.experiments.running(),
      learned: deps.learning.current(),
      holdout: deps.config.holdout,
      ...(now ? { budgets: deps.budgets.standings(now, { peek: options?.preview === true }) } : {}),
    }),
    leadScoring: () => leadScoring(deps.catalog.current(), deps.config.crm !== undefined, deps.now()),
    leadHook: () => leadHook(deps.catalog.current(), deps.config.crm !== undefined, deps.now()),
  };
}
