import { useEffect, useState } from 'react';
import type { Offer, OfferVersion, WhatIfReport } from '../../contract/index.js';
import { api } from '../api.js';
import { Problem } from '../page-parts.js';
import { offerDiff } from './offer-diff.js';
import { WhatIf } from './what-if.js';

const when = (iso: string) => new Date(iso).toLocaleString('en-GB', { timeZone: 'UTC' });
const MAX_COMMENT = 2000;

/** The draft beside the live version, part by part; parts and fields that did not change are folded away. */
export function VersionDiff({
  live,
  liveVersion,
  draft,
}: {
  live: Offer | null;
  liveVersion: number | null;
  draft: OfferVersion;
}) {
  const sections = offerDiff(live, draft.offer);
  const beforeName = live ? `Live (version ${liveVersion})` : 'Live (none: a new offer)';
  const afterName = `Draft (version ${draft.version})`;
  const rows = (fields: (typeof sections)[number]['fields']) => (
    <table className="review-diff">
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">{beforeName}</th>
          <th scope="col">{afterName}</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((f) => (
          <tr key={f.path} data-path={f.path} className={f.changed ? 'review-changed' : undefined}>
            <th scope="row">{f.label}</th>
            <td>{f.before ?? <em>absent</em>}</td>
            <td>{f.after ?? <em>absent</em>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  const changed = sections.reduce((n, s) => n + s.changed, 0);
  return (
    <div data-testid="diff">
      <p data-testid="diff-summary">
        {changed === 0
          ? 'Nothing differs from the live version.'
          : `${changed} ${changed === 1 ? 'field differs' : 'fields differ'} from the live version.`}
      </p>
      {sections.map((section) => {
        const differing = section.fields.filter((f) => f.changed);
        const same = section.fields.filter((f) => !f.changed);
        return (
          <section key={section.title} className="review-section" data-testid={`diff-${section.title}`}>
            <h4>
              {section.title}: {section.changed === 0 ? 'unchanged' : `${section.changed} changed`}
            </h4>
            {differing.length > 0 ? rows(differing) : null}
            {same.length > 0 ? (
              <details>
                <summary>
                  {same.length} unchanged {same.length === 1 ? 'field' : 'fields'}
                </summary>
                {rows(same)}
              </details>
            ) : null}
          </section>
        );
      })}
    </div>
  );
}

/** What reviewers said of the offer's versions, newest first, for the authors to read. */
export function ReviewComments({ versions }: { versions: readonly OfferVersion[] }) {
  const said = versions
    .flatMap((v) => v.reviews.map((review) => ({ version: v.version, status: v.status, review })))
    .sort((a, b) => (a.review.at < b.review.at ? 1 : a.review.at > b.review.at ? -1 : b.version - a.version));
  if (said.length === 0) return null;
  return (
    <section aria-labelledby="comments-title">
      <h2 id="comments-title">Review comments</h2>
      <ol className="review-comments" data-testid="review-comments">
        {said.map(({ version, review }) => (
          <li key={`${version}:${review.at}:${review.by}`} data-version={version} data-action={review.action}>
            <p className="review-comment-head">
              <strong>{review.action === 'reject' ? 'Rejected' : 'Sent back'}</strong> version {version} (revision{' '}
              {review.revision}) — {review.by}, {when(review.at)}
            </p>
            <blockquote>{review.comment}</blockquote>
          </li>
        ))}
      </ol>
    </section>
  );
}

/**
 * The approver's review of a submitted draft: what changes against the live version, what the change would do (the
 * what-if report), and only then the verdict: approve, reject with a comment, or send back with a comment.
 */
export function ReviewPanel({
  offerId,
  draft,
  live,
  liveVersion,
  busy,
  act,
}: {
  offerId: string;
  draft: OfferVersion;
  live: Offer | null;
  liveVersion: number | null;
  busy: boolean;
  act(method: string, path: string, body: unknown): Promise<void>;
}) {
  const [report, setReport] = useState<WhatIfReport | null>(null);
  const [reportError, setReportError] = useState<unknown>(null);
  const [comment, setComment] = useState('');
  useEffect(() => {
    setReport(null);
    setReportError(null);
    api<WhatIfReport>('GET', `/v1/admin/offers/${offerId}/versions/${draft.version}/what-if`)
      .then(setReport)
      .catch(setReportError);
  }, [offerId, draft.version]);

  const step = (name: string, body: Record<string, unknown> = {}) =>
    act('POST', `/drafts/${draft.version}/${name}`, { revision: draft.revision, ...body });
  const hasComment = comment.trim().length > 0;

  return (
    <section aria-labelledby="review-title" className="review" data-testid="review">
      <h2 id="review-title">Review version {draft.version}</h2>
      <h3>What changes</h3>
      <VersionDiff live={live} liveVersion={liveVersion} draft={draft} />
      <h3>What if it were published</h3>
      {report ? (
        <WhatIf report={report} />
      ) : reportError ? (
        <Problem error={reportError} />
      ) : (
        <p data-testid="what-if-loading">Replaying the draft on a sample of customers…</p>
      )}
      <h3>Your verdict</h3>
      <div className="review-verdict">
        <label htmlFor="review-comment">Comment (needed to reject or send back)</label>
        <textarea
          id="review-comment"
          data-testid="review-comment"
          rows={3}
          maxLength={MAX_COMMENT}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
        <div className="buttons">
          <button
            type="button"
            disabled={busy || (!report && !reportError)}
            onClick={() => step('approve')}
            data-testid="approve"
          >
            Approve
          </button>
          <button
            type="button"
            className="secondary"
            disabled={busy || !hasComment}
            onClick={() => step('send-back', { comment })}
            data-testid="send-back"
          >
            Send back for changes
          </button>
          <button
            type="button"
            className="secondary"
            disabled={busy || !hasComment}
            onClick={() => step('reject', { comment })}
            data-testid="reject"
          >
            Reject
          </button>
        </div>
      </div>
    </section>
  );
}
