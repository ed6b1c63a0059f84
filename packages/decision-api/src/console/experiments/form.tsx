import { type FormEvent, useEffect, useState } from 'react';
import type { Experiment, PowerPlan } from '../../contract/index.js';
import { ApiError, api, percent } from '../api.js';
import { Heading, Problem } from '../page-parts.js';
import { go } from '../use-route.js';
import { label, useVocabulary } from '../vocabulary.js';

interface FormState {
  name: string;
  change: string;
  placements: string;
  channels: string[];
  primaryMetric: string;
  minimumEffectPoints: string;
  direction: 'increase' | 'decrease';
  principle: string;
  rationale: string;
  controlName: string;
  variantName: string;
  variantOffer: string;
  variantLever: string;
  maxDurationDays: string;
}

const INITIAL: FormState = {
  name: '',
  change: '',
  placements: 'dashboard-hero',
  channels: [],
  primaryMetric: 'click_through',
  minimumEffectPoints: '2',
  direction: 'increase',
  principle: 'social_proof',
  rationale: '',
  controlName: 'Today’s content',
  variantName: 'Variant',
  variantOffer: '',
  variantLever: '1.5',
  maxDurationDays: '56',
};

function hypothesisOf(form: FormState) {
  return {
    change: form.change,
    audience: {
      placements: form.placements
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
      channels: form.channels,
    },
    primaryMetric: form.primaryMetric,
    minimumEffect: Number(form.minimumEffectPoints) / 100,
    direction: form.direction,
    principle: form.principle,
    rationale: form.rationale,
  };
}

function draftOf(form: FormState) {
  return {
    name: form.name,
    hypothesis: hypothesisOf(form),
    arms: [
      { id: 'control', name: form.controlName, allocation: 1 },
      {
        id: 'variant',
        name: form.variantName,
        allocation: 1,
        ...(form.variantOffer.trim() ? { offer: form.variantOffer.trim() } : {}),
        ...(form.variantLever.trim() ? { lever: Number(form.variantLever) } : {}),
      },
    ],
    maxDurationDays: Number(form.maxDurationDays),
  };
}

/** The hypothesis form, with a power calculator that plans the sample as the form changes. */
export function ExperimentForm() {
  const vocabulary = useVocabulary();
  const [form, setForm] = useState<FormState>(INITIAL);
  const [plan, setPlan] = useState<PowerPlan | null>(null);
  const [planProblem, setPlanProblem] = useState<ApiError | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));

  // The live power calculator: a plan a moment after the form stops changing; an older answer never wins.
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      api<PowerPlan>('POST', '/v1/admin/experiments/power', {
        hypothesis: hypothesisOf(form),
        arms: [{ allocation: 1 }, { allocation: 1 }],
        maxDurationDays: Number(form.maxDurationDays),
      })
        .then((next) => {
          if (!current) return;
          setPlan(next);
          setPlanProblem(null);
        })
        .catch((e: unknown) => {
          if (!current) return;
          setPlan(null);
          setPlanProblem(e instanceof ApiError ? e : null);
        });
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [form]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api<{ experiment: Experiment }>('POST', '/v1/admin/experiments', draftOf(form));
      go(`/experiments/${created.experiment.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Heading title="Write a hypothesis">
      <div className="form-and-plan">
        <form onSubmit={submit} className="hypothesis" data-testid="hypothesis-form">
          <fieldset>
            <legend>The experiment</legend>
            <Field id="name" label="Name">
              <input id="name" required minLength={3} value={form.name} onChange={(e) => set('name', e.target.value)} />
            </Field>
            <Field id="change" label="What changes" hint="At least 10 characters.">
              <textarea id="change" required value={form.change} onChange={(e) => set('change', e.target.value)} />
            </Field>
            <Field id="rationale" label="Why it should work" hint="The reasoning, at least 20 characters.">
              <textarea
                id="rationale"
                required
                value={form.rationale}
                onChange={(e) => set('rationale', e.target.value)}
              />
            </Field>
            <Field id="principle" label="Behavioural principle">
              <select id="principle" value={form.principle} onChange={(e) => set('principle', e.target.value)}>
                {(vocabulary?.principles ?? [form.principle]).map((p) => (
                  <option key={p} value={p}>
                    {label(p)}
                  </option>
                ))}
              </select>
            </Field>
          </fieldset>
          <fieldset>
            <legend>Audience</legend>
            <Field id="placements" label="Placements" hint="Placement ids, separated by commas.">
              <input id="placements" value={form.placements} onChange={(e) => set('placements', e.target.value)} />
            </Field>
            <fieldset className="inline">
              <legend>Channels (none ticked: both)</legend>
              {(vocabulary?.channels ?? []).map((channel) => (
                <label key={channel} className="check">
                  <input
                    type="checkbox"
                    checked={form.channels.includes(channel)}
                    onChange={(e) =>
                      set(
                        'channels',
                        e.target.checked ? [...form.channels, channel] : form.channels.filter((c) => c !== channel),
                      )
                    }
                  />
                  {channel}
                </label>
              ))}
            </fieldset>
          </fieldset>
          <fieldset>
            <legend>What counts</legend>
            <Field id="metric" label="Primary metric">
              <select id="metric" value={form.primaryMetric} onChange={(e) => set('primaryMetric', e.target.value)}>
                {(vocabulary?.metrics ?? [form.primaryMetric]).map((m) => (
                  <option key={m} value={m}>
                    {label(m)}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="direction" label="Direction">
              <select
                id="direction"
                value={form.direction}
                onChange={(e) => set('direction', e.target.value as FormState['direction'])}
              >
                <option value="increase">increase</option>
                <option value="decrease">decrease</option>
              </select>
            </Field>
            <Field id="minimum-effect" label="Smallest effect worth detecting (percentage points)">
              <input
                id="minimum-effect"
                type="number"
                min="0.1"
                max="49"
                step="0.1"
                required
                value={form.minimumEffectPoints}
                onChange={(e) => set('minimumEffectPoints', e.target.value)}
              />
            </Field>
            <Field id="max-days" label="Longest it may run (days)">
              <input
                id="max-days"
                type="number"
                min="1"
                max="180"
                required
                value={form.maxDurationDays}
                onChange={(e) => set('maxDurationDays', e.target.value)}
              />
            </Field>
          </fieldset>
          <fieldset>
            <legend>Arms</legend>
            <Field id="control-name" label="Control’s name">
              <input id="control-name" value={form.controlName} onChange={(e) => set('controlName', e.target.value)} />
            </Field>
            <Field id="variant-name" label="Variant’s name">
              <input id="variant-name" value={form.variantName} onChange={(e) => set('variantName', e.target.value)} />
            </Field>
            <Field id="variant-offer" label="Offer the variant changes" hint="An offer id, e.g. car-loan-price.">
              <input
                id="variant-offer"
                value={form.variantOffer}
                onChange={(e) => set('variantOffer', e.target.value)}
              />
            </Field>
            <Field id="variant-lever" label="Business lever in the variant" hint="1 leaves priority as it is.">
              <input
                id="variant-lever"
                type="number"
                min="0.1"
                max="10"
                step="0.1"
                value={form.variantLever}
                onChange={(e) => set('variantLever', e.target.value)}
              />
            </Field>
          </fieldset>
          <button type="submit" disabled={busy} data-testid="save-draft">
            {busy ? 'Saving…' : 'Save the draft'}
          </button>
          <Problem error={error} />
        </form>
        <PowerPanel plan={plan} problem={planProblem} />
      </div>
    </Heading>
  );
}

function Field({ id, label, hint, children }: { id: string; label: string; hint?: string; children: React.ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? <small>{hint}</small> : null}
    </div>
  );
}

function PowerPanel({ plan, problem }: { plan: PowerPlan | null; problem: ApiError | null }) {
  return (
    <section className="power" aria-labelledby="power-title">
      <h2 id="power-title">Power before launch</h2>
      <div aria-live="polite" data-testid="power">
        {plan ? (
          <>
            <dl>
              <dt>Customers per arm (always-valid test, read daily)</dt>
              <dd data-testid="sample-per-arm">{plan.samplePerArm.toLocaleString('en')}</dd>
              <dt>Customers per arm for one look at the end</dt>
              <dd>{plan.fixedHorizonSamplePerArm.toLocaleString('en')}</dd>
              <dt>Baseline per customer</dt>
              <dd>
                {percent(plan.baseline)} ({plan.baselineSource})
              </dd>
              <dt>α per comparison</dt>
              <dd>{plan.alpha.toPrecision(2)}</dd>
              <dt>New eligible customers per day</dt>
              <dd>{Math.round(plan.dailyAudience).toLocaleString('en')}</dd>
              <dt>Expected duration</dt>
              <dd>
                {plan.expectedDays === null
                  ? 'never'
                  : `${Math.ceil(plan.expectedDays)} days (${plan.fixedHorizonDays ?? '?'} for one look at the end)`}
              </dd>
            </dl>
            <p className={plan.feasible ? 'ok' : 'warn'} data-testid="power-verdict">
              {plan.feasible ? 'Feasible. ' : 'Underpowered. '}
              {plan.reason}
            </p>
          </>
        ) : problem ? (
          <p>
            Complete the hypothesis to plan its power: {problem.errors.map((e) => e.path).join(', ') || problem.detail}
          </p>
        ) : (
          <p>Planning…</p>
        )}
      </div>
    </section>
  );
}
