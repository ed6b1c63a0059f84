import { type FormEvent, useState } from 'react';
import { api, points } from '../api.js';
import { Heading, Problem } from '../page-parts.js';
import { IntervalPlot } from '../plots.js';
import { label, useVocabulary } from '../vocabulary.js';

interface Comparison {
  experiments: number;
  effects: Array<{ experimentId: string; name: string; arm: string; estimate: number; standardError: number }>;
  pooled: {
    experiments: number;
    fixed: Pooled;
    random: Pooled & { predictionInterval: { low: number; high: number } | null };
    tauSquared: number;
    q: number;
    iSquared: number;
  } | null;
  method: string;
}

interface Pooled {
  estimate: number;
  standardError: number;
  interval: { low: number; high: number };
  pValue: number;
}

/** The registry compared by behavioural principle: every stopped experiment's lift, and the pooled effect. */
export function ComparePage() {
  const vocabulary = useVocabulary();
  const [principle, setPrinciple] = useState('');
  const [placement, setPlacement] = useState('');
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const query = new URLSearchParams({
      ...(principle ? { principle } : {}),
      ...(placement.trim() ? { placement: placement.trim() } : {}),
    });
    try {
      setComparison(await api<Comparison>('GET', `/v1/admin/experiments/compare?${query}`));
    } catch (e) {
      setError(e);
    }
  };

  const rows = comparison
    ? [
        ...comparison.effects.map((effect, i) => ({
          label: `${i + 1}. ${effect.name.slice(0, 15)}`,
          estimate: effect.estimate,
          low: effect.estimate - 1.96 * effect.standardError,
          high: effect.estimate + 1.96 * effect.standardError,
        })),
        ...(comparison.pooled
          ? [
              {
                label: 'Fixed effect',
                estimate: comparison.pooled.fixed.estimate,
                low: comparison.pooled.fixed.interval.low,
                high: comparison.pooled.fixed.interval.high,
              },
              {
                label: 'Random effects',
                estimate: comparison.pooled.random.estimate,
                low: comparison.pooled.random.interval.low,
                high: comparison.pooled.random.interval.high,
              },
              ...(comparison.pooled.random.predictionInterval
                ? [
                    {
                      label: 'Prediction',
                      estimate: comparison.pooled.random.estimate,
                      low: comparison.pooled.random.predictionInterval.low,
                      high: comparison.pooled.random.predictionInterval.high,
                    },
                  ]
                : []),
            ]
          : []),
      ]
    : [];

  return (
    <Heading title="Compare experiments by principle">
      <form onSubmit={submit} className="filters">
        <label htmlFor="compare-principle">Principle</label>
        <select id="compare-principle" value={principle} onChange={(e) => setPrinciple(e.target.value)}>
          <option value="">any</option>
          {(vocabulary?.principles ?? []).map((p) => (
            <option key={p} value={p}>
              {label(p)}
            </option>
          ))}
        </select>
        <label htmlFor="compare-placement">Placement</label>
        <input id="compare-placement" value={placement} onChange={(e) => setPlacement(e.target.value)} />
        <button type="submit">Compare</button>
      </form>
      <Problem error={error} />
      {comparison ? (
        <section aria-live="polite" data-testid="comparison">
          <p>
            {comparison.experiments} stopped experiment{comparison.experiments === 1 ? '' : 's'} match.
            {comparison.pooled
              ? ` Random effects: pooled lift ${points(comparison.pooled.random.estimate, 2)} per customer (95 % interval ${points(comparison.pooled.random.interval.low, 2)} to ${points(comparison.pooled.random.interval.high, 2)}), p = ${comparison.pooled.random.pValue.toPrecision(2)}; τ² = ${comparison.pooled.tauSquared.toPrecision(2)}, I² = ${Math.round(comparison.pooled.iSquared * 100)} %. Fixed effect: ${points(comparison.pooled.fixed.estimate, 2)} (${points(comparison.pooled.fixed.interval.low, 2)} to ${points(comparison.pooled.fixed.interval.high, 2)}).`
              : ' Nothing to pool yet.'}
          </p>
          <IntervalPlot
            title="Forest plot: each experiment’s primary comparison, pooled (fixed and random effects) and the prediction for a new one"
            rows={rows}
            format={(v) => points(v, 1)}
          />
          <ol data-testid="pooled-experiments">
            {comparison.effects.map((effect) => (
              <li key={effect.experimentId}>
                {effect.name}, variant “{effect.arm}”: {points(effect.estimate, 2)} (95 % interval{' '}
                {points(effect.estimate - 1.96 * effect.standardError, 2)} to{' '}
                {points(effect.estimate + 1.96 * effect.standardError, 2)})
              </li>
            ))}
          </ol>
          {comparison.pooled?.random.predictionInterval ? (
            <p>
              Prediction: a new experiment like these would show a lift between{' '}
              {points(comparison.pooled.random.predictionInterval.low, 2)} and{' '}
              {points(comparison.pooled.random.predictionInterval.high, 2)} (95 %).
            </p>
          ) : null}
          <p className="note">{comparison.method}</p>
        </section>
      ) : null}
    </Heading>
  );
}
