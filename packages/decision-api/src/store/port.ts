// The Store port: what the app, the snapshots and the jobs ask of the store, whichever driver holds it.
import type { Catalog, Channel, Touchpoint } from '../contract/index.js';
import type { BankScore } from '../domain/decision/arbitration.js';
import type { JourneyTouchpointType } from '../domain/journeys/journey.js';
import type { CustomerProfile, ProfileTouchpoint } from '../domain/journeys/profile.js';
import type { OfferDailyCount } from '../domain/kpis/offer-counts.js';
import type { AuditEntry, AuditStore } from './audit.js';
import type { BudgetCounterStore } from './budget-counters.js';
import type { ChangeHandlers } from './changes.js';
import type { ClusterModelStore } from './clusters.js';
import type { ExperimentStore } from './experiments.js';
import type { KpiStore } from './kpis.js';
import type { LeadHook, LeadStore } from './leads.js';
import type { BankScoreRow, LearnedRow, LearningOptions } from './learning.js';
import type { OfferStore } from './offers.js';
import type { PrivacyStore } from './privacy.js';
import type { SharedLimits } from './shared-limits.js';
import type { SqlDatabase } from './sql.js';
import type { EXTERNAL_CHANNEL, Subject } from './subjects.js';

/** Subjects whose profiles (or bank scores) a write changed; null: possibly any. */
export type ProfilesWritten = (subjects: readonly Subject[] | null) => void;

/** A decision as an off-policy estimate reads it (Store.loggedDecisions). */
export interface LoggedDecisionRow {
  readonly subject: string;
  readonly placement: string;
  readonly offerId: string | null;
  readonly channel: string;
  readonly trace: {
    readonly at: string;
    readonly stages: Record<string, string>;
    readonly productsHeld: string[];
    readonly cluster: { id: string; modelVersion: number } | null;
    readonly propensity: number;
  };
  readonly clicked: boolean;
  readonly converted: boolean;
}

export interface StoredDecision {
  readonly id: string;
  readonly subject: Subject;
  readonly placement: string;
  readonly offerId: string | null;
  readonly channel: string;
  readonly page: string;
  readonly locale: string;
  readonly reason: string;
  readonly trace: unknown;
  readonly createdAt: Date;
}

/** A row of the touchpoints table: an SDK touchpoint, or one a partner reported from an external site. */
export interface TouchpointRow {
  readonly id: string;
  readonly type: JourneyTouchpointType;
  readonly occurredAt: string;
  readonly channel: Channel | typeof EXTERNAL_CHANNEL;
  readonly product?: string;
  readonly page?: string;
  readonly placement?: string;
  readonly offer?: string;
  readonly decisionId?: string;
  readonly properties?: Readonly<Record<string, string | number | boolean>>;
}

export interface IngestResult {
  readonly accepted: string[];
  readonly duplicates: string[];
  /** Cluster × offer statistics the stored touchpoints changed, as updated (when ingest was asked to learn). */
  readonly learned?: LearnedRow[];
}

/** Updates a profile from touchpoints that were stored for the first time. */
export type ProfileUpdate = (profile: CustomerProfile, stored: readonly Touchpoint[]) => CustomerProfile;
export type ProfileMerge = (customer: CustomerProfile, anonymous: CustomerProfile) => CustomerProfile;

/** One subject's stored history, as batch jobs (cluster training) read it. */
export interface SubjectTouchpoints {
  readonly subject: Subject;
  /** Oldest first. */
  readonly touchpoints: ProfileTouchpoint[];
  /** From the subject's profile; empty when it has none. */
  readonly productsHeld: string[];
  /** Whether the subject's profile keeps its behaviour (profiles stored before it was kept do not). */
  readonly behaviourKept: boolean;
}

export interface TouchpointsBySubjectOptions {
  /** Logged-in customers only (the default), or anonymous devices too. */
  readonly subjects?: 'customers' | 'all';
  /** Subjects read per page. */
  readonly pageSize?: number;
}

/** Touchpoint's persistence, the same SQL on PGlite and PostgreSQL. */
export interface Store extends LeadStore, ClusterModelStore {
  readonly engine: SqlDatabase['engine'];
  /** Experiments, their lifecycle log and the counts behind their results. */
  readonly experiments: ExperimentStore;
  /** The audit log of staff changes. */
  readonly audit: AuditStore;
  /** Offer KPIs and contact pressure for staff. */
  readonly kpis: KpiStore;
  /** Offers' versions: drafts, approvals, history. */
  readonly offers: OfferStore;
  /** Budgets' counters and the leases processes spend them from, and the hourly traffic pacing follows. */
  readonly budgetCounters: BudgetCounterStore;
  /**
   * The partner replay guard and the rate limits' buckets: in PostgreSQL, shared by every instance; in memory on the
   * embedded store (one process).
   */
  readonly limits: SharedLimits;
  latestCatalog(): Promise<Catalog | null>;
  saveCatalog(catalog: Catalog): Promise<void>;
  /** Reads one profile row (the empty profile when there is none). */
  profile(subject: Subject): Promise<CustomerProfile>;
  /** The stored profile, or null when the subject has none (a customer the bank never told about, nor seen). */
  storedProfile(subject: Subject): Promise<CustomerProfile | null>;
  /** Up to `limit` logged-in customers' stored profiles, in an order fixed by their ids' hash (a repeatable sample). */
  sampleCustomerProfiles(limit: number): Promise<Array<{ customerId: string; profile: CustomerProfile }>>;
  /**
   * Decisions taken since `since` whose trace records its choice probability, newest first, with whether the
   * decision's offer was clicked or converted (touchpoints carrying its id): the logs an off-policy estimate reads.
   */
  loggedDecisions(since: Date, limit: number): Promise<LoggedDecisionRow[]>;
  /**
   * A logged-in customer's profile and whether their device still has an anonymous profile to link, and with
   * `bankScores` the bank model's scores of the customer too: in one read (the decision hot path's only one, made when
   * the profile is not held in memory; see src/snapshots/profile-cache.ts).
   */
  customerProfile(
    customerId: string,
    anonymousId: string,
    options?: { readonly bankScores?: boolean },
  ): Promise<{
    profile: CustomerProfile;
    /** The device is not linked yet, or is this customer's and has anonymous history to move. */
    deviceToLink: boolean;
    /** The device has an anonymous profile of its own. */
    deviceProfile: boolean;
    bankScores?: Map<string, BankScore>;
  }>;
  /**
   * Stores new touchpoints and updates the subject's profile from them in one transaction; ids stored before are
   * reported as duplicates and change nothing. With `learning`, impressions, clicks and conversions of decided offers
   * also update the learned statistics, and with `leads`, a customer's leads for the products the new touchpoints
   * touched are rescored, in the same transaction.
   */
  ingest(
    subject: Subject,
    anonymousId: string,
    touchpoints: readonly Touchpoint[],
    update: ProfileUpdate,
    learning?: LearningOptions,
    leads?: LeadHook<Touchpoint>,
  ): Promise<IngestResult>;
  /**
   * Stores touchpoints of many subjects at once (a partner's batch names many customers) and updates each subject's
   * profile from its new ones, in one transaction; ids stored before are reported as duplicates and change nothing.
   */
  ingestForSubjects<T extends TouchpointRow>(
    rows: ReadonlyArray<{ subject: Subject; touchpoint: T }>,
    update: (profile: CustomerProfile, stored: readonly T[]) => CustomerProfile,
    leads?: LeadHook<T>,
  ): Promise<IngestResult>;
  /**
   * Moves an anonymous device's history and profile to the customer (the first request with a token does it).
   * Returns the customer's profile after the move.
   */
  linkAnonymous(anonymousId: string, customerId: string, merge: ProfileMerge): Promise<CustomerProfile>;
  /**
   * Links a device without anonymous history to the customer logged in on it, unless it is linked already (to them or
   * to another customer): no profile changes.
   */
  linkDevice(anonymousId: string, customerId: string): Promise<void>;
  recordDecisions(decisions: readonly StoredDecision[]): Promise<void>;
  /** One decision with its trace, for staff. */
  decision(id: string): Promise<StoredDecision | null>;
  /** Bulk loading for seeding and batch jobs: profiles written as given. */
  putProfiles(profiles: ReadonlyArray<{ subject: Subject; profile: CustomerProfile }>): Promise<void>;
  insertTouchpoints(
    rows: ReadonlyArray<{ subject: Subject; anonymousId: string | null; touchpoint: Touchpoint }>,
  ): Promise<number>;
  countTouchpoints(subject?: Subject): Promise<number>;
  /** How many of these touchpoint ids are stored (each at most once: the id is the key). */
  countTouchpointsWithIds(ids: readonly string[]): Promise<number>;
  /**
   * Every subject with touchpoints, one at a time in subject order, with its whole history in the bank's own channels:
   * read a page of subjects at a time by keyset pagination on subject, so memory holds one page however large the bank.
   */
  touchpointsBySubject(options?: TouchpointsBySubjectOptions): AsyncIterable<SubjectTouchpoints>;
  /** Every cluster × offer's learned counts, for the decision snapshot and staff. */
  learnedEvidence(): Promise<LearnedRow[]>;
  /**
   * Stores the bank's model scores; returns how many were stored. With `audit`, the upload's audit entry (its `after`
   * completed with the count stored) is written in the same transaction.
   */
  saveBankScores(
    model: { name: string; version: string },
    scores: readonly BankScoreRow[],
    at: Date,
    audit?: AuditEntry,
  ): Promise<number>;
  /** One customer's uploaded scores by offer id. */
  bankScores(customerId: string): Promise<Map<string, BankScore>>;
  /**
   * Offer touchpoints (and `served` decisions) counted per day, offer, placement, channel, type, cluster and stage;
   * they outlive retention and erasure.
   */
  offerDailyCounts(): Promise<OfferDailyCount[]>;
  /** Retention, export and erasure. */
  readonly privacy: PrivacyStore;
  /**
   * Follows catalog, cluster model and experiment changes committed by any process sharing the database; resolves to
   * the unsubscribe, or null when this store cannot listen (then nothing is followed).
   */
  followChanges(handlers: ChangeHandlers): Promise<(() => Promise<void>) | null>;
  /**
   * Called after each of this store's writes of profiles or bank scores, with the subjects changed (null: possibly
   * any); resolves nothing, returns the unsubscribe. Writes by other processes are heard through `followChanges`.
   */
  onProfilesWritten(listener: ProfilesWritten): () => void;
  /** Makes the touchpoint partitions of the current and next months when missing; returns the names made. */
  createPartitionsAhead(now: Date): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
