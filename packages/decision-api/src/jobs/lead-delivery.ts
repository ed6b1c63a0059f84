import type { CrmWebhook } from '../config.js';
import type { Lead } from '../domain/advisors/leads.js';
import { nextAttemptAt } from '../domain/backoff.js';
import { periodAt } from '../domain/budgets/index.js';
import type { CompiledCatalog } from '../domain/decision/catalog.js';
import { SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from '../http/partner-signature.js';
import type { LeadEvent } from '../store/leads.js';
import type { Store } from '../store/store.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/**
 * The CRM event of a newly qualified lead. The key names the lead and the moment it qualified, so a lead that falls
 * below the threshold and qualifies again later is a new event, and a retried one is the same.
 */
export function leadQualifiedEvent(lead: Lead): LeadEvent {
  const qualifiedAt = lead.qualifiedAt ?? lead.updatedAt;
  const key = `lead.${lead.customerId}.${lead.product}.${Date.parse(qualifiedAt)}`;
  const body = JSON.stringify({
    type: 'lead.qualified',
    id: key,
    customerId: lead.customerId,
    product: lead.product,
    score: lead.score,
    stage: lead.stage,
    reason: lead.reason,
    branch: lead.branch,
    lastActivityAt: lead.lastActivityAt,
    qualifiedAt,
  });
  return { key, customerId: lead.customerId, body };
}

export interface LeadDeliveryOptions {
  readonly store: Store;
  readonly crm: CrmWebhook;
  readonly now: () => Date;
  /** A number in [0, 1) for the backoff's jitter. */
  readonly random: () => number;
  /** Events sent per round. */
  readonly batchSize?: number;
  /** How long a claimed event is left to its sender before another may try it (a sender that died mid-way). */
  readonly leaseMs?: number;
  readonly timeoutMs?: number;
  /** The catalog, for its budgets of leads handed over to the branches; none: no budget holds a lead back. */
  readonly catalog?: () => CompiledCatalog;
}

export interface DeliveryRound {
  readonly delivered: number;
  readonly failed: number;
  /** Held back to the next period by a budget of leads to the branches. */
  readonly heldByBudget?: number;
}

/**
 * Sends due lead events from the outbox to the CRM, each signed afresh (X-Touchpoint-Timestamp,
 * X-Touchpoint-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">) with its Idempotency-Key. A 2xx answer
 * delivers it; anything else (an error status, a refused connection, a timeout) schedules the next attempt by capped
 * exponential backoff with jitter. Web standards only (fetch, Web Crypto), so any runtime can run a round.
 */
export function createLeadDelivery({
  store,
  crm,
  now,
  random,
  batchSize = 50,
  leaseMs = 120_000,
  timeoutMs = 10_000,
  catalog,
}: LeadDeliveryOptions): () => Promise<DeliveryRound> {
  /**
   * Takes one lead from each budget of leads to the event's branch (one conditional update each, exact across
   * processes); when one is spent, gives back what was taken and answers when its period ends.
   */
  const takeBudgets = async (
    body: string,
    at: Date,
  ): Promise<{ taken: Array<[string, string]>; wait: Date | null }> => {
    const compiled = catalog?.();
    if (!compiled) return { taken: [], wait: null };
    const branch = (JSON.parse(body) as { branch?: string | null }).branch ?? null;
    const taken: Array<[string, string]> = [];
    for (const budget of compiled.budgetScopes.leadBudgetsOf(branch)) {
      const period = periodAt(budget, at, compiled.source.timeZone);
      if (!period) continue;
      if (await store.budgetCounters.takeOne(budget.id, period.key, budget.maximum)) {
        taken.push([budget.id, period.key]);
        continue;
      }
      await giveBack(taken);
      return { taken: [], wait: period.end };
    }
    return { taken, wait: null };
  };
  const giveBack = (taken: ReadonlyArray<[string, string]>) =>
    Promise.all(taken.map(([budgetId, period]) => store.budgetCounters.add(budgetId, period, -1)));

  return async function deliverDueLeads() {
    const claimedAt = now();
    const due = await store.claimLeadEvents(claimedAt, new Date(claimedAt.getTime() + leaseMs), batchSize);
    let delivered = 0;
    let held = 0;
    for (const event of due) {
      const budgets = await takeBudgets(event.body, now());
      if (budgets.wait) {
        // Beyond the week's budget: the lead waits in the outbox for the next period.
        await store.markLeadEventFailed(event.key, budgets.wait, 'the budget of leads to the branches is spent');
        held += 1;
        continue;
      }
      const timestamp = String(Math.floor(now().getTime() / 1000));
      let failure: string | null;
      try {
        const response = await fetch(crm.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [TIMESTAMP_HEADER]: timestamp,
            [SIGNATURE_HEADER]: await signBody(crm.secret, timestamp, event.body),
            [IDEMPOTENCY_HEADER]: event.key,
          },
          body: event.body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel();
        failure = response.ok ? null : `HTTP ${response.status}`;
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
        failure = `${error instanceof Error ? error.message : String(error)}${cause}`;
      }
      if (failure === null) {
        await store.markLeadEventDelivered(event.key, now());
        delivered += 1;
      } else {
        await giveBack(budgets.taken);
        await store.markLeadEventFailed(event.key, nextAttemptAt(event.attempts, now(), random()), failure);
      }
    }
    return { delivered, failed: due.length - delivered - held, ...(held > 0 ? { heldByBudget: held } : {}) };
  };
}
