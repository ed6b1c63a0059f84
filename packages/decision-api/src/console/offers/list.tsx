import { useEffect, useState } from 'react';
import type { OfferList as OfferListBody } from '../../contract/index.js';
import { api, can, type StaffMember } from '../api.js';
import { Heading, Problem } from '../page-parts.js';
import { DataTable } from '../table.js';

/** Every offer: what is live, and any change on its way through approval. */
export function OfferList({ staff }: { staff: StaffMember }) {
  const [body, setBody] = useState<OfferListBody | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<OfferListBody>('GET', '/v1/admin/offers').then(setBody).catch(setError);
  }, []);

  return (
    <Heading title="Offers">
      {can(staff, 'marketer') ? (
        <p>
          <a className="button" href="#/offers/new" data-testid="new-offer">
            Write a new offer
          </a>
        </p>
      ) : null}
      <Problem error={error} />
      {body === null && !error ? <p>Loading…</p> : null}
      {body ? (
        <DataTable label="Offers in the catalog" testId="offers">
          <caption>Catalog {body.catalog.version}: live versions and changes under way</caption>
          <thead>
            <tr>
              <th scope="col">Offer</th>
              <th scope="col">Headline (English)</th>
              <th scope="col">Product</th>
              <th scope="col">Live version</th>
              <th scope="col">Change under way</th>
            </tr>
          </thead>
          <tbody>
            {body.offers.map((offer) => (
              <tr key={offer.id} data-offer={offer.id}>
                <th scope="row">
                  <a href={`#/offers/${offer.id}`}>{offer.id}</a>
                </th>
                <td>{offer.headline}</td>
                <td>{offer.product ?? 'house offer'}</td>
                <td>{offer.liveVersion ?? 'not live'}</td>
                <td>
                  {offer.draft ? (
                    <>
                      <span className={`status status-${offer.draft.status}`}>{offer.draft.status}</span> version{' '}
                      {offer.draft.version} by {offer.draft.authors.join(', ')}
                    </>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      ) : null}
    </Heading>
  );
}
