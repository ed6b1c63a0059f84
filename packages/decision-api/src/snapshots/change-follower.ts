import type { Change, ChangeKind, ProfilesChange } from '../store/changes.js';
import type { Store } from '../store/store.js';

export type Reloaders = Readonly<Record<ChangeKind, () => Promise<unknown>>>;

/** What is kept of profiles follows the feed too: told of each change, of a lost feed and of one back. */
export interface ProfileFollower {
  changed(change: ProfilesChange): void;
  /** Changes are not heard until `resumed`. */
  lost(): void;
  resumed(): void;
}

/**
 * Reloads a holder when the store announces a change of what it holds (made by this process or another sharing the
 * database), and every holder when the feed was interrupted. One reload per kind runs at a time; changes heard while
 * it runs cause one more reload after it, so the last change always wins and a burst costs two reads.
 */
export async function followStoreChanges(
  store: Pick<Store, 'followChanges'>,
  reloaders: Reloaders,
  {
    onError = (kind: ChangeKind, error: unknown) =>
      console.error(`[touchpoint] reloading the ${kind} after a change failed`, error),
    onReloaded = (_change: Change | null) => {},
    profiles,
  }: {
    onError?: (kind: ChangeKind, error: unknown) => void;
    /** Called after each reload, with the change that caused it (null after a resync). */
    onReloaded?: (change: Change | null) => void;
    profiles?: ProfileFollower;
  } = {},
): Promise<(() => Promise<void>) | null> {
  const running = new Map<ChangeKind, Promise<void>>();
  const again = new Map<ChangeKind, Change | null>();

  const reload = (kind: ChangeKind, change: Change | null) => {
    if (running.has(kind)) {
      again.set(kind, change);
      return;
    }
    const run = reloaders[kind]()
      .then(
        () => onReloaded(change),
        (error: unknown) => onError(kind, error),
      )
      .finally(() => {
        running.delete(kind);
        if (again.has(kind)) {
          const next = again.get(kind) ?? null;
          again.delete(kind);
          reload(kind, next);
        }
      });
    running.set(kind, run);
  };

  let live = true;
  const unsubscribe = await store.followChanges({
    onChange: (change) => reload(change.kind, change),
    onProfiles: (change) => profiles?.changed(change),
    onResync: () => {
      live = true;
      profiles?.resumed();
      for (const kind of Object.keys(reloaders) as ChangeKind[]) reload(kind, null);
    },
    onLost: () => {
      live = false;
      profiles?.lost();
    },
  });
  if (!unsubscribe) return null;
  // Heard from now on, unless the feed could not connect (then it is retried, and `resumed` follows).
  if (live) profiles?.resumed();
  return async () => {
    profiles?.lost();
    await unsubscribe();
    again.clear();
    await Promise.all(running.values());
  };
}
