import type { SqlDatabase } from './sql.js';

/**
 * The channel the database announces changes on. Triggers (migration 12) send to it in the transaction that saves a
 * catalog version, stores or activates a cluster model, or changes an experiment, so whichever code path writes the
 * row, every process following the feed hears of it once the change is committed, and never of one rolled back.
 * Migration 14 adds the profiles: each statement writing profiles (or a customer's bank scores) names the subjects it
 * changed, so a process can keep profiles in memory and drop exactly those.
 */
export const CHANGES_CHANNEL = 'touchpoint_changes';

export const CHANGE_KINDS = ['catalog', 'clusters', 'experiments'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface Change {
  readonly kind: ChangeKind;
  /** The catalog version, cluster model version or experiment id the change wrote. */
  readonly version: string | null;
}

/** Profiles some statement changed: these subjects', or (null) any number of them — a bank score upload, a TRUNCATE. */
export interface ProfilesChange {
  readonly kind: 'profiles';
  readonly subjects: readonly string[] | null;
}

export interface ChangeHandlers {
  onChange(change: Change): void;
  /** Profiles changed (absent: profile changes are not followed). */
  onProfiles?(change: ProfilesChange): void;
  /** The feed was interrupted and is back: changes made meanwhile were not heard, so reread everything followed. */
  onResync(): void;
  /** The feed is interrupted: until `onResync`, changes are not heard. */
  onLost?(): void;
}

/**
 * Follows the changes of this store's schema (a notification is database-wide, and schemas may share a database).
 * Null when the driver cannot listen: then holders keep what they loaded, refreshed by their own timers.
 */
export async function followChanges(db: SqlDatabase, handlers: ChangeHandlers): Promise<(() => Promise<void>) | null> {
  if (!db.listen) return null;
  const [row] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
  const schema = row?.schema;
  return db.listen(CHANGES_CHANNEL, {
    onNotify(payload) {
      const change = parseChange(payload, schema);
      if (change?.kind === 'profiles') handlers.onProfiles?.(change);
      else if (change) handlers.onChange(change);
    },
    onReconnect: () => handlers.onResync(),
    onLost: () => handlers.onLost?.(),
  });
}

/** A payload of another schema, or one this version does not know, is ignored. */
export function parseChange(payload: string, schema: string | undefined): Change | ProfilesChange | null {
  try {
    const parsed = JSON.parse(payload) as { schema?: unknown; kind?: unknown; version?: unknown; subjects?: unknown };
    if (parsed.schema !== schema) return null;
    if (parsed.kind === 'profiles') {
      const { subjects } = parsed;
      const named = Array.isArray(subjects) && subjects.every((subject) => typeof subject === 'string');
      // Anything but a list of subjects (null, or a payload this version does not understand) means: all of them.
      return { kind: 'profiles', subjects: named ? (subjects as string[]) : null };
    }
    if (!(CHANGE_KINDS as readonly unknown[]).includes(parsed.kind)) return null;
    return {
      kind: parsed.kind as ChangeKind,
      version: typeof parsed.version === 'string' || typeof parsed.version === 'number' ? String(parsed.version) : null,
    };
  } catch {
    return null;
  }
}
