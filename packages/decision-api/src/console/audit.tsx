import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from './api.js';
import { Heading, Problem } from './page-parts.js';
import { DataTable } from './table.js';

interface Entry {
  id: number;
  at: string;
  staffId: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

/** The audit log: every change made by staff, newest first, a page at a time. */
export function AuditPage() {
  const [target, setTarget] = useState('');
  const [filter, setFilter] = useState('');
  const [entries, setEntries] = useState<Entry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async (forTarget: string, before: number | null) => {
    const query = new URLSearchParams({
      limit: '25',
      ...(forTarget ? { target: forTarget } : {}),
      ...(before ? { before: String(before) } : {}),
    });
    try {
      const page = await api<{ entries: Entry[]; next: number | null }>('GET', `/v1/admin/audit?${query}`);
      setEntries((previous) => (before ? [...previous, ...page.entries] : page.entries));
      setNext(page.next);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => {
    load(filter, null);
  }, [load, filter]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilter(target.trim());
  };

  return (
    <Heading title="Audit log">
      <form onSubmit={submit} className="filters">
        <label htmlFor="audit-target">Target</label>
        <input
          id="audit-target"
          placeholder="experiment:… or staff:…"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
        />
        <button type="submit">Filter</button>
      </form>
      <Problem error={error} />
      <DataTable label="Audit log" testId="audit">
        <caption>Changes made by staff, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Before and after</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td>
                <time dateTime={entry.at}>{new Date(entry.at).toLocaleString('en-GB')}</time>
              </td>
              <td>{entry.staffId}</td>
              <td>{entry.action}</td>
              <td>
                <button type="button" className="link" onClick={() => setTarget(entry.target)}>
                  {entry.target}
                </button>
              </td>
              <td>
                <details>
                  <summary>Show</summary>
                  <div className="diff">
                    <div>
                      <strong>Before</strong>
                      <pre>{JSON.stringify(entry.before, null, 2)}</pre>
                    </div>
                    <div>
                      <strong>After</strong>
                      <pre>{JSON.stringify(entry.after, null, 2)}</pre>
                    </div>
                  </div>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
      {next ? (
        <button type="button" className="secondary" onClick={() => load(filter, next)}>
          Older entries
        </button>
      ) : null}
    </Heading>
  );
}
