import { exclusive } from './adapters/browser.js';
import { createMemoryStorage } from './adapters/memory-storage.js';
import { retryDelay } from './core/backoff.js';
import { isObject, isString } from './core/guards.js';
import { acknowledge, enqueue, takeBatch } from './core/queue.js';
import { isRetryable, parseRetryAfter } from './core/retry-policy.js';
import type { QueueStorage, Transport, TransportResponse } from './ports.js';
import type { TouchpointErrorInfo } from './types.js';
import type { Touchpoint } from './wire.js';

const PATH = '/v1/touchpoints';
const MAX_ITEMS = 500;
/** Characters of JSON: below the API's 512 KB even where every character takes two bytes. */
const MAX_CHARS = 250_000;
/** Browsers allow 64 KB of keepalive requests and beacons in flight per page. */
const KEEPALIVE_CHARS = 30_000;
/**
 * Sends that may fail in a row (waits the server asked for with Retry-After, and splits, not counted) before the page
 * stops retrying by itself. Nothing is dropped for it: the touchpoints stay queued (on the device, with consent) and
 * are tried again only with the page's next send (a new touchpoint, a decision, flush()) or on the next page load.
 */
export const MAX_ATTEMPTS = 8;

export interface DeliveryOptions {
  readonly transport: Transport;
  readonly cap: number;
  readonly intervalMs: number;
  readonly anonymousId: () => string;
  readonly token: () => Promise<string | null>;
  /** The token last obtained, for sends that cannot wait (the page is going away). */
  readonly lastToken: () => string | null;
  readonly canSend: () => boolean;
  readonly report: (error: TouchpointErrorInfo) => void;
}

/** Sending queued touchpoints: the page's queue, its durable copy, batching, retries and the last send on page hide. */
export interface Delivery {
  add(touchpoint: Touchpoint): void;
  /** Sends everything queued unless backing off; resolves when done or waiting to retry. */
  flush(): Promise<void>;
  sendOnHide(): void;
  /**
   * Keeps the queue in `storage` from now on, merged with what it holds; in memory only when null, and then the
   * storage used so far is emptied.
   */
  persistIn(storage: QueueStorage | null): void;
  /** Discards every queued touchpoint, here and in the storage in use. */
  clear(): void;
  dispose(): void;
}

/**
 * The server's Retry-After in ms (null when it gave none) when a batch should be tried again; false when it gave none
 * and the batch itself may be at fault (a 5xx, or a 2xx that settles nothing); undefined once settled.
 */
type Retry = number | null | false | undefined;

const ids = (list: unknown): string[] => (Array.isArray(list) ? list.filter(isString) : []);

export function createDelivery(options: DeliveryOptions): Delivery {
  const { transport, cap, report } = options;
  /** This page's unacknowledged touchpoints, oldest first: what is sent. The storage is its durable copy. */
  let queue: Touchpoint[] = [];
  let storage = createMemoryStorage();
  /** The last storage change; a flush waits for it so nothing is sent before it is stored. */
  let stored: Promise<unknown> = Promise.resolve();
  /**
   * Batches to send before the queue's head: the one to send again (with the same ids: the API acknowledges a repeated
   * id as a duplicate), then the halves of a batch the server kept failing on.
   */
  let pending: Touchpoint[][] = [];
  /** Batches the API settled so far, and the count when each touchpoint set aside alone last failed. */
  let settledBatches = 0;
  const setAside = new Map<string, number>();
  let attempt = 0;
  let retryAt = 0;
  /** Touchpoints tracked since the last storage change began: stored together in one change. */
  let adding: Touchpoint[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** This page's sends, one after another. */
  let inFlight: Promise<void> | undefined;
  /** Bumped when the queue is discarded, so answers to earlier requests change nothing. */
  let epoch = 0;
  /** The queue with `more` appended, the oldest beyond the cap dropped and reported. */
  const append = (items: Touchpoint[], more: readonly Touchpoint[]) => {
    const { queue: next, dropped } = enqueue(items, more, cap);
    if (dropped.length) report({ kind: 'storage', message: 'queue full', dropped });
    return next;
  };

  function store(change: (storage: QueueStorage) => Promise<unknown>) {
    const target = storage;
    stored = stored
      .then(() => change(target))
      .catch((cause: unknown) => {
        if (storage === target) storage = createMemoryStorage(queue);
        report({ kind: 'storage', message: 'storage failed', cause });
      });
  }

  /** Applies `change` to the queue in the storage in use, in turn with the changes before. */
  const update = (change: (items: Touchpoint[]) => Touchpoint[]) => store((target) => target.update(change));

  function stop() {
    clearTimeout(timer);
    timer = undefined;
  }

  function schedule(delayMs: number) {
    if (timer || !queue.length || !options.canSend()) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        void flush();
      },
      Math.max(delayMs, retryAt - Date.now()),
    );
  }

  const envelope = (touchpoints: Touchpoint[]) => ({ anonymousId: options.anonymousId(), touchpoints });

  function remove(settled: ReadonlySet<string>) {
    queue = acknowledge(queue, settled);
    update((items) => acknowledge(items, settled));
  }

  /** Takes the API's answer to a batch: removes what it acknowledged or refused for good; says when to retry. */
  function settle(batch: readonly Touchpoint[], { status, body, retryAfter }: TransportResponse): Retry {
    const refused = status < 200 || status > 299;
    if (refused && isRetryable(status)) return parseRetryAfter(retryAfter, Date.now()) ?? (status < 500 && null);
    // Refused for good (a 4xx other than 408 and 429): the whole batch is dropped.
    const result = isObject(body) && !refused ? body : {};
    const invalid = Array.isArray(result.rejected) ? result.rejected : [];
    const rejected = refused
      ? batch.map((item) => item.id)
      : invalid.map((item) => (isString(item?.id) ? item.id : batch[item?.index as number]?.id)).filter(isString);
    const settled = new Set([...ids(result.accepted), ...ids(result.duplicates), ...rejected]);
    // An answer that settles nothing is retried with backoff rather than at once, so it cannot loop hot.
    if (!batch.some((item) => settled.has(item.id))) return false;
    remove(settled);
    if (rejected.length)
      report({
        kind: 'delivery',
        status,
        message: refused ? 'batch refused' : 'touchpoints rejected',
        dropped: rejected,
        cause: refused ? body : invalid,
      });
  }

  async function drain(): Promise<void> {
    // What another tab sent meanwhile has left the device queue: this page's copy is read back from it first.
    store(async (target) => {
      queue = await target.update((items) => items);
    });
    await stored;
    while (options.canSend() && Date.now() >= retryAt) {
      // Touchpoints set aside go when nothing else waits.
      const fresh = queue.filter((item) => !setAside.has(item.id));
      const batch = pending[0] ?? takeBatch(fresh.length ? fresh : queue, MAX_ITEMS, MAX_CHARS);
      if (!batch.length) break;
      pending[0] = batch;
      const started = epoch;
      let retry: Retry;
      let status: number | undefined;
      let cause: unknown;
      try {
        const token = await options.token();
        // The customer logged out meanwhile: what was queued before is gone, and must not leave under the new id.
        if (started !== epoch) return;
        const response = await transport.send(PATH, envelope(batch), { token });
        if (started !== epoch) return;
        retry = settle(batch, response);
        ({ status, body: cause } = response);
      } catch (error) {
        if (started !== epoch) return;
        retry = null;
        cause = error;
      }
      pending.shift();
      if (retry === undefined) {
        settledBatches++;
        attempt = 0;
        continue;
      }
      // A batch the server fails on (a 5xx without Retry-After, or a 2xx that settles nothing) may be failing for one
      // of its touchpoints: it is halved, so the touchpoints the server takes go through. A touchpoint failing alone is
      // set aside until nothing else waits, and dropped (reported) when it fails so again after the API took other
      // batches, so never for an outage. Offline or asked to wait, the same batch is sent again.
      const half = batch.length >> 1;
      const id = batch[0]?.id as string;
      if (retry !== false) pending.unshift(batch);
      else if (half) pending.unshift(batch.slice(0, half), batch.slice(half));
      else if ((setAside.get(id) ?? settledBatches) < settledBatches) {
        remove(new Set([id]));
        report({ kind: 'delivery', status, message: 'touchpoint set aside', dropped: [id], cause });
        continue;
      } else setAside.set(id, settledBatches);
      // Waiting as the server asked, or to send the halves, does not count as an attempt: the backoff does not grow
      // from it, and the budget of attempts is not spent.
      const waited = typeof retry === 'number';
      const delay = retryDelay(waited || (retry === false && half) ? attempt : attempt++, retry, Math.random());
      const spent = !waited && attempt >= MAX_ATTEMPTS;
      report({
        kind: 'delivery',
        message: `send failed; retry ${spent ? 'later' : `in ${Math.ceil(delay / 1000)} s`}`,
        status,
        cause,
      });
      stop();
      // Once the budget is spent, no timer: the batch stays queued for the page's next send or the next page.
      if (spent) return;
      retryAt = Date.now() + delay;
      schedule(delay);
      return;
    }
    // The lock is held until what was acknowledged has left the device queue, so the next tab to send does not read it
    // there and send it again.
    await stored;
  }

  function flush(): Promise<void> {
    // Tabs share the device queue: one sends at a time, so a touchpoint does not leave from two tabs at once. A flush
    // asked for while this page is sending runs after that send, so what was tracked before the call goes too.
    inFlight = (inFlight ?? stored).then(() =>
      exclusive('touchpoint:flush', drain).catch((cause: unknown) =>
        report({ kind: 'internal', message: 'send failed', cause }),
      ),
    );
    return inFlight;
  }

  return {
    add(touchpoint) {
      queue = append(queue, [touchpoint]);
      if (adding.push(touchpoint) === 1) {
        const batch = adding;
        update((items) => enqueue(items, batch.splice(0), cap).queue);
      }
      schedule(options.intervalMs);
    },

    flush,

    sendOnHide() {
      const batch = takeBatch(queue, MAX_ITEMS, KEEPALIVE_CHARS);
      if (!options.canSend() || !batch.length) return;
      // What leaves now stays queued: the next send (this page's, if it survives, or the next page load's) repeats
      // it and the API counts each id once. So a browser that cancels the request on unload loses nothing either.
      const body = envelope(batch);
      // A keepalive fetch that is refused at once (over the browser's keepalive quota, say) goes as a beacon.
      transport
        .send(PATH, body, { token: options.lastToken(), keepalive: true })
        .catch(() => transport.beacon(PATH, body));
    },

    persistIn(next) {
      const previous = storage;
      storage = next ?? createMemoryStorage();
      adding = [];
      const mine = queue;
      // In memory only from now: the device keeps nothing (in turn with the changes before, so none lands after it).
      if (!next) store(() => previous.update(() => []));
      store(async (target) => {
        queue = enqueue(await target.update((items) => append(items, mine)), queue, cap).queue;
        schedule(options.intervalMs);
      });
    },

    clear() {
      epoch++;
      queue = adding = [];
      pending = [];
      attempt = retryAt = 0;
      stop();
      update(() => []);
    },

    dispose() {
      epoch++;
      stop();
    },
  };
}
