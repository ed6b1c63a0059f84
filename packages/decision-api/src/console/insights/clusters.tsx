import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ClusterModelSummary, ClusterTrainingResult } from '../../contract/clusters.js';
import { api, can, percent, type StaffMember } from '../api.js';
import { Heading, Problem } from '../page-parts.js';
import { DataTable } from '../table.js';
import { HeatMap, Scatter, signed } from './charts.js';

/** Rows of the heat map: the features whose centres differ most between clusters. */
const HEAT_MAP_FEATURES = 14;

/** A feature's name in words: `interest.car_loan.pricing` → "car loan: pricing". */
export function featureLabel(feature: string): string {
  const [group, detail = '', band] = feature.split('.');
  const product = detail.replaceAll('_', ' ');
  switch (group) {
    case 'interest':
      return `${product}: ${band ?? ''} interest`;
    case 'focus':
      return `${product}: share of attention`;
    case 'held':
      return `holds ${product}`;
    case 'channel':
      return detail === 'mobile_share' ? 'uses the mobile bank' : product;
    case 'activity':
      return (
        {
          recency: 'days since last visit',
          touchpoints_30d: 'visits, last 30 days',
          touchpoints_90d: 'visits, last 90 days',
          active_days_90d: 'active days, last 90 days',
        }[detail] ?? product
      );
    default:
      return feature;
  }
}

const clusterLabel = (cluster: { id: string; name: string | null }) => cluster.name ?? cluster.id;

/** The active behavioural cluster model: sizes, what sets each apart, where they lie, names, and retraining. */
export function ClustersPage({ staff }: { staff: StaffMember }) {
  const [model, setModel] = useState<ClusterModelSummary | null>(null);
  const [previous, setPrevious] = useState<ClusterModelSummary | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [training, setTraining] = useState<ClusterTrainingResult | null>(null);

  const load = useCallback(async () => {
    try {
      const active = await api<ClusterModelSummary>('GET', '/v1/admin/clusters');
      setModel(active);
      setPrevious(
        active.version > 1
          ? await api<ClusterModelSummary>('GET', `/v1/admin/clusters/${active.version - 1}`).catch(() => null)
          : null,
      );
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);

  const mayChange = can(staff, 'marketer');
  return (
    <Heading title="Clusters">
      <Problem error={error} />
      {model === null && !error ? <p>Loading…</p> : null}
      {model ? (
        <>
          <p data-testid="cluster-model">
            Model v{model.version}: {model.k} clusters of {model.customers.toLocaleString('en')} customers, trained{' '}
            {new Date(model.createdAt).toLocaleString('en-GB')} by {model.trainedBy}. Silhouette{' '}
            {model.silhouette.toFixed(2)} (how apart the clusters are: 1 well apart, 0 overlapping).
          </p>
          <Sizes model={model} mayName={mayChange} onNamed={setModel} />
          <Distinguishing model={model} />
          <Projection model={model} />
        </>
      ) : null}
      {mayChange ? (
        <Retrain
          onTrained={async (result) => {
            setTraining(result);
            await load();
          }}
        />
      ) : null}
      {training?.comparison ? <TrainingComparison result={training} /> : null}
      {model && previous && !training ? <VersionComparison model={model} previous={previous} /> : null}
    </Heading>
  );
}

function Sizes({
  model,
  mayName,
  onNamed,
}: {
  model: ClusterModelSummary;
  mayName: boolean;
  onNamed(model: ClusterModelSummary): void;
}) {
  return (
    <section aria-labelledby="sizes-title">
      <h2 id="sizes-title">Sizes and names</h2>
      <DataTable label="Clusters by size" testId="cluster-sizes">
        <caption>Clusters, largest first; the names are the ones staff give them</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Id</th>
            <th scope="col">Customers</th>
            <th scope="col">Share</th>
            <th scope="col">Sets it apart</th>
          </tr>
        </thead>
        <tbody>
          {model.clusters.map((cluster) => (
            <tr key={cluster.id} data-testid={`cluster-${cluster.id}`}>
              <th scope="row">
                <ClusterName model={model} cluster={cluster} mayName={mayName} onNamed={onNamed} />
              </th>
              <td className="nowrap">{cluster.id}</td>
              <td>{cluster.size.toLocaleString('en')}</td>
              <td className="nowrap">
                <span className="share-bar">
                  <svg viewBox="0 0 100 8" className="share" aria-hidden="true">
                    <rect x={0} y={0} width={100} height={8} className="track" />
                    <rect x={0} y={0} width={Math.max(1, cluster.share * 100)} height={8} className="fill" />
                  </svg>
                </span>{' '}
                {percent(cluster.share)}
              </td>
              <td>
                {cluster.distinguishing
                  .slice(0, 3)
                  .map((d) => `${featureLabel(d.feature)} ${signed(d.difference)} sd`)
                  .join(' · ')}
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </section>
  );
}

function ClusterName({
  model,
  cluster,
  mayName,
  onNamed,
}: {
  model: ClusterModelSummary;
  cluster: ClusterModelSummary['clusters'][number];
  mayName: boolean;
  onNamed(model: ClusterModelSummary): void;
}) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(cluster.name ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const inputId = `name-${cluster.id}`;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onNamed(
        await api<ClusterModelSummary>('PUT', `/v1/admin/clusters/${model.version}/${cluster.id}/name`, { name }),
      );
      setEditing(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (!editing) {
    return (
      <span className="cluster-name">
        <span data-testid="cluster-name">{cluster.name ?? <em>unnamed</em>}</span>
        {mayName ? (
          <>
            {' '}
            <button
              type="button"
              className="link"
              onClick={() => {
                setName(cluster.name ?? '');
                setEditing(true);
              }}
              aria-label={`${cluster.name ? 'Rename' : 'Name it'}: ${cluster.name ?? cluster.id}`}
              data-testid="rename"
            >
              {cluster.name ? 'Rename' : 'Name it'}
            </button>
          </>
        ) : null}
      </span>
    );
  }
  return (
    <form onSubmit={save} className="inline-form">
      <label htmlFor={inputId} className="visually-hidden">
        Name of {cluster.id}
      </label>
      <input id={inputId} value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required />
      <button type="submit" disabled={busy} data-testid="save-name">
        Save
      </button>
      <button type="button" className="secondary" onClick={() => setEditing(false)}>
        Cancel
      </button>
      <Problem error={error} />
    </form>
  );
}

function Distinguishing({ model }: { model: ClusterModelSummary }) {
  // The features whose centres differ most across clusters, in model order within that choice.
  const spread = model.featureNames.map((feature, j) => ({
    feature,
    j,
    most: Math.max(...model.clusters.map((c) => Math.abs(c.centre[j] ?? 0))),
  }));
  const chosen = [...spread]
    .sort((a, b) => b.most - a.most)
    .slice(0, HEAT_MAP_FEATURES)
    .sort((a, b) => a.j - b.j);
  const columns = model.clusters.map(clusterLabel);
  const values = chosen.map(({ j }) => model.clusters.map((c) => c.centre[j] ?? 0));
  return (
    <section aria-labelledby="apart-title">
      <h2 id="apart-title">What sets each apart</h2>
      <p className="note">
        Each cell is the cluster’s centre in standard deviations from the bank’s average (capped at ±3): the{' '}
        {chosen.length} features that differ most between clusters.
      </p>
      <HeatMap
        title="Features by cluster, standardised"
        rows={chosen.map(({ feature }) => featureLabel(feature))}
        columns={columns}
        values={values}
        testId="heat-map"
      />
      <details>
        <summary>The heat map as a table</summary>
        <DataTable label="Cluster centres">
          <caption>Centres in standard deviations from the average</caption>
          <thead>
            <tr>
              <th scope="col">Feature</th>
              {columns.map((column) => (
                <th scope="col" key={column}>
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {chosen.map(({ feature }, r) => (
              <tr key={feature}>
                <th scope="row">{featureLabel(feature)}</th>
                {values[r]?.map((v, c) => (
                  <td key={columns[c]}>{signed(v)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </DataTable>
      </details>
    </section>
  );
}

function Projection({ model }: { model: ClusterModelSummary }) {
  const { axes, points } = model.projection;
  const axisLabel = (axis: (typeof axes)[number], n: number) =>
    `Axis ${n} (${percent(axis.explained, 0)} of the spread): ${axis.loadings
      .map((l) => `${l.weight >= 0 ? '+' : '−'}${featureLabel(l.feature)}`)
      .join(', ')}`;
  const byId = new Map(model.clusters.map((c) => [c.id, c]));
  return (
    <section aria-labelledby="projection-title">
      <h2 id="projection-title">Where the clusters lie</h2>
      <p className="note">
        The cluster centres on the two directions along which they differ most (principal components, weighted by size):
        near means alike. Circle area follows the cluster’s size.
      </p>
      <Scatter
        title="Cluster centres projected to two dimensions"
        testId="projection"
        xLabel={axes[0] ? `Axis 1 (${percent(axes[0].explained, 0)} of the spread)` : ''}
        yLabel={axes[1] ? `Axis 2 (${percent(axes[1].explained, 0)})` : ''}
        points={points.map((p) => {
          const cluster = byId.get(p.id);
          return { ...p, label: cluster ? clusterLabel(cluster) : p.id, size: cluster?.size ?? 0 };
        })}
      />
      <ul className="note axis-notes">
        {axes.map((axis, i) => (
          <li key={axisLabel(axis, i + 1)}>{axisLabel(axis, i + 1)}</li>
        ))}
      </ul>
    </section>
  );
}

function Retrain({ onTrained }: { onTrained(result: ClusterTrainingResult): Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [k, setK] = useState('');
  const train = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onTrained(
        await api<ClusterTrainingResult>('POST', '/v1/admin/clusters/train', k ? { k: Number(k) } : undefined),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="retrain-title">
      <h2 id="retrain-title">Retrain</h2>
      <p className="note">
        Trains a new model on every customer as of now and makes it the active one. Clusters that stay where they were
        keep their ids and names.
      </p>
      <form onSubmit={train} className="filters">
        <label htmlFor="retrain-k">Number of clusters (empty: chosen by silhouette)</label>
        <input id="retrain-k" type="number" min={1} max={50} value={k} onChange={(e) => setK(e.target.value)} />
        <button type="submit" disabled={busy} data-testid="retrain">
          {busy ? 'Training…' : 'Retrain now'}
        </button>
      </form>
      <Problem error={error} />
    </section>
  );
}

function TrainingComparison({ result }: { result: ClusterTrainingResult }) {
  const comparison = result.comparison;
  if (!comparison) return null;
  const list = (ids: readonly string[]) => (ids.length ? ids.join(', ') : 'none');
  return (
    <section aria-labelledby="comparison-title" data-testid="training-comparison">
      <h2 id="comparison-title">
        v{result.model.version} compared with v{comparison.previousVersion}
      </h2>
      <dl className="facts">
        <dt>Agreement</dt>
        <dd>
          adjusted Rand index {comparison.adjustedRandIndex.toFixed(3)} (1: the same grouping, about 0: no more alike
          than chance)
        </dd>
        <dt>Customers moved</dt>
        <dd>
          {comparison.customersMoved.toLocaleString('en')} of {comparison.customersCompared.toLocaleString('en')}
        </dd>
        <dt>Kept</dt>
        <dd>{list(comparison.kept)}</dd>
        <dt>New</dt>
        <dd>{list(comparison.added)}</dd>
        <dt>Gone</dt>
        <dd>{list(comparison.gone)}</dd>
      </dl>
    </section>
  );
}

/** Sizes now and in the model before, by cluster id: what retraining kept, added and dropped. */
function VersionComparison({ model, previous }: { model: ClusterModelSummary; previous: ClusterModelSummary }) {
  const before = new Map(previous.clusters.map((c) => [c.id, c]));
  const now = new Set(model.clusters.map((c) => c.id));
  const gone = previous.clusters.filter((c) => !now.has(c.id));
  return (
    <section aria-labelledby="versions-title" data-testid="version-comparison">
      <h2 id="versions-title">Compared with the model before (v{previous.version})</h2>
      <DataTable label="Customers per cluster, before and now">
        <caption>Customers per cluster in v{previous.version} and now</caption>
        <thead>
          <tr>
            <th scope="col">Cluster</th>
            <th scope="col">v{previous.version}</th>
            <th scope="col">v{model.version}</th>
          </tr>
        </thead>
        <tbody>
          {model.clusters.map((c) => (
            <tr key={c.id}>
              <th scope="row">{clusterLabel(c)}</th>
              <td>{before.get(c.id)?.size.toLocaleString('en') ?? 'new'}</td>
              <td>{c.size.toLocaleString('en')}</td>
            </tr>
          ))}
          {gone.map((c) => (
            <tr key={c.id}>
              <th scope="row">{clusterLabel(c)}</th>
              <td>{c.size.toLocaleString('en')}</td>
              <td>gone</td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </section>
  );
}
