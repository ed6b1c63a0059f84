/**
 * What the decision hot path reads from memory, never from the store: a value swapped whole, reloaded one way by every
 * snapshot. Reloads run one after another, so a slow read that began before a later one never replaces what the later
 * one read; calls made while a reload waits to start share it. A read older than `maxAgeMs` (by the injected clock)
 * starts one reload in the background and answers with what is held: the hot path never waits for the store. There
 * are no timers: a process that reads nothing reloads nothing.
 */
export interface Snapshot<T> {
  /** What is held now. */
  current(): T;
  /** Reads the store again; resolves with what is held after that read. */
  reload(): Promise<T>;
  /** Holds a value this process has just written, without reading it back. */
  set(value: T): void;
}

export interface SnapshotOptions<T> {
  /** The clock (the app's injected one). */
  readonly now: () => Date;
  /** How old what is held may get before a read starts a reload; absent, only `reload()` and the change feed reload. */
  readonly maxAgeMs?: number | undefined;
  /** Combines a fresh read with what is held (e.g. keeping entries written while the read ran); the read by default. */
  readonly combine?: (read: T, held: T) => T;
  /** Where a background reload's failure goes. */
  readonly onError?: (error: unknown) => void;
}

export async function loadSnapshot<T>(load: () => Promise<T>, options: SnapshotOptions<T>): Promise<Snapshot<T>> {
  const { now, maxAgeMs, combine = (read: T) => read } = options;
  const onError =
    options.onError ?? ((error: unknown) => console.error('[touchpoint] reloading a snapshot failed', error));
  let held: T = await load();
  let loadedAt = now().getTime();
  let tail: Promise<unknown> = Promise.resolve();
  let waiting: Promise<T> | undefined;
  let reloading = 0;

  const reload = (): Promise<T> => {
    if (waiting) return waiting;
    reloading += 1;
    const next = tail
      .then(async () => {
        waiting = undefined;
        const read = await load();
        held = combine(read, held);
        loadedAt = now().getTime();
        return held;
      })
      .finally(() => {
        reloading -= 1;
      });
    waiting = next;
    tail = next.catch(() => undefined);
    return next;
  };

  return {
    current() {
      if (maxAgeMs !== undefined && reloading === 0 && now().getTime() - loadedAt > maxAgeMs) reload().catch(onError);
      return held;
    },
    reload,
    set(value) {
      held = value;
    },
  };
}
