import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { Experiment, ExperimentResults, PowerPlan } from '../../contract/index.js';
import { api, can, percent, points, type StaffMember } from '../api.js';
import { Heading, Problem } from '../page-parts.js';
import { IntervalPlot, RatePlot } from '../plots.js';
import { DataTable } from '../table.js';
import { label } from '../vocabulary.js';

interface Loaded {
  experiment: Experiment;
  plan: PowerPlan | null;
  events: Array<{ at: string; staffId: string; action: string; detail: unknown }>;
}

/** One experiment: its hypothesis, the lifecycle actions the staff member may take, its history and results. */
export function ExperimentDetail({ id, staff }: { id: string; staff: StaffMember }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    () => api<Loaded>('GET', `/v1/admin/experiments/${id}`).then(setLoaded).catch(setError),
    [id],
  );
  useEffect(() => {
    load();
  }, [load]);

  const act = async (path: string, body?: unknown) => {
    setBusy(true);
    setActionError(null);
    try {
      await api('POST', `/v1/admin/experiments/${id}/${path}`, body);
      await load();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  if (!loaded) {
    return (
      <Heading title="Experiment">
        <Problem error={error} />
        {error ? null : <p>Loading…</p>}
      </Heading>
    );
  }
  const { experiment, plan, events } = loaded;
  const { hypothesis } = experiment;
  const isAuthor = experiment.createdBy === staff.id;

  return (
    <Heading title={experiment.name}>
      <p>
        <span className={`status status-${experiment.status}`} data-testid="status">
          {experiment.status}
        </span>{' '}
        written by {experiment.createdBy}
        {experiment.approvedBy ? `, approved by ${experiment.approvedBy}` : ''}
      </p>
      <section aria-labelledby="hypothesis-title">
        <h2 id="hypothesis-title">Hypothesis</h2>
        <dl className="facts">
          <dt>Change</dt>
          <dd>{hypothesis.change}</dd>
          <dt>Why</dt>
          <dd>{hypothesis.rationale}</dd>
          <dt>Principle</dt>
          <dd>{label(hypothesis.principle)}</dd>
          <dt>Audience</dt>
          <dd>
            {hypothesis.audience.placements.join(', ')}
            {hypothesis.audience.channels.length ? ` · ${hypothesis.audience.channels.join(', ')}` : ' · both channels'}
          </dd>
          <dt>Primary metric</dt>
          <dd>
            {label(hypothesis.primaryMetric)}, {hypothesis.direction} by at least {points(hypothesis.minimumEffect)}
          </dd>
          <dt>Arms</dt>
          <dd>
            {experiment.arms
              .map(
                (arm) => `${arm.name}${arm.offer ? ` (${arm.offer}${arm.lever ? `, lever ${arm.lever}` : ''})` : ''}`,
              )
              .join(' · ')}
          </dd>
        </dl>
        {plan ? (
          <p className={plan.feasible ? 'ok' : 'warn'}>
            Power plan: {plan.samplePerArm.toLocaleString('en')} customers per arm. {plan.reason}
          </p>
        ) : null}
      </section>

      <section aria-labelledby="actions-title" className="actions">
        <h2 id="actions-title">What you can do</h2>
        <Actions experiment={experiment} staff={staff} isAuthor={isAuthor} busy={busy} act={act} />
        <Problem error={actionError} />
      </section>

      {experiment.status === 'running' || experiment.status === 'stopped' ? <Results id={id} /> : null}

      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <ol className="history">
          {events.map((event) => (
            <li key={`${event.at}-${event.action}`}>
              <time dateTime={event.at}>{new Date(event.at).toLocaleString('en-GB')}</time> {event.staffId}:{' '}
              {event.action}
            </li>
          ))}
        </ol>
      </section>
    </Heading>
  );
}

function Actions({
  experiment,
  staff,
  isAuthor,
  busy,
  act,
}: {
  experiment: Experiment;
  staff: StaffMember;
  isAuthor: boolean;
  busy: boolean;
  act(path: string, body?: unknown): Promise<void>;
}) {
  const [decision, setDecision] = useState('inconclusive');
  const [note, setNote] = useState('');
  const buttons: React.ReactNode[] = [];
  if (experiment.status === 'draft' && can(staff, 'approver')) {
    buttons.push(
      isAuthor ? (
        <p key="four-eyes">You wrote this draft: another approver must approve it.</p>
      ) : (
        <button key="approve" type="button" disabled={busy} onClick={() => act('approve')} data-testid="approve">
          Approve
        </button>
      ),
    );
  }
  if ((experiment.status === 'draft' || experiment.status === 'approved') && can(staff, 'marketer', 'approver')) {
    buttons.push(
      <button key="start" type="button" disabled={busy} onClick={() => act('start')} data-testid="start">
        Start
      </button>,
    );
  }
  if (experiment.status === 'running' && can(staff, 'marketer', 'approver')) {
    const stop = (event: FormEvent) => {
      event.preventDefault();
      act('stop', { decision, ...(note.trim() ? { note } : {}) });
    };
    buttons.push(
      <form key="stop" onSubmit={stop} className="stop">
        <label htmlFor="stop-decision">Decision</label>
        <select id="stop-decision" value={decision} onChange={(e) => setDecision(e.target.value)}>
          <option value="ship_variant">ship the variant</option>
          <option value="keep_control">keep control</option>
          <option value="inconclusive">inconclusive</option>
        </select>
        <label htmlFor="stop-note">Note</label>
        <input id="stop-note" value={note} onChange={(e) => setNote(e.target.value)} />
        <button type="submit" disabled={busy} data-testid="stop">
          Stop with this decision
        </button>
      </form>,
    );
  }
  if (buttons.length === 0) return <p data-testid="no-actions">Nothing to change here with your role.</p>;
  return <div className="buttons">{buttons}</div>;
}

function Results({ id }: { id: string }) {
  const [results, setResults] = useState<ExperimentResults | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<ExperimentResults>('GET', `/v1/admin/experiments/${id}/results`).then(setResults).catch(setError);
  }, [id]);
  if (!results) return <Problem error={error} />;
  const variants = results.arms.slice(1).filter((arm) => arm.absoluteLiftInterval && arm.absoluteLift !== null);
  const name = (armId: string) => results.experiment.arms.find((arm) => arm.id === armId)?.name ?? armId;
  return (
    <section aria-labelledby="results-title" data-testid="results">
      <h2 id="results-title">Results</h2>
      {results.sampleRatio.mismatch ? (
        <p className="warn">
          Sample-ratio mismatch (p = {results.sampleRatio.pValue.toPrecision(2)}): the arms did not get the traffic they
          should have; do not trust these numbers before that is explained.
        </p>
      ) : null}
      <p data-testid="conclusion">{results.conclusion}</p>
      <DataTable label={`${label(results.metric)} per customer, per arm`}>
        <caption>{label(results.metric)} per customer, per arm</caption>
        <thead>
          <tr>
            <th scope="col">Arm</th>
            <th scope="col">Customers</th>
            <th scope="col">Impressions</th>
            <th scope="col">Converted</th>
            <th scope="col">Rate per customer</th>
            <th scope="col">Lift (95 % interval)</th>
            <th scope="col">p at the end (Holm)</th>
            <th scope="col">Always-valid p (Holm)</th>
            <th scope="col">CUPED lift (95 %), variance removed</th>
          </tr>
        </thead>
        <tbody>
          {results.arms.map((arm) => (
            <tr key={arm.arm}>
              <th scope="row">{name(arm.arm)}</th>
              <td>{arm.units.toLocaleString('en')}</td>
              <td>{arm.impressions.toLocaleString('en')}</td>
              <td>{arm.conversions.toLocaleString('en')}</td>
              <td>{percent(arm.rate, 2)}</td>
              <td>
                {arm.absoluteLift === null || !arm.absoluteLiftInterval
                  ? '—'
                  : `${points(arm.absoluteLift, 2)} (${points(arm.absoluteLiftInterval.low, 2)} to ${points(arm.absoluteLiftInterval.high, 2)})`}
              </td>
              <td>{pair(arm.pValue, arm.adjustedPValue)}</td>
              <td>{pair(arm.alwaysValidPValue, arm.adjustedAlwaysValidPValue)}</td>
              <td>
                {arm.cuped
                  ? `${points(arm.cuped.lift, 2)} (${points(arm.cuped.interval.low, 2)} to ${points(arm.cuped.interval.high, 2)}), ${percent(arm.cuped.varianceReduction, 1)}`
                  : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
      {results.arms.slice(1).some((arm) => arm.guardrails.length > 0) ? (
        <DataTable label="Guardrails per customer" testId="guardrails">
          <caption>Guardrails per customer: non-inferiority against the margin</caption>
          <thead>
            <tr>
              <th scope="col">Arm</th>
              <th scope="col">Guardrail</th>
              <th scope="col">Value</th>
              <th scope="col">Increase (95 % upper bound)</th>
              <th scope="col">Margin</th>
              <th scope="col">p (Holm)</th>
              <th scope="col">Verdict</th>
            </tr>
          </thead>
          <tbody>
            {results.arms.slice(1).flatMap((arm) =>
              arm.guardrails.map((g) => (
                <tr key={`${arm.arm} ${g.metric}`}>
                  <th scope="row">{name(arm.arm)}</th>
                  <td>{g.metric === 'dismiss_rate' ? 'customers dismissing' : 'impressions per customer'}</td>
                  <td>{g.metric === 'dismiss_rate' ? percent(g.value, 1) : g.value.toFixed(2)}</td>
                  <td>
                    {g.increase === null
                      ? '—'
                      : `${g.increase.toFixed(3)} (${g.upperBound === null ? '—' : g.upperBound.toFixed(3)})`}
                  </td>
                  <td>{g.margin}</td>
                  <td>{pair(g.nonInferiorityPValue, g.adjustedPValue)}</td>
                  <td>{g.breached ? 'breached' : g.nonInferior ? 'within the margin' : 'not shown yet'}</td>
                </tr>
              )),
            )}
          </tbody>
        </DataTable>
      ) : null}
      <RatePlot
        rows={results.arms.map((arm) => ({ label: name(arm.arm), rate: arm.rate }))}
        format={(v) => percent(v, 2)}
      />
      <IntervalPlot
        title="Absolute lift over control, with 95 % intervals"
        format={(v) => points(v, 1)}
        rows={variants.map((arm) => ({
          label: name(arm.arm),
          estimate: arm.absoluteLift ?? 0,
          low: arm.absoluteLiftInterval?.low ?? 0,
          high: arm.absoluteLiftInterval?.high ?? 0,
        }))}
      />
      <details>
        <summary>Method</summary>
        <p>{results.method}</p>
        {results.cuped ? (
          <p>
            CUPED covariate: {results.cuped.covariate}; θ = {results.cuped.theta.toPrecision(3)}, correlation with the
            outcome {results.cuped.correlation.toFixed(2)}.
          </p>
        ) : (
          <p>CUPED: the customers had no differing activity before assignment, so there was nothing to adjust with.</p>
        )}
      </details>
    </section>
  );
}

/** A p-value with its adjusted value beside it. */
function pair(raw: number | null, adjusted: number | null): string {
  if (raw === null) return '—';
  return adjusted === null || adjusted === raw
    ? raw.toPrecision(2)
    : `${raw.toPrecision(2)} (${adjusted.toPrecision(2)})`;
}
