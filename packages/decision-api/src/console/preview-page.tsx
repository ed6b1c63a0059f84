import { Banner } from '@touchpoint/sdk-react';
import { adoptPageBannerStyles } from '@touchpoint/sdk-web/banner';
import { type FormEvent, useEffect, useId, useState } from 'react';
import type { JourneyStage, PreviewInputs, PreviewRequest, PreviewResponse } from '../contract/index.js';
import { api } from './api.js';
import { Heading, Problem } from './page-parts.js';
import { DataTable } from './table.js';

type Placement = PreviewResponse['previews'][number];
type Candidate = Placement['trace']['candidates'][number];

interface FormState {
  mode: 'customer' | 'synthetic';
  customerId: string;
  productsHeld: string[];
  /** Product → stage; absent: no journey. */
  stages: Record<string, string>;
  cluster: string;
  arrears: boolean;
  vulnerable: boolean;
  channel: 'netbank' | 'mobilebank';
  page: string;
  locale: 'da' | 'en';
  consent: 'granted' | 'pending' | 'denied';
  /** A local date and time (datetime-local); empty: now. */
  at: string;
  placements: string[];
}

const INITIAL: FormState = {
  mode: 'customer',
  customerId: '',
  productsHeld: [],
  stages: {},
  cluster: '',
  arrears: false,
  vulnerable: false,
  channel: 'netbank',
  page: '/dashboard',
  locale: 'en',
  consent: 'granted',
  at: '',
  placements: [],
};

function requestOf(form: FormState): PreviewRequest {
  const subject =
    form.mode === 'customer'
      ? { customerId: form.customerId.trim() }
      : {
          profile: {
            productsHeld: form.productsHeld,
            stages: form.stages as Record<string, JourneyStage>,
            ...(form.cluster ? { cluster: form.cluster } : {}),
            ...(form.arrears || form.vulnerable
              ? {
                  attributes: {
                    ...(form.arrears ? { arrears: true } : {}),
                    ...(form.vulnerable ? { vulnerable: true } : {}),
                  },
                }
              : {}),
          },
        };
  return {
    ...subject,
    context: { channel: form.channel, page: form.page, locale: form.locale, consent: form.consent },
    ...(form.at ? { at: new Date(form.at).toISOString() } : {}),
    placements: form.placements,
  };
}

/**
 * The preview: a real customer or a composed profile, the placements to decide, and each decision drawn as the banner
 * customers would see in that placement's size, with the whole trace. Each run is compared with the one before, so
 * changing one input shows what it changed. Nothing the preview does is stored.
 */
export function PreviewPage() {
  const [inputs, setInputs] = useState<PreviewInputs | null>(null);
  const [form, setForm] = useState<FormState>(INITIAL);
  const [result, setResult] = useState<PreviewResponse | null>(null);
  const [previous, setPrevious] = useState<PreviewResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    adoptPageBannerStyles(document);
    api<PreviewInputs>('GET', '/v1/admin/preview/inputs')
      .then((loaded) => {
        setInputs(loaded);
        setForm((f) => ({ ...f, placements: placementsOf(loaded, f.channel).map((p) => p.id) }));
      })
      .catch(setError);
  }, []);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const setChannel = (channel: FormState['channel']) =>
    setForm((f) => ({ ...f, channel, placements: inputs ? placementsOf(inputs, channel).map((p) => p.id) : [] }));
  const toggle = (list: string[], item: string, on: boolean) =>
    on ? [...new Set([...list, item])] : list.filter((x) => x !== item);

  const run = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const answer = await api<PreviewResponse>('POST', '/v1/admin/preview', requestOf(form));
      setPrevious(result);
      setResult(answer);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Heading title="Preview">
      <p className="note">
        What a customer would be shown, and why. A preview stores nothing: no decision, no impression, no contact
        counted, nothing learnt; it uses each learned rate’s mean, so the same input gives the same answer.
      </p>
      <form onSubmit={run} className="preview-form" aria-label="Preview input">
        <fieldset className="inline">
          <legend>Whom</legend>
          <label className="check">
            <input
              type="radio"
              name="mode"
              checked={form.mode === 'customer'}
              onChange={() => set('mode', 'customer')}
            />
            A real customer
          </label>
          <label className="check">
            <input
              type="radio"
              name="mode"
              checked={form.mode === 'synthetic'}
              onChange={() => set('mode', 'synthetic')}
            />
            A synthetic profile
          </label>
        </fieldset>

        {form.mode === 'customer' ? (
          <div className="field">
            <label htmlFor="preview-customer">Customer id (pseudonymous)</label>
            <input
              id="preview-customer"
              required
              placeholder="c-00042"
              value={form.customerId}
              onChange={(e) => set('customerId', e.target.value)}
            />
          </div>
        ) : (
          <fieldset>
            <legend>Synthetic profile</legend>
            <DataTable label="Products held and the journey stage of each" className="profile-table">
              <caption>Products held and the journey stage of each</caption>
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Held</th>
                  <th scope="col">Stage</th>
                </tr>
              </thead>
              <tbody>
                {(inputs?.products ?? []).map((product) => (
                  <tr key={product.id}>
                    <th scope="row">{product.name}</th>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Holds ${product.name}`}
                        checked={form.productsHeld.includes(product.id)}
                        onChange={(e) => set('productsHeld', toggle(form.productsHeld, product.id, e.target.checked))}
                      />
                    </td>
                    <td>
                      <select
                        aria-label={`Stage of ${product.name}`}
                        value={form.stages[product.id] ?? ''}
                        onChange={(e) => {
                          const { [product.id]: _, ...rest } = form.stages;
                          set('stages', e.target.value ? { ...rest, [product.id]: e.target.value } : rest);
                        }}
                      >
                        <option value="">no journey</option>
                        {(inputs?.stages ?? []).map((stage) => (
                          <option key={stage} value={stage}>
                            {stage}
                          </option>
                        ))}
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </DataTable>
            <div className="field">
              <label htmlFor="preview-cluster">Cluster</label>
              <select id="preview-cluster" value={form.cluster} onChange={(e) => set('cluster', e.target.value)}>
                <option value="">none</option>
                {(inputs?.clusters ?? []).map((cluster) => (
                  <option key={cluster.id} value={cluster.id}>
                    {cluster.name ? `${cluster.name} (${cluster.id})` : cluster.id}
                  </option>
                ))}
              </select>
              {inputs && inputs.clusters.length === 0 ? <small>No cluster model has been trained yet.</small> : null}
            </div>
            <fieldset className="inline">
              <legend>The bank’s records</legend>
              <label className="check">
                <input type="checkbox" checked={form.arrears} onChange={(e) => set('arrears', e.target.checked)} />
                In arrears
              </label>
              <label className="check">
                <input
                  type="checkbox"
                  checked={form.vulnerable}
                  onChange={(e) => set('vulnerable', e.target.checked)}
                />
                Vulnerable
              </label>
            </fieldset>
          </fieldset>
        )}

        <fieldset>
          <legend>Where and when</legend>
          <div className="preview-context">
            <div className="field">
              <label htmlFor="preview-channel">Channel</label>
              <select
                id="preview-channel"
                value={form.channel}
                onChange={(e) => setChannel(e.target.value as FormState['channel'])}
              >
                <option value="netbank">net bank</option>
                <option value="mobilebank">mobile bank</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="preview-page">Page</label>
              <input id="preview-page" value={form.page} onChange={(e) => set('page', e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="preview-locale">Language</label>
              <select
                id="preview-locale"
                value={form.locale}
                onChange={(e) => set('locale', e.target.value as FormState['locale'])}
              >
                <option value="da">Danish (da)</option>
                <option value="en">English (en)</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="preview-consent">Consent to personalization</label>
              <select
                id="preview-consent"
                value={form.consent}
                onChange={(e) => set('consent', e.target.value as FormState['consent'])}
              >
                <option value="granted">granted</option>
                <option value="pending">pending</option>
                <option value="denied">denied</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="preview-at">Date and time</label>
              <input
                id="preview-at"
                type="datetime-local"
                value={form.at}
                onChange={(e) => set('at', e.target.value)}
              />
              <small>Empty: now.</small>
            </div>
          </div>
          <fieldset className="inline">
            <legend>Placements</legend>
            {(inputs ? placementsOf(inputs, form.channel) : []).map((placement) => (
              <label key={placement.id} className="check">
                <input
                  type="checkbox"
                  checked={form.placements.includes(placement.id)}
                  onChange={(e) => set('placements', toggle(form.placements, placement.id, e.target.checked))}
                />
                {placement.name} ({placement.size.width}×{placement.size.height})
              </label>
            ))}
          </fieldset>
        </fieldset>
        <button type="submit" disabled={busy || !inputs} data-testid="run-preview">
          {busy ? 'Deciding…' : 'Preview'}
        </button>
      </form>
      <Problem error={error} />
      {result ? <Results result={result} previous={previous} inputs={inputs} /> : null}
    </Heading>
  );
}

function placementsOf(inputs: PreviewInputs, channel: FormState['channel']) {
  return inputs.placements.filter((placement) => placement.channels.includes(channel));
}

function Results({
  result,
  previous,
  inputs,
}: {
  result: PreviewResponse;
  previous: PreviewResponse | null;
  inputs: PreviewInputs | null;
}) {
  const subject =
    result.subject.kind === 'customer' ? `customer ${result.subject.customerId}` : 'the synthetic profile';
  return (
    <section aria-label="Preview result" data-testid="preview-result">
      <h2>
        Decided for {subject} at <time dateTime={result.at}>{new Date(result.at).toLocaleString('en-GB')}</time>
      </h2>
      {previous ? <p className="note">Marked “changed”: what differs from the previous run.</p> : null}
      {result.previews.map((placement) => (
        <PlacementResult
          key={placement.placement}
          placement={placement}
          before={previous?.previews.find((p) => p.placement === placement.placement)}
          name={inputs?.placements.find((p) => p.id === placement.placement)?.name ?? placement.placement}
        />
      ))}
    </section>
  );
}

function PlacementResult({ placement, before, name }: { placement: Placement; before?: Placement; name: string }) {
  const headingId = useId();
  const { trace, offer, size } = placement;
  const winnerChanged = before !== undefined && before.trace.winner !== trace.winner;
  const candidatesBefore = new Map(before?.trace.candidates.map((c) => [c.offerId, c]));
  const stages = Object.entries(trace.stages);
  return (
    <article className="placement-preview" aria-labelledby={headingId} data-testid={`preview-${placement.placement}`}>
      <h3 id={headingId}>
        {name}
        {size ? ` · ${size.width}×${size.height}` : ''}
        {winnerChanged ? (
          <span className="changed-badge" data-testid="winner-changed">
            changed: was {before?.trace.winner ?? 'no offer'}
          </span>
        ) : null}
      </h3>
      {offer && size ? (
        // The banner at the placement's size, drawn by the same component customers' pages use.
        <div
          className="tp-placement preview-frame"
          data-placement={placement.placement}
          data-testid="preview-banner"
          style={{ width: size.width, height: size.height }}
        >
          <Banner
            decision={{
              placement: placement.placement,
              decisionId: 'preview',
              offer,
              size,
              ttlSeconds: placement.ttlSeconds,
              reason: placement.reason,
            }}
            offer={offer}
            onClick={(event) => event.preventDefault()}
          />
        </div>
      ) : (
        <p className="empty-placement" data-testid="preview-empty">
          No offer: the placement stays empty{trace.note ? ` (${trace.note})` : ''}.
        </p>
      )}

      <dl className="trace-summary" data-testid="trace-summary">
        <dt>Offer</dt>
        <dd>{trace.winner ?? 'none'}</dd>
        <dt>Reason shown</dt>
        <dd>{placement.reason}</dd>
        <dt>Cluster</dt>
        <dd>
          {trace.cluster ? `${trace.cluster.id} (model v${trace.cluster.modelVersion})` : 'none'} —{' '}
          {trace.clusterReason}
        </dd>
        <dt>Experiment</dt>
        <dd>{trace.experiment ? `${trace.experiment.id}: arm ${trace.experiment.arm}` : 'none'}</dd>
        <dt>Global holdout</dt>
        <dd>{trace.holdout ? 'yes: generic content' : 'no'}</dd>
        <dt>Contact policy</dt>
        <dd>
          {trace.contactPolicy.weeklyContacts} of {trace.contactPolicy.weeklyCap} contacts this week
        </dd>
        <dt>Journeys</dt>
        <dd>{stages.length ? stages.map(([product, stage]) => `${product}: ${stage}`).join(', ') : 'none'}</dd>
        <dt>Products held</dt>
        <dd>{trace.productsHeld.length ? trace.productsHeld.join(', ') : 'none'}</dd>
        <dt>Catalog</dt>
        <dd>{trace.catalogVersion}</dd>
      </dl>

      <DataTable label={`Candidates for ${name}`} className="trace" testId="trace-candidates">
        <caption>Candidates for {name}: the rule that excluded each, or its score and factors</caption>
        <thead>
          <tr>
            <th scope="col">Offer</th>
            <th scope="col">Product</th>
            <th scope="col">Outcome</th>
            <th scope="col">Propensity</th>
            <th scope="col">Source</th>
            <th scope="col">Recency</th>
            <th scope="col">Value</th>
            <th scope="col">Context</th>
            <th scope="col">Lever</th>
            <th scope="col">Priority</th>
          </tr>
        </thead>
        <tbody>
          {trace.candidates.map((candidate) => {
            const changed =
              before !== undefined && outcomeKey(candidatesBefore.get(candidate.offerId)) !== outcomeKey(candidate);
            const { score } = candidate;
            return (
              <tr
                key={candidate.offerId}
                className={[
                  candidate.offerId === trace.winner ? 'winner' : '',
                  candidate.excludedBy ? 'excluded' : '',
                  changed ? 'changed' : '',
                ].join(' ')}
              >
                <th scope="row">
                  {candidate.offerId}
                  {candidate.offerId === trace.winner ? <span className="tag">chosen</span> : null}
                  {changed ? <span className="tag changed-tag">changed</span> : null}
                </th>
                <td>{candidate.product ?? '—'}</td>
                <td>{outcomeOf(candidate)}</td>
                <td>{score ? score.propensity.toFixed(4) : ''}</td>
                <td>{score ? (score.source ?? 'stage prior') : ''}</td>
                <td>{score ? score.recency.toFixed(2) : ''}</td>
                <td>{score ? score.value.toFixed(2) : ''}</td>
                <td>{score ? score.contextWeight.toFixed(2) : ''}</td>
                <td>{score ? score.lever.toFixed(2) : ''}</td>
                <td>{score ? score.priority.toFixed(4) : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </DataTable>
    </article>
  );
}

function outcomeOf(candidate: Candidate): string {
  if (candidate.excludedBy) return `excluded by ${candidate.excludedBy.rule}: ${candidate.excludedBy.detail}`;
  if (candidate.shownElsewhere) return `eligible; already shown on ${candidate.shownElsewhere}`;
  if (candidate.trigger) return `eligible; trigger ${candidate.trigger} fired`;
  return 'eligible';
}

/** What counts as a change between two runs: the outcome and the priority to four places. */
function outcomeKey(candidate: Candidate | undefined): string {
  if (!candidate) return 'absent';
  return `${outcomeOf(candidate)}|${candidate.score ? candidate.score.priority.toFixed(4) : ''}`;
}
