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
