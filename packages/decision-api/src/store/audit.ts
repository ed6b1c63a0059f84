import type { SqlClient, SqlDatabase } from './sql.js';

/** One change made by staff (or by the system, as "touchpoint"), with the target before and after. */
export interface AuditEntry {
  readonly at: string;
  readonly staffId: string;
  /** What was done, e.g. `experiment.approve`, `session.sign-in`. */
  readonly action: string;
  /** What it was done to, e.g. `experiment:<id>`, `staff:<id>`. */
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
  /** What the change was judged on, when it was judged on more than the target (an approval's what-if report). */
  readonly details?: unknown;
}

export interface AuditRecord extends AuditEntry {
  readonly id: number;
}

export interface AuditPage {
  readonly entries: AuditRecord[];
  /** The cursor of the next (older) page, or null at the end. */
  readonly next: number | null;
}

export interface AuditQuery {
  readonly target?: string;
  /** Only entries older than this cursor. */
  readonly before?: number;
  readonly limit: number;
}

export interface AuditStore {
  /** Writes an entry; pass the transaction of the change, so the change and its entry are stored together. */
  record(entry: AuditEntry, client?: SqlClient): Promise<void>;
  /** Newest first. */
  list(query: AuditQuery): Promise<AuditPage>;
}

/** Writes an audit entry with the given client (a transaction, or the database). */
export function writeAudit(client: SqlClient, entry: AuditEntry): Promise<unknown> {
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  return client.query(
    'INSERT INTO audit_log (at, staff_id, action, target, before, after, details) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [entry.at, entry.staffId, entry.action, entry.target, json(entry.before), json(entry.after), json(entry.details)],
  );
}

export function createAuditRepository(db: SqlDatabase): AuditStore {
  return {
    async record(entry, client = db) {
      await writeAudit(client, entry);
    },

    async list({ target, before, limit }) {
      const rows = await db.query<{
        id: string | number;
        at: Date | string;
        staff_id: string;
        action: string;
        target: string;
        before: unknown;
        after: unknown;
        details: unknown;
      }>(
        `SELECT id, at, staff_id, action, target, before, after, details FROM audit_log
          WHERE ($1::text IS NULL OR target = $1) AND ($2::bigint IS NULL OR id < $2)
          ORDER BY id DESC LIMIT $3`,
        [target ?? null, before ?? null, limit + 1],
      );
      const entries = rows.slice(0, limit).map((row) => ({
        id: Number(row.id),
        at: new Date(row.at).toISOString(),
        staffId: row.staff_id,
        action: row.action,
        target: row.target,
        before: row.before,
        after: row.after,
        details: row.details ?? null,
      }));
      return { entries, next: rows.length > limit ? (entries[entries.length - 1]?.id ?? null) : null };
    },
  };
}
