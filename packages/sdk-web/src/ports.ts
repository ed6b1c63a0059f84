import type { Touchpoint } from './wire.js';

/**
 * Where queued touchpoints wait until the API acknowledged them. Every change is one atomic read-modify-write, so
 * pages in several tabs can share it; clearing is a change to an empty queue.
 */
export interface QueueStorage {
  /** Applies `change` to the stored queue and resolves with the queue as stored. */
  update(change: (queue: Touchpoint[]) => Touchpoint[]): Promise<Touchpoint[]>;
}

export interface TransportResponse {
  readonly status: number;
  readonly retryAfter: string | null;
  /** The parsed JSON body, or null when there was none or it was not JSON. */
  readonly body: unknown;
}

export interface PostOptions {
  readonly token?: string | null;
  /** Lets the request outlive the page (sent while the page is being hidden or unloaded). */
  readonly keepalive?: boolean;
  readonly signal?: AbortSignal;
}

/** How requests reach the decision API. `send` rejects only when no response arrived. */
export interface Transport {
  /** POSTs `body` as JSON; GETs when it is null. */
  send(path: string, body: unknown, options?: PostOptions): Promise<TransportResponse>;
  /** Fire and forget while the page goes away. */
  beacon(path: string, body: unknown): void;
}
