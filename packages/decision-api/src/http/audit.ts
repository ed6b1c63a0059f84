import type { Context } from 'hono';
import type { SqlClient } from '../store/sql.js';
import type { AppEnv } from './env.js';
import type { Services } from './services.js';

export interface AuditedChange {
  /** What was done, `<area>.<verb>`: `experiment.approve`, `session.sign-in`. */
  readonly action: string;
  /** What it was done to, `<kind>:<id>`: `experiment:<uuid>`, `staff:<id>`. */
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
  /** What the change was judged on, beside the target (an approval's what-if report). */
  readonly details?: unknown;
}

/**
 * Writes the audit entry of a change made by the signed-in staff member. Pass the change's transaction when there is
 * one, so the change and its entry are stored together or not at all.
 */
export function auditChange(
  services: Services,
  c: Context<AppEnv>,
  change: AuditedChange,
  client?: SqlClient,
): Promise<void> {
  return services.store.audit.record(
    { at: services.now().toISOString(), staffId: c.get('staff').id, ...change },
    client,
  );
}
