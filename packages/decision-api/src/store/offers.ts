import type { Catalog, OfferVersion } from '../contract/index.js';
import type { SqlClient, SqlDatabase } from './sql.js';

/** An offer's versions inside the transaction of one change: read locked, written together or not at all. */
export interface OfferChange {
  /** The offer's versions as stored when the change began, newest first; locked until it ends. */
  readonly versions: readonly OfferVersion[];
  insert(version: OfferVersion): Promise<void>;
  replace(version: OfferVersion): Promise<void>;
  /** The newest catalog, with further catalog writes held back until the change ends (publishing one at a time). */
  lockedCatalog(): Promise<Catalog | null>;
  insertCatalog(catalog: Catalog): Promise<void>;
  /** The transaction, for the audit entry of the change. */
  readonly client: SqlClient;
}

/** Two changes raced and the other won (the same version number, or a second open draft). */
export class OfferConflict extends Error {}

export interface OfferStore {
  /** One offer's versions, newest first. */
  history(offerId: string): Promise<OfferVersion[]>;
  /** Every offer's open change and live version. */
  current(): Promise<OfferVersion[]>;
  /**
   * Runs a change of one offer in one transaction, its versions locked. Throws OfferConflict when a concurrent change
   * got there first; anything fn throws undoes all it wrote.
   */
  change<T>(offerId: string, fn: (change: OfferChange) => Promise<T>): Promise<T>;
}

interface Row {
  body: OfferVersion;
}

/** Versions stored before reviews were kept have none. */
const fromRow = (row: Row): OfferVersion => ({ ...row.body, reviews: row.body.reviews ?? [] });

export function createOfferRepository(db: SqlDatabase): OfferStore {
  const write = (client: SqlClient, version: OfferVersion, sql: string) =>
    client.query<{ version: number }>(sql, [
      version.offerId,
      version.version,
      version.status,
      version.revision,
      JSON.stringify(version),
      version.createdAt,
      version.updatedAt,
    ]);

  return {
    async history(offerId) {
      const rows = await db.query<Row>('SELECT body FROM offer_versions WHERE offer_id = $1 ORDER BY version DESC', [
        offerId,
      ]);
      return rows.map(fromRow);
    },

    async current() {
      const rows = await db.query<Row>(
        `SELECT body FROM offer_versions WHERE status IN ('draft', 'submitted', 'approved', 'live')
          ORDER BY offer_id, version DESC`,
      );
      return rows.map(fromRow);
    },

    async change(offerId, fn) {
      try {
        return await db.transaction(async (tx) => {
          const rows = await tx.query<Row>(
            'SELECT body FROM offer_versions WHERE offer_id = $1 ORDER BY version DESC FOR UPDATE',
            [offerId],
          );
          return fn({
            versions: rows.map(fromRow),
            client: tx,
            insert: async (version) => {
              await write(
                tx,
                version,
                `INSERT INTO offer_versions (offer_id, version, status, revision, body, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)`,
              );
            },
            replace: async (version) => {
              const updated = await write(
                tx,
                version,
                `UPDATE offer_versions SET status = $3, revision = $4, body = $5, created_at = $6, updated_at = $7
                  WHERE offer_id = $1 AND version = $2 RETURNING version`,
              );
              if (updated.length === 0) throw new OfferConflict(`no version ${version.version} of ${offerId}`);
            },
            lockedCatalog: async () => {
              // Self-conflicting but not blocking plain reads: two publishes queue, decisions keep reading.
              await tx.query('LOCK TABLE catalog_versions IN SHARE ROW EXCLUSIVE MODE');
              const [row] = await tx.query<{ body: Catalog }>(
                'SELECT body FROM catalog_versions ORDER BY id DESC LIMIT 1',
              );
              return row?.body ?? null;
            },
            insertCatalog: async (catalog) => {
              await tx.query('INSERT INTO catalog_versions (version, body) VALUES ($1, $2)', [
                catalog.version,
                JSON.stringify(catalog),
              ]);
            },
          });
        });
      } catch (error) {
        if ((error as { code?: unknown }).code === '23505') throw new OfferConflict('a concurrent change won');
        throw error;
      }
    },
  };
}
