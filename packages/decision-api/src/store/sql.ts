/** The one port every store driver implements: parameterised SQL in PostgreSQL's dialect. */
export interface SqlClient {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface SqlDatabase extends SqlClient {
  /** Runs fn in one transaction: everything it wrote is committed together or not at all. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
  readonly engine: 'pglite' | 'postgresql';
  /**
   * Follows a notification channel (LISTEN): `onNotify` gets each payload sent there (NOTIFY, delivered after the
   * sending transaction commits). `onReconnect` is called when a lost listening connection is back: whatever was sent
   * meanwhile is lost, so the caller rereads what it follows. Resolves to the unsubscribe. Absent where the driver
   * cannot hold a connection open (an edge runtime).
   */
  listen?(channel: string, listener: ChannelListener): Promise<() => Promise<void>>;
}

export interface ChannelListener {
  onNotify(payload: string): void;
  onReconnect?(): void;
  /** The listening connection is lost (or could not be made): nothing is heard until `onReconnect`. */
  onLost?(): void;
}

/** Channel names go into LISTEN as identifiers: plain lower-case names only. */
export function checkChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`[touchpoint] invalid channel name "${channel}"`);
  return channel;
}

/** SQLSTATE query_canceled: what PostgreSQL answers when a statement ran past `statement_timeout`. */
const QUERY_CANCELED = '57014';

/**
 * A statement the server cancelled for running past the connection's statement timeout (most often: waiting on a
 * lock someone else holds). It keeps PostgreSQL's SQLSTATE in `code`, so it reads as the store being away, not as a
 * bad query.
 */
export class StoreTimeoutError extends Error {
  readonly code = QUERY_CANCELED;
  constructor(
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      `[touchpoint] the store cancelled a statement that ran longer than the statement timeout (${timeoutMs} ms), e.g. waiting on a lock`,
      options,
    );
    this.name = 'StoreTimeoutError';
  }

  /** The error as it is, unless it is the server's statement timeout: then a StoreTimeoutError saying so. */
  static from(error: unknown, timeoutMs: number): unknown {
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    const message = error instanceof Error ? error.message : '';
    return code === QUERY_CANCELED && message.includes('statement timeout')
      ? new StoreTimeoutError(timeoutMs, { cause: error })
      : error;
  }
}
