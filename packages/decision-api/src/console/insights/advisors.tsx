import { useCallback, useEffect, useState } from 'react';
import type { AdvisorKpis, AdvisorOutcomeKind, AdvisorQueue } from '../../contract/advisors.js';
import { api, percent, type StaffMember } from '../api.js';
import { Heading, Problem } from '../page-parts.js';
import { DataTable } from '../table.js';

const OUTCOMES: ReadonlyArray<readonly [AdvisorOutcomeKind, string]> = [
  ['contacted', 'Contacted'],
  ['not_reached', 'Not reached'],
  ['not_relevant', 'Not relevant'],
  ['sold', 'Sold'],
];
const outcomeLabel = (outcome: string) => OUTCOMES.find(([kind]) => kind === outcome)?.[1] ?? outcome;
const words = (slug: string) => slug.replaceAll('_', ' ');

type Entry = AdvisorQueue['entries'][number];
const keyOf = (entry: { customerId: string; product: string }) => `${entry.customerId}|${entry.product}`;

/**
 * The advisor's next customers, best lead first, with the reason in words and one click per outcome. After an outcome
 * the queue is read again: a customer reached rests for the cool-down and leaves it; one not reached stays, marked.
 */
export function AdvisorQueuePage({ staff }: { staff: StaffMember }) {
  const [queue, setQueue] = useState<AdvisorQueue | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [recorded, setRecorded] = useState<Record<string, AdvisorOutcomeKind>>({});
  const [status, setStatus] = useState('');

  // An advisor's token names their branch; an admin without one names the branch to look at.
  const [branchInput, setBranchInput] = useState('');
  const [branch, setBranch] = useState<string | null>(staff.branch);
  const load = useCallback(async () => {
    if (!branch) return;
    const query = branch === staff.branch ? '' : `?branch=${encodeURIComponent(branch)}`;
    await api<AdvisorQueue>('GET', `/v1/advisor/queue${query}`)
      .then((body) => {
        setQueue(body);
        setError(null);
      })
      .catch(setError);
  }, [branch, staff.branch]);
  useEffect(() => {
    load();
  }, [load]);

  const record = async (entry: Entry, outcome: AdvisorOutcomeKind) => {
    setBusy(keyOf(entry));
    setActionError(null);
    try {
      await api('POST', '/v1/advisor/outcomes', {
        id: crypto.randomUUID(),
        customerId: entry.customerId,
        product: entry.product,
        outcome,
      });
      setRecorded((current) => ({ ...current, [keyOf(entry)]: outcome }));
      setStatus(
        `Recorded ${outcomeLabel(outcome).toLowerCase()} for ${entry.customerId} about ${words(entry.product)}.`,
      );
      await load();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  };

  const excluded = Object.entries(queue?.excluded ?? {}).filter(([, n]) => n > 0);
  return (
    <Heading title="Your next customers">
      <p>
        {staff.branch ? `Branch ${staff.branch}. ` : ''}Best lead first; record what came of each call with one click.
      </p>
      {staff.branch ? null : (
        <form
          className="filters"
          onSubmit={(event) => {
            event.preventDefault();
            setBranch(branchInput.trim() || null);
          }}
        >
          <label htmlFor="queue-branch">Branch</label>
          <input id="queue-branch" value={branchInput} onChange={(e) => setBranchInput(e.target.value)} />
          <button type="submit">Show its queue</button>
        </form>
      )}
      <p role="status" className="ok" data-testid="outcome-status">
        {status}
      </p>
      <Problem error={error} />
      <Problem error={actionError} />
      {queue === null && !error && branch ? <p>Loading…</p> : null}
      {queue?.entries.length === 0 ? <p data-testid="queue-empty">Nobody to contact right now.</p> : null}
      {queue?.entries.length ? (
        <DataTable label="Advisor queue" className="queue" testId="advisor-queue">
          <caption>
            {queue.entries.length} customers in {queue.branch}’s queue, as of{' '}
            {new Date(queue.generatedAt).toLocaleString('en-GB')}
          </caption>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Product</th>
              <th scope="col">Why now</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {queue.entries.map((entry) => {
              const key = keyOf(entry);
              const last = recorded[key];
              return (
                <tr key={key} data-testid="queue-entry" data-customer={entry.customerId}>
                  <th scope="row">{entry.customerId}</th>
                  <td>
                    {words(entry.product)}
                    <br />
                    <small>
                      {entry.stage} · score {entry.score.toFixed(2)}
                    </small>
                  </td>
                  <td>
                    {entry.reason}
                    {last ? (
                      <>
                        <br />
                        <small data-testid="last-outcome">Last: {outcomeLabel(last).toLowerCase()}</small>
                      </>
                    ) : null}
                  </td>
                  <td>
                    <div className="buttons outcome-buttons">
                      {OUTCOMES.map(([outcome, label]) => (
                        <button
                          key={outcome}
                          type="button"
                          className={outcome === 'sold' ? undefined : 'secondary'}
                          disabled={busy !== null}
                          onClick={() => record(entry, outcome)}
                          aria-label={`${label}: ${entry.customerId}, ${words(entry.product)}`}
                          data-testid={`outcome-${outcome}`}
                        >
                          {label}
                        </button>
                      ))}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </DataTable>
      ) : null}
      {excluded.length ? (
        <details>
          <summary>Kept out by the contact policy</summary>
          <ul>
            {excluded.map(([rule, n]) => (
              <li key={rule}>
                {words(rule)}: {n}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </Heading>
  );
}

/** Staff's view of how advisors act on their queues: the action rate per advisor and per branch. */
export function AdvisorRatesPage() {
  const [days, setDays] = useState('30');
  const [kpis, setKpis] = useState<AdvisorKpis | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<AdvisorKpis>('GET', `/v1/admin/kpis/advisors?days=${encodeURIComponent(days)}`)
      .then((body) => {
        setKpis(body);
        setError(null);
      })
      .catch(setError);
  }, [days]);

  return (
    <Heading title="Advisor action rate">
      <div className="filters">
        <label htmlFor="advisor-days">Period</label>
        <select id="advisor-days" value={days} onChange={(e) => setDays(e.target.value)}>
          <option value="7">last 7 days</option>
          <option value="30">last 30 days</option>
          <option value="90">last 90 days</option>
        </select>
      </div>
      <Problem error={error} />
      {kpis === null && !error ? <p>Loading…</p> : null}
      {kpis ? (
        <>
          <p className="note">
            A customer shown in an advisor’s queue counts once per {kpis.actionWindowDays}-day window; the advisor acted
            when they recorded an outcome within it. Action rate = acted ÷ (shown − still open).
          </p>
          <RateTable
            caption="Per advisor"
            testId="rates-advisors"
            first="Advisor"
            rows={kpis.advisors.map(({ advisorId, ...rest }) => ({ name: advisorId, ...rest }))}
          />
          <RateTable
            caption="Per branch"
            testId="rates-branches"
            first="Branch"
            rows={kpis.branches.map(({ branch, ...rest }) => ({ name: branch, ...rest }))}
          />
        </>
      ) : null}
    </Heading>
  );
}

type RateRow = Omit<AdvisorKpis['advisors'][number], 'advisorId'> & { name: string };

function RateTable({
  caption,
  first,
  rows,
  testId,
}: {
  caption: string;
  first: string;
  rows: readonly RateRow[];
  testId: string;
}) {
  return (
    <DataTable label={caption} testId={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{first}</th>
          <th scope="col">Shown</th>
          <th scope="col">Acted</th>
          <th scope="col">Still open</th>
          <th scope="col">Action rate</th>
          {OUTCOMES.map(([kind, label]) => (
            <th scope="col" key={kind}>
              {label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={5 + OUTCOMES.length}>Nothing in this period.</td>
          </tr>
        ) : null}
        {rows.map((row) => (
          <tr key={row.name}>
            <th scope="row">{row.name}</th>
            <td>{row.presented}</td>
            <td>{row.acted}</td>
            <td>{row.pending}</td>
            <td>
              {row.actionRate === null ? (
                '—'
              ) : (
                <>
                  <svg viewBox="0 0 100 8" className="share" aria-hidden="true">
                    <rect x={0} y={0} width={100} height={8} className="track" />
                    <rect x={0} y={0} width={Math.max(1, row.actionRate * 100)} height={8} className="fill" />
                  </svg>{' '}
                  {percent(row.actionRate, 0)}
                </>
              )}
            </td>
            {OUTCOMES.map(([kind]) => (
              <td key={kind}>{row.outcomes[kind] ?? 0}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}
