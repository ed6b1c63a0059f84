import type { ClusterModel } from '../domain/clustering/clusters.js';
import type { BehaviourState } from '../domain/journeys/behaviour.js';
import type { SqlDatabase } from './sql.js';
import { EXTERNAL_CHANNEL } from './subjects.js';

/** A trained cluster model as stored: the model, staff's names for its clusters, who trained it, whether it is used. */
export interface StoredClusterModel {
  readonly model: ClusterModel;
  /** Cluster id → the name staff gave it. */
  readonly names: Readonly<Record<string, string>>;
  readonly trainedBy: string;
  readonly active: boolean;
  readonly createdAt: Date;
}

/** A behaviour computed from a subject's history, to fill in a profile stored before behaviour was kept. */
export interface BehaviourBackfill {
  readonly subject: string;
  readonly behaviour: BehaviourState;
  /** The own-channel touchpoints it was computed from: when the store holds more now, the profile is left as it is. */
  readonly touchpoints: number;
}

export interface ClusterModelStore {
  activeClusterModel(): Promise<StoredClusterModel | null>;
  clusterModel(version: number): Promise<StoredClusterModel | null>;
  /**
   * Stores a newly trained model and makes it the only active one, in one transaction. False, and nothing changed,
   * when a model of that version is stored already (another training finished first).
   */
  activateNewClusterModel(
    model: ClusterModel,
    trainedBy: string,
    names: Readonly<Record<string, string>>,
  ): Promise<boolean>;
  /** Names a cluster of a stored model; the model after the change, or null when there is no such version. */
  nameCluster(version: number, clusterId: string, name: string): Promise<StoredClusterModel | null>;
  /** Fills in the behaviour of profiles that have none; returns how many were filled. */
  backfillBehaviour(entries: readonly BehaviourBackfill[]): Promise<number>;
}

interface ClusterModelRow {
  version: number;
  body: ClusterModel;
  names: Record<string, string>;
  trained_by: string;
  active: boolean;
  created_at: Date | string;
}

const COLUMNS = 'version, body, names, trained_by, active, created_at';

export function createClusterRepository(db: SqlDatabase): ClusterModelStore {
  const one = async (where: string, params: unknown[]) =>
    fromRow((await db.query<ClusterModelRow>(`SELECT ${COLUMNS} FROM cluster_models WHERE ${where}`, params))[0]);
  return {
    activeClusterModel: () => one('active', []),
    clusterModel: (version) => one('version = $1', [version]),

    activateNewClusterModel: (model, trainedBy, names) =>
      db.transaction(async (tx) => {
        const inserted = await tx.query<{ version: number }>(
          `INSERT INTO cluster_models (version, body, names, trained_by, created_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (version) DO NOTHING RETURNING version`,
          [model.version, JSON.stringify(model), JSON.stringify(names), trainedBy, model.createdAt],
        );
        if (inserted.length === 0) return false;
        await tx.query('UPDATE cluster_models SET active = false WHERE active');
        await tx.query('UPDATE cluster_models SET active = true WHERE version = $1', [model.version]);
        return true;
      }),

    async nameCluster(version, clusterId, name) {
      const rows = await db.query<ClusterModelRow>(
        `UPDATE cluster_models SET names = jsonb_set(names, ARRAY[$2::text], to_jsonb($3::text))
         WHERE version = $1 RETURNING ${COLUMNS}`,
        [version, clusterId, name],
      );
      return fromRow(rows[0]);
    },

    async backfillBehaviour(entries) {
      if (entries.length === 0) return 0;
      const filled = await db.query<{ subject: string }>(
        `UPDATE profiles p SET body = jsonb_set(p.body, '{behaviour}', u.behaviour), updated_at = now()
         FROM unnest($1::text[], $2::jsonb[], $3::int[]) AS u(subject, behaviour, seen)
         WHERE p.subject = u.subject AND NOT (p.body ? 'behaviour')
           AND (SELECT count(*) FROM touchpoints t WHERE t.subject = u.subject AND t.channel <> '${EXTERNAL_CHANNEL}') = u.seen
         RETURNING p.subject`,
        [
          entries.map((entry) => entry.subject),
          entries.map((entry) => JSON.stringify(entry.behaviour)),
          entries.map((entry) => entry.touchpoints),
        ],
      );
      return filled.length;
    },
  };
}

function fromRow(row: ClusterModelRow | undefined): StoredClusterModel | null {
  if (!row) return null;
  return {
    model: row.body,
    names: row.names,
    trainedBy: row.trained_by,
    active: row.active,
    createdAt: new Date(row.created_at),
  };
}
