import pg from 'pg';
import { type BackoffPolicy, nextAttemptAt } from '../../domain/backoff.js';
import { type ChannelListener, checkChannel } from '../sql.js';

/** A lost listening connection is tried again soon, then less often: never more than every 30 s. */
export const LISTEN_BACKOFF: BackoffPolicy = { baseMs: 250, capMs: 30_000 };
/** A connection can die without a word (a NAT dropping it): a query now and then finds out. */
const HEARTBEAT_MS = 30_000;

export interface ListenerConnectionOptions {
  readonly client: pg.ClientConfig;
  readonly backoff?: BackoffPolicy;
  readonly log?: (message: string) => void;
}

/**
 * One dedicated connection per process for LISTEN, outside the pool (a pooled connection goes back to the pool and
 * would stop hearing). Opened with the first subscription, closed with the last; when it is lost it reconnects with
 * backoff, listens again and tells every subscriber, who rereads what it follows.
 */
export function listenerConnection({
  client: config,
  backoff = LISTEN_BACKOFF,
  log = (message) => console.error(message),
}: ListenerConnectionOptions) {
  const channels = new Map<string, Set<ChannelListener>>();
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let failures = 0;
  let closed = false;

  const listeners = () => [...channels.values()].flatMap((set) => [...set]);

  const lost = (lostClient: pg.Client, reason: string) => {
    if (client !== lostClient) return;
    client = null;
    clearInterval(heartbeat);
    lostClient.removeAllListeners('notification');
    lostClient.end().catch(() => {});
    if (closed || channels.size === 0) return;
    log(`[touchpoint] the change feed lost its PostgreSQL connection (${reason}); reconnecting`);
    for (const listener of listeners()) listener.onLost?.();
    scheduleReconnect();
  };

  const scheduleReconnect = () => {
    if (closed || retry) return;
    failures += 1;
    const waitMs = nextAttemptAt(failures, new Date(0), Math.random(), backoff).getTime();
    retry = setTimeout(() => {
      retry = undefined;
      connect()
        .then(() => {
          for (const listener of listeners()) listener.onReconnect?.();
        })
        .catch(() => scheduleReconnect());
    }, waitMs);
    retry.unref?.();
  };

  const connect = () => {
    connecting ??= (async () => {
      const next = new pg.Client({ ...config, keepAlive: true, query_timeout: 10_000 });
      // Errors before `connect` resolves reject it; afterwards they end this connection.
      next.on('error', (error) => lost(next, error.message));
      next.on('end', () => lost(next, 'closed by the server'));
      next.on('notification', (message) => {
        for (const listener of channels.get(message.channel) ?? []) {
          try {
            listener.onNotify(message.payload ?? '');
          } catch (error) {
            log(`[touchpoint] a change listener failed: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      });
      try {
        await next.connect();
        for (const channel of channels.keys()) await next.query(`LISTEN ${channel}`);
      } catch (error) {
        next.removeAllListeners();
        next.on('error', () => {});
        await next.end().catch(() => {});
        throw error;
      }
      if (closed) {
        await next.end().catch(() => {});
        return;
      }
      client = next;
      failures = 0;
      heartbeat = setInterval(() => {
        next.query('SELECT 1').catch((error: Error) => lost(next, error.message));
      }, HEARTBEAT_MS);
      heartbeat.unref?.();
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  };

  return {
    async listen(channel: string, listener: ChannelListener): Promise<() => Promise<void>> {
      checkChannel(channel);
      if (closed) throw new Error('[touchpoint] the store is closed');
      const set = channels.get(channel) ?? new Set();
      const isNewChannel = set.size === 0;
      set.add(listener);
      channels.set(channel, set);
      if (client && isNewChannel) await client.query(`LISTEN ${channel}`);
      else if (!client && !retry) {
        // The first subscriber waits for the connection; if the database is away it is retried in the background.
        await connect().catch((error: Error) => {
          log(`[touchpoint] the change feed cannot connect to PostgreSQL (${error.message}); retrying`);
          listener.onLost?.();
          scheduleReconnect();
        });
      }
      return async () => {
        set.delete(listener);
        if (set.size > 0) return;
        channels.delete(channel);
        if (channels.size === 0) await stop();
        else await client?.query(`UNLISTEN ${channel}`).catch(() => {});
      };
    },
    async close(): Promise<void> {
      closed = true;
      channels.clear();
      await stop();
    },
  };

  /** Ends the connection once nobody listens (on close, or after the last unsubscribe). */
  async function stop() {
    await connecting?.catch(() => {});
    // Someone subscribed while the connection was being made: it stays.
    if (channels.size > 0) return;
    clearTimeout(retry);
    retry = undefined;
    clearInterval(heartbeat);
    const current = client;
    client = null;
    if (current) {
      current.removeAllListeners();
      current.on('error', () => {});
      await current.end().catch(() => {});
    }
  }
}
