import type { StoredDecision } from './port.js';
import type { Subject } from './subjects.js';

/** A row of the decisions table as the drivers return it. */
export interface DecisionRow {
  readonly id: string;
  readonly subject: Subject;
  readonly placement: string;
  readonly offer_id: string | null;
  readonly channel: string;
  readonly page: string;
  readonly locale: string;
  readonly reason: string;
  readonly trace: unknown;
  readonly created_at: Date | string;
}

/** The one mapping of a decisions row, for every reader of the table. */
export function decisionFromRow(row: DecisionRow): StoredDecision {
  return {
    id: row.id,
    subject: row.subject,
    placement: row.placement,
    offerId: row.offer_id,
    channel: row.channel,
    page: row.page,
    locale: row.locale,
    reason: row.reason,
    trace: row.trace,
    createdAt: new Date(row.created_at),
  };
}
