import type { Context, Hono } from 'hono';
import { type ApiConfig, type ApiConfigInput, ApiConfig as ApiConfigSchema } from './config.js';
import { createHttpApp } from './http/app.js';
import type { AppEnv } from './http/env.js';
import { ProblemError } from './http/problem.js';
import { createServices, type Services } from './http/services.js';
import { createDecisionRecorder, type DecisionRecorderOptions } from './jobs/decision-recorder.js';
import { createLeadDelivery, type DeliveryRound } from './jobs/lead-delivery.js';
import { createBudgetLedger } from './snapshots/budget-ledger.js';
import { type CatalogHolder, loadCatalogHolder } from './snapshots/catalog-holder.js';
import { followStoreChanges } from './snapshots/change-follower.js';
import { type ClusterHolder, loadClusterHolder } from './snapshots/cluster-holder.js';
import { type ExperimentHolder, loadExperimentHolder } from './snapshots/experiment-holder.js';
import { type LearningHolder, loadLearningHolder } from './snapshots/learning-holder.js';
import { createProfileCache } from './snapshots/profile-cache.js';
import type { Store } from './store/store.js';

export interface TouchpointAppOptions {
  readonly store: Store;
  readonly config: ApiConfigInput;
  /** The clock; tests pass a fixed one. */
  readonly now?: () => Date;
  readonly newId?: () => string;
  /** Seeds each decision request's exploration; tests pass a seeded source so decisions repeat. */
  readonly random?: () => number;
  /** How old learned statistics may get before a decision's read reloads them (in the background). */
  readonly learningRefreshMs?: number;
  /** How old the running experiments may get before a decision's read reloads them (in the background). */
  readonly experimentRefreshMs?: number;
  /** How often at most decisions get a new model of the learned statistics (1 s; 0: at every change). */
  readonly learnedModelRefreshMs?: number;
  /** The connection's peer address, from the runtime (Node: the socket); used for per-address rate limits. */
  readonly peerAddress?: (c: Context) => string | undefined;
  /**
   * Reload the catalog, cluster model and running experiments when the store announces a change (LISTEN/NOTIFY), so
   * every process sharing a database serves a change within moments. On by default.
   */
  readonly followChanges?: boolean;
  /** Checks staff passwords for the console's sign-in (runtime/staff-password.ts on Node and workerd). */
  readonly verifyStaffPassword?: Services['verifyStaffPassword'];
  /** The decision recorder's bounds (`maxKept`: records waiting for the store before decisions are shed). */
  readonly recorder?: Pick<DecisionRecorderOptions, 'maxKept' | 'retryMs' | 'writeTimeoutMs'>;
}

export interface TouchpointApp {
  /** The Hono app; `app.fetch` is a Web-standard handler, `app.request()` serves tests without a server. */
  readonly app: Hono<AppEnv>;
  readonly services: Services;
  readonly catalog: CatalogHolder;
  readonly learning: LearningHolder;
  /** Whether a CRM is configured: then newly qualified leads wait in the outbox for deliverLeads. */
  readonly crmConfigured: boolean;
  /** Sends due lead events to the CRM once (a runtime calls it in a loop); nothing to do without a CRM. */
  deliverLeads(): Promise<DeliveryRound>;
  /** Writes buffered decision records. */
  flush(): Promise<void>;
  /** Stops following store changes, leaving the store open (another app may share it). */
  detach(): Promise<void>;
  /** Finishes buffered writes and closes the store. */
  close(): Promise<void>;
}

export async function createTouchpointApp(options: TouchpointAppOptions): Promise<TouchpointApp> {
  const config: ApiConfig = ApiConfigSchema.parse(options.config);
  const { store } = options;
  // Followed before the holders load, so a change committed while they load is heard, not missed; until a holder
  // exists there is nothing to reload (its first load reads the change).
  let held: { catalog: CatalogHolder; clusters: ClusterHolder; experiments: ExperimentHolder } | undefined;
  // Profiles are kept between decisions only while every change to them is heard: this process's own writes at once,
  // others' through the feed. Without a feed (followChanges off, or a driver that cannot listen) nothing is kept.
  const profileCache = createProfileCache(store, config.profileCache);
  const unwatchWrites = store.onProfilesWritten((subjects) => profileCache.drop(subjects));
  const unfollow =
    options.followChanges === false
      ? null
      : await followStoreChanges(
          store,
          {
            catalog: async () => held?.catalog.reload(),
            clusters: async () => held?.clusters.reload(),
            experiments: async () => held?.experiments.reload(),
          },
          {
            profiles: {
              changed: (change) => profileCache.drop(change.subjects),
              lost: () => profileCache.live(false),
              resumed: () => profileCache.live(true),
            },
          },
        );
  const now = options.now ?? (() => new Date());
  const catalog = await loadCatalogHolder(store, { now });
  const recorder = createDecisionRecorder(store, options.recorder);
  const learning = await loadLearningHolder(store, {
    now,
    ...(options.learningRefreshMs === undefined ? {} : { refreshMs: options.learningRefreshMs }),
    ...(options.learnedModelRefreshMs === undefined ? {} : { modelRefreshMs: options.learnedModelRefreshMs }),
  });
  const experiments = await loadExperimentHolder(store, {
    now,
    ...(options.experimentRefreshMs === undefined ? {} : { refreshMs: options.experimentRefreshMs }),
  });
  const clusters = await loadClusterHolder(store, { now });
  held = { catalog, clusters, experiments };
  const newId = options.newId ?? (() => crypto.randomUUID());
  const budgets = createBudgetLedger({
    counters: store.budgetCounters,
    catalog: () => catalog.current(),
    now,
    newId,
    config: config.budgets,
  });
  // The first blocks are leased before the first decision asks for them.
  const syncBudgets = () =>
    budgets
      .sync()
      .catch((error: unknown) => console.error('[touchpoint] budget sync failed:', error))
      .finally(() => {
        syncing = null;
      });
  let syncing: Promise<void> | null = syncBudgets();
  const budgetTimer = setInterval(() => {
    syncing ??= syncBudgets();
  }, config.budgets.syncMs);
  (budgetTimer as { unref?: () => void }).unref?.();
  const detach = async () => {
    clearInterval(budgetTimer);
    await syncing;
    await budgets.close();
    await unfollow?.();
    profileCache.live(false);
    unwatchWrites();
  };
  const services = createServices({
    store,
    catalog,
    clusters,
    config,
    recorder,
    profileCache,
    learning,
    experiments,
    budgets,
    now,
    random: options.random ?? Math.random,
    newId,
    verifyStaffPassword:
      options.verifyStaffPassword ??
      (async () => {
        throw new ProblemError(
          503,
          'sign-in-unavailable',
          'Staff sign-in unavailable',
          'This runtime gives the app no staff password check (createTouchpointApp({ verifyStaffPassword })).',
        );
      }),
  });
  const deliverLeads = config.crm
    ? createLeadDelivery({
        store,
        crm: config.crm,
        now,
        random: options.random ?? Math.random,
        catalog: () => catalog.current(),
      })
    : async (): Promise<DeliveryRound> => ({ delivered: 0, failed: 0 });
  return {
    app: createHttpApp(services, options.peerAddress ? { peerAddress: options.peerAddress } : {}),
    services,
    catalog,
    learning,
    crmConfigured: config.crm !== undefined,
    deliverLeads,
    flush: () => recorder.flush(),
    detach,
    close: async () => {
      await detach();
      const lost = await recorder.close();
      if (lost > 0) console.error(`[touchpoint] ${lost} decision records could not be written before closing`);
      await store.close();
    },
  };
}
