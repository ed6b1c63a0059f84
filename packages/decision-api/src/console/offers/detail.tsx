import { useCallback, useEffect, useState } from 'react';
import type { CatalogOutline, Offer, OfferDetail, OfferList, OfferVersion } from '../../contract/index.js';
import { api, can, type StaffMember } from '../api.js';
import { Heading, Problem } from '../page-parts.js';
import { DataTable } from '../table.js';
import { go } from '../use-route.js';
import { label } from '../vocabulary.js';
import { OfferEditor } from './editor.js';
import { OfferPreview } from './offer-preview.js';
import { ReviewComments, ReviewPanel } from './review.js';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString('en-GB', { timeZone: 'UTC' }) : '—');

/**
 * One offer: the live version, the change under way with the steps the staff member's roles allow (submit, review,
 * publish), the review of a submitted draft (its diff and what-if report before the verdict), the reviewers' comments,
 * the editor, a preview in every placement size, and the version history with rollback.
 */
export function OfferPage({ id, staff }: { id: string; staff: StaffMember }) {
  const [loaded, setLoaded] = useState<OfferDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState(false);
  /** A rejected version the marketer starts again from, instead of the live offer. */
  const [startFrom, setStartFrom] = useState<OfferVersion | null>(null);

  const load = useCallback(
    () =>
      api<OfferDetail>('GET', `/v1/admin/offers/${id}`)
        .then((body) => {
          setLoaded(body);
          setError(null);
        })
        .catch(setError),
    [id],
  );
  useEffect(() => {
    load();
  }, [load]);

  const act = async (method: string, path: string, body: unknown) => {
    setBusy(true);
    setActionError(null);
    try {
      await api(method, `/v1/admin/offers/${id}${path}`, body);
      setEditing(false);
      setStartFrom(null);
      await load();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  if (!loaded) {
    return (
      <Heading title={`Offer ${id}`}>
        <Problem error={error} />
        {error ? null : <p>Loading…</p>}
      </Heading>
    );
  }
  const { draft, live, liveVersion, versions, catalog } = loaded;
  const shown = draft?.offer ?? live;
  const reviewing = draft?.status === 'submitted' && can(staff, 'approver') && !draft.authors.includes(staff.id);

  const save = async (offer: Offer) => {
    if (draft) {
      await api('PUT', `/v1/admin/offers/${id}/drafts/${draft.version}`, { revision: draft.revision, offer });
    } else {
      await api('POST', `/v1/admin/offers/${id}/drafts`, { baseVersion: liveVersion, offer });
    }
    setEditing(false);
    setStartFrom(null);
    await load();
  };

  return (
    <Heading title={`Offer ${id}`}>
      <p data-testid="offer-state">
        {liveVersion === null ? 'Not live yet.' : `Live: version ${liveVersion}.`}{' '}
        {draft ? (
          <>
            Under way: version {draft.version},{' '}
            <span className={`status status-${draft.status}`} data-testid="draft-status">
              {draft.status}
            </span>
          </>
        ) : (
          'No change under way.'
        )}
      </p>

      {draft ? (
        <section aria-labelledby="draft-title" className="actions">
          <h2 id="draft-title">The change under way</h2>
          <dl className="facts">
            <dt>Kind</dt>
            <dd>{draft.kind === 'rollback' ? `rollback to version ${draft.rollbackOf}` : draft.kind}</dd>
            <dt>Written by</dt>
            <dd data-testid="authors">{draft.authors.join(', ')}</dd>
            <dt>Submitted</dt>
            <dd>{draft.submittedBy ? `${draft.submittedBy}, ${when(draft.submittedAt)}` : '—'}</dd>
            <dt>Approved</dt>
            <dd>{draft.approvedBy ? `${draft.approvedBy}, ${when(draft.approvedAt)}` : '—'}</dd>
          </dl>
          <Steps draft={draft} staff={staff} busy={busy} act={act} onEdit={() => setEditing(true)} editing={editing} />
          {reviewing ? null : <Problem error={actionError} />}
        </section>
      ) : editing ? null : (
        <section aria-labelledby="change-title" className="actions">
          <h2 id="change-title">Change it</h2>
          {can(staff, 'marketer') ? (
            <button type="button" onClick={() => setEditing(true)} data-testid="write-change">
              Write a change
            </button>
          ) : null}
          {!can(staff, 'marketer') ? <p data-testid="no-actions">Marketers write changes.</p> : null}
          <Problem error={actionError} />
        </section>
      )}

      {reviewing && draft ? (
        <>
          <ReviewPanel offerId={id} draft={draft} live={live} liveVersion={liveVersion} busy={busy} act={act} />
          <Problem error={actionError} />
        </>
      ) : null}

      <ReviewComments versions={versions} />

      {editing && can(staff, 'marketer') ? (
        <section aria-labelledby="editor-title">
          <h2 id="editor-title">
            {draft
              ? `Edit version ${draft.version}`
              : startFrom
                ? `Write a change from rejected version ${startFrom.version}`
                : 'Write a change'}
          </h2>
          <OfferEditor
            key={startFrom?.version ?? 'shown'}
            offer={startFrom?.offer ?? shown}
            catalog={catalog}
            isNew={false}
            saveLabel={draft ? 'Save the draft' : 'Save as a draft'}
            onSave={save}
            onCancel={() => {
              setEditing(false);
              setStartFrom(null);
            }}
          />
        </section>
      ) : shown ? (
        <section aria-labelledby="preview-title">
          <h2 id="preview-title">{draft ? `Preview of version ${draft.version}` : 'Preview of the live offer'}</h2>
          <OfferFacts offer={shown} catalog={catalog} />
          <OfferPreview offer={shown} placements={catalog.placements} />
        </section>
      ) : null}

      <section aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        <DataTable label="Versions of the offer" testId="versions">
          <caption>Newest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Kind</th>
              <th scope="col">Headline (English)</th>
              <th scope="col">Written by</th>
              <th scope="col">Approved by</th>
              <th scope="col">Published</th>
              <th scope="col">
                <span className="visually-hidden">Rollback or start again</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => (
              <tr key={version.version} data-version={version.version}>
                <th scope="row">{version.version}</th>
                <td>
                  <span className={`status status-${version.status}`}>{version.status}</span>
                </td>
                <td>{version.kind === 'rollback' ? `rollback to ${version.rollbackOf}` : version.kind}</td>
                <td>{version.offer.content.en.headline}</td>
                <td>{version.authors.join(', ') || version.createdBy}</td>
                <td>{version.approvedBy ?? '—'}</td>
                <td>{version.publishedAt ? `${when(version.publishedAt)} by ${version.publishedBy}` : '—'}</td>
                <td>
                  {version.status === 'retired' &&
                  !draft &&
                  liveVersion !== null &&
                  can(staff, 'marketer', 'approver') ? (
                    <button
                      type="button"
                      className="secondary"
                      disabled={busy}
                      data-testid={`rollback-${version.version}`}
                      onClick={() => act('POST', '/rollback', { toVersion: version.version, baseVersion: liveVersion })}
                    >
                      Roll back to version {version.version}
                    </button>
                  ) : null}
                  {version.status === 'rejected' && !draft && !editing && can(staff, 'marketer') ? (
                    <button
                      type="button"
                      className="secondary"
                      data-testid={`start-from-${version.version}`}
                      onClick={() => {
                        setStartFrom(version);
                        setEditing(true);
                      }}
                    >
                      Start again from version {version.version}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      </section>
    </Heading>
  );
}

/** The steps toward live the staff member may take; four eyes: the draft's authors are never offered Approve. */
function Steps({
  draft,
  staff,
  busy,
  act,
  onEdit,
  editing,
}: {
  draft: OfferVersion;
  staff: StaffMember;
  busy: boolean;
  act(method: string, path: string, body: unknown): Promise<void>;
  onEdit(): void;
  editing: boolean;
}) {
  const step = (name: string) => act('POST', `/drafts/${draft.version}/${name}`, { revision: draft.revision });
  const buttons: React.ReactNode[] = [];
  if (can(staff, 'marketer') && !editing) {
    buttons.push(
      <button key="edit" type="button" className="secondary" disabled={busy} onClick={onEdit} data-testid="edit">
        Edit
      </button>,
    );
  }
  if (draft.status === 'draft' && can(staff, 'marketer', 'approver')) {
    buttons.push(
      <button key="submit" type="button" disabled={busy} onClick={() => step('submit')} data-testid="submit">
        Submit for approval
      </button>,
    );
  }
  if (draft.status === 'submitted' && can(staff, 'approver')) {
    buttons.push(
      draft.authors.includes(staff.id) ? (
        <p key="four-eyes" data-testid="four-eyes">
          You wrote this change: another approver must review it.
        </p>
      ) : (
        <p key="review" data-testid="review-below">
          Review it below: what changes and what it would do, then approve, reject or send it back.
        </p>
      ),
    );
  }
  if (draft.status === 'approved' && can(staff, 'approver')) {
    buttons.push(
      <button key="publish" type="button" disabled={busy} onClick={() => step('publish')} data-testid="publish">
        Publish
      </button>,
    );
  }
  if (buttons.length === 0) {
    return (
      <p data-testid="no-actions">
        {draft.status === 'submitted' || draft.status === 'approved'
          ? `Waiting for an approver to ${draft.status === 'submitted' ? 'approve' : 'publish'} it.`
          : 'Nothing to change here with your role.'}
      </p>
    );
  }
  return <div className="buttons">{buttons}</div>;
}

function OfferFacts({ offer, catalog }: { offer: Offer; catalog: CatalogOutline }) {
  const product = catalog.products.find((p) => p.id === offer.product);
  const rules = offer.rules ?? {};
  return (
    <dl className="facts" data-testid="offer-facts">
      <dt>Product</dt>
      <dd>{product ? product.name.en : 'house offer (any customer)'}</dd>
      <dt>Valid</dt>
      <dd>
        {offer.validFrom || offer.validTo
          ? `${when(offer.validFrom ?? null)} – ${when(offer.validTo ?? null)}`
          : 'always'}
      </dd>
      <dt>Channels · stages</dt>
      <dd>
        {offer.channels.join(', ')} · {offer.stages.length ? offer.stages.join(', ') : 'any stage'}
      </dd>
      <dt>Rules</dt>
      <dd>
        {[
          rules.minAge !== undefined ? `from ${rules.minAge}` : null,
          rules.maxAge !== undefined ? `to ${rules.maxAge}` : null,
          rules.requiresProducts?.length ? `holds ${rules.requiresProducts.join(', ')}` : null,
          rules.excludesProducts?.length ? `not holding ${rules.excludesProducts.join(', ')}` : null,
          rules.clusters?.length ? `clusters ${rules.clusters.join(', ')}` : null,
        ]
          .filter(Boolean)
          .join(' · ') || 'none'}
      </dd>
      <dt>Value · lever</dt>
      <dd>
        {offer.value} · {offer.lever}
      </dd>
      <dt>Principle</dt>
      <dd>{offer.principle ? label(offer.principle) : 'none named'}</dd>
    </dl>
  );
}

/** A new offer, written from nothing: once saved it is a draft like any other change. */
export function NewOfferPage() {
  const [catalog, setCatalog] = useState<CatalogOutline | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<OfferList>('GET', '/v1/admin/offers')
      .then((body) => setCatalog(body.catalog))
      .catch(setError);
  }, []);
  return (
    <Heading title="Write a new offer">
      <Problem error={error} />
      {catalog ? (
        <OfferEditor
          offer={null}
          catalog={catalog}
          isNew
          saveLabel="Save as a draft"
          onSave={async (offer) => {
            await api('POST', `/v1/admin/offers/${encodeURIComponent(offer.id)}/drafts`, { baseVersion: null, offer });
            go(`/offers/${offer.id}`);
          }}
        />
      ) : error ? null : (
        <p>Loading…</p>
      )}
    </Heading>
  );
}
