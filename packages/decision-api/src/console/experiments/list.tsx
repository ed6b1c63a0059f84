import { useEffect, useState } from 'react';
import type { Experiment } from '../../contract/index.js';
import { api, can, type StaffMember } from '../api.js';
import { Heading, Problem } from '../page-parts.js';
import { DataTable } from '../table.js';

/** The registry: every experiment, newest first. */
export function ExperimentList({ staff }: { staff: StaffMember }) {
  const [experiments, setExperiments] = useState<Experiment[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<{ experiments: Experiment[] }>('GET', '/v1/admin/experiments')
      .then((body) => setExperiments(body.experiments))
      .catch(setError);
  }, []);

  return (
    <Heading title="Experiments">
      {can(staff, 'marketer') ? (
        <p>
          <a className="button" href="#/experiments/new" data-testid="new-experiment">
            Write a hypothesis
          </a>
        </p>
      ) : null}
      <Problem error={error} />
      {experiments === null && !error ? <p>Loading…</p> : null}
      {experiments?.length === 0 ? <p>No experiments yet.</p> : null}
      {experiments?.length ? (
        <DataTable label="The experiment registry" className="registry">
          <caption>The registry, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Principle</th>
              <th scope="col">Placements</th>
              <th scope="col">Written by</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {experiments.map((experiment) => (
              <tr key={experiment.id}>
                <th scope="row">
                  <a href={`#/experiments/${experiment.id}`}>{experiment.name}</a>
                </th>
                <td>
                  <span className={`status status-${experiment.status}`}>{experiment.status}</span>
                </td>
                <td>{experiment.hypothesis.principle.replaceAll('_', ' ')}</td>
                <td>{experiment.hypothesis.audience.placements.join(', ')}</td>
                <td>{experiment.createdBy}</td>
                <td>{experiment.decision?.replaceAll('_', ' ') ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      ) : null}
    </Heading>
  );
}
