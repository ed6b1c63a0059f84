import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { OfferKpis } from '../../contract/kpis.js';
import { api, percent } from '../api.js';
import { Heading, Problem } from '../page-parts.js';
import { DataTable } from '../table.js';
import { ColumnChart, LineChart } from './charts.js';

type Filters = { from: string; to: string; offer: string; cluster: string; stage: string; placement: string };
const EMPTY: Filters = { from: '', to: '', offer: '', cluster: '', stage: '', placement: '' };

const COUNTS = [
  ['impressions', 'Impressions (served)'],
  ['viewableImpressions', 'Viewable impressions'],
  ['clicks', 'Clicks'],
  ['dismissals', 'Dismissals'],
  ['conversions', 'Conversions'],
] as const;

const whole = (value: number) => Math.round(value).toLocaleString('en');
const rate = (value: number | null) => (value === null ? '—' : percent(value, 2));

/** Offer KPIs over time with filters, the breakdown by offer × cluster × stage × placement, and contact pressure. */
export function KpiPage() {
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [kpis, setKpis] = useState<OfferKpis | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async (wanted: Filters) => {
    const query = new URLSearchParams(Object.entries(wanted).filter(([, value]) => value !== ''));
    try {
      const body = await api<OfferKpis>('GET', `/v1/admin/kpis/offers${query.toString() ? `?${query}` : ''}`);
      setKpis(body);
      setError(null);
      // The period the API chose, shown in the form.
      setFilters((current) => ({ ...current, from: body.from, to: body.to }));
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => {
    load(applied);
  }, [load, applied]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setApplied({ ...filters });
  };
  const set = (key: keyof Filters) => (event: { target: { value: string } }) =>
    setFilters((current) => ({ ...current, [key]: event.target.value }));
  const clusterName = (id: string) => (kpis?.clusterNames[id] ? `${kpis.clusterNames[id]} (${id})` : id);

  return (
    <Heading title="Offer KPIs">
      <form className="filters kpi-filters" onSubmit={submit} aria-label="KPI filters">
        <label htmlFor="kpi-from">From</label>
        <input id="kpi-from" type="date" value={filters.from} onChange={set('from')} />
        <label htmlFor="kpi-to">To</label>
        <input id="kpi-to" type="date" value={filters.to} onChange={set('to')} />
        <Choice
          id="kpi-offer"
          label="Offer"
          value={filters.offer}
          onChange={set('offer')}
          options={kpis?.dimensions.offers}
        />
        <Choice
          id="kpi-cluster"
          label="Cluster"
          value={filters.cluster}
          onChange={set('cluster')}
          options={kpis?.dimensions.clusters}
          name={(id) => (id === 'none' ? 'no cluster known' : clusterName(id))}
        />
        <Choice
          id="kpi-stage"
          label="Stage"
          value={filters.stage}
          onChange={set('stage')}
          options={kpis?.dimensions.stages}
        />
        <Choice
          id="kpi-placement"
          label="Placement"
          value={filters.placement}
          onChange={set('placement')}
          options={kpis?.dimensions.placements}
        />
        <button type="submit" data-testid="apply-filters">
          Show
        </button>
      </form>
      <Problem error={error} />
      {kpis === null && !error ? <p>Loading…</p> : null}
      {kpis ? <Report kpis={kpis} clusterName={clusterName} /> : null}
    </Heading>
  );
}

function Choice({
  id,
  label,
  value,
  onChange,
  options = [],
  name = (v) => v,
}: {
  id: string;
  label: string;
  value: string;
  onChange(event: { target: { value: string } }): void;
  options?: readonly string[] | undefined;
  name?: (value: string) => string;
}) {
  // A value chosen before stays listed even when the period no longer has it.
  const values = value && !options.includes(value) ? [...options, value] : options;
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={onChange}>
        <option value="">all</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {name(v)}
          </option>
        ))}
      </select>
    </>
  );
}

function Report({ kpis, clusterName }: { kpis: OfferKpis; clusterName(id: string): string }) {
  const days = kpis.days.map((d) => d.day);
  const { totals } = kpis;
  const breakdown = summed(kpis.rows);
  const pressure = kpis.contactPressure;
  return (
    <>
      <section aria-labelledby="totals-title">
        <h2 id="totals-title">
          {kpis.from} to {kpis.to}
        </h2>
        <dl className="kpi-totals" data-testid="kpi-totals">
          {COUNTS.map(([key, label]) => (
            <div key={key}>
              <dt>{label}</dt>
              <dd data-testid={`total-${key}`}>{whole(totals[key])}</dd>
            </div>
          ))}
          <div>
            <dt>Click-through</dt>
            <dd data-testid="total-clickThrough">{rate(totals.clickThrough)}</dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="over-time-title">
        <h2 id="over-time-title">Over time</h2>
        <LineChart
          title="Impressions, viewable impressions, clicks, dismissals and conversions per day"
          testId="kpi-counts-chart"
          days={days}
          format={whole}
          floor={2}
          series={COUNTS.map(([key, label]) => ({ key, label, values: kpis.days.map((d) => d[key]) }))}
        />
        <LineChart
          title="Click-through per day (clicks ÷ viewable impressions)"
          testId="kpi-ctr-chart"
          days={days}
          format={(v) => percent(v, 1)}
          series={[{ key: 'ctr', label: 'Click-through', values: kpis.days.map((d) => d.clickThrough) }]}
        />
      </section>

      <section aria-labelledby="breakdown-title">
        <h2 id="breakdown-title">By offer, cluster, stage and placement</h2>
        {breakdown.length === 0 ? (
          <p>No offer was served or seen in this period.</p>
        ) : (
          <DataTable label="Offer KPIs for the period" testId="kpi-breakdown" className="breakdown">
            <caption>The period summed, most impressions first</caption>
            <thead>
              <tr>
                <th scope="col">Offer</th>
                <th scope="col">Cluster</th>
                <th scope="col">Stage</th>
                <th scope="col">Placement</th>
                <th scope="col">Impressions</th>
                <th scope="col">Viewable</th>
                <th scope="col">Clicks</th>
                <th scope="col">Click-through</th>
                <th scope="col">Dismissals</th>
                <th scope="col">Conversions</th>
              </tr>
            </thead>
            <tbody>
              {breakdown.map((row) => (
                <tr key={row.key}>
                  <th scope="row">{row.offerId}</th>
                  <td>{row.cluster ? clusterName(row.cluster) : '—'}</td>
                  <td>{row.stage ?? '—'}</td>
                  <td>{row.placement ?? '—'}</td>
                  <td>{whole(row.impressions)}</td>
                  <td>{whole(row.viewableImpressions)}</td>
                  <td>{whole(row.clicks)}</td>
                  <td>{rate(row.viewableImpressions > 0 ? row.clicks / row.viewableImpressions : null)}</td>
                  <td>{whole(row.dismissals)}</td>
                  <td>{whole(row.conversions)}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        )}
      </section>

      <section aria-labelledby="pressure-title" data-testid="contact-pressure">
        <h2 id="pressure-title">Contact pressure this week</h2>
        <p>
          <strong data-testid="reached-cap">{pressure.reachedCap.toLocaleString('en')}</strong> of{' '}
          {pressure.customers.toLocaleString('en')} customers (
          {percent(pressure.customers ? pressure.reachedCap / pressure.customers : 0)}) reached the weekly cap of{' '}
          {pressure.cap} contacts in the seven days before {new Date(pressure.asOf).toLocaleString('en-GB')}. Contacts
          are viewable impressions of product offers and advisors reaching the customer; the filters above do not apply
          here.
        </p>
        <ColumnChart
          title="Customers by contacts in the last seven days"
          testId="pressure-chart"
          bars={pressure.distribution.map((b) => ({
            label: b.contacts === pressure.cap ? `${b.contacts}+ (cap)` : String(b.contacts),
            value: b.customers,
            highlight: b.contacts === pressure.cap,
          }))}
        />
      </section>
    </>
  );
}

type Row = OfferKpis['rows'][number];

/** The period's rows summed per offer × cluster × stage × placement, most impressions first. */
function summed(rows: readonly Row[]) {
  const byKey = new Map<string, Omit<Row, 'day' | 'clickThrough'> & { key: string }>();
  for (const row of rows) {
    const key = [row.offerId, row.cluster, row.stage, row.placement].join('|');
    const entry = byKey.get(key) ?? {
      key,
      offerId: row.offerId,
      cluster: row.cluster,
      stage: row.stage,
      placement: row.placement,
      impressions: 0,
      viewableImpressions: 0,
      clicks: 0,
      dismissals: 0,
      conversions: 0,
    };
    for (const [metric] of COUNTS) entry[metric] += row[metric];
    byKey.set(key, entry);
  }
  return [...byKey.values()].sort(
    (a, b) => b.impressions - a.impressions || b.viewableImpressions - a.viewableImpressions,
  );
}
