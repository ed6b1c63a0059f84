import { type Effect, normalCdf, normalQuantile } from './statistics.js';
import { studentTQuantile } from './student-t.js';

/**
 * Pooling one effect per experiment across experiments ("does loss aversion work for this cluster?"). Random effects
 * by DerSimonian–Laird: experiments differ in audience, season and content, so their true effects differ too (τ²);
 * the fixed-effect estimate, which assumes one true effect, is given beside it.
 */
export interface Pooled {
  readonly estimate: number;
  readonly standardError: number;
  readonly interval: { low: number; high: number };
  readonly pValue: number;
}

export interface MetaAnalysis {
  readonly experiments: number;
  readonly fixed: Pooled;
  readonly random: Pooled & {
    /** Where the effect of a new experiment like these would fall (Higgins, Thompson, Spiegelhalter 2009: t with k − 2 df); null with fewer than 3. */
    readonly predictionInterval: { low: number; high: number } | null;
  };
  /** Between-experiment variance of the true effects (DerSimonian–Laird moment estimate, truncated at 0). */
  readonly tauSquared: number;
  /** Cochran's Q and I² = (Q − df) / Q: the share of the spread beyond chance. */
  readonly q: number;
  readonly iSquared: number;
}

export function metaAnalysis(effects: readonly Effect[], confidence = 0.95): MetaAnalysis | null {
  const usable = effects.filter((e) => e.standardError > 0 && Number.isFinite(e.estimate));
  const k = usable.length;
  if (k === 0) return null;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const pool = (weights: readonly number[]): Pooled => {
    const total = weights.reduce((s, w) => s + w, 0);
    const estimate = usable.reduce((s, e, i) => s + (weights[i] as number) * e.estimate, 0) / total;
    const standardError = Math.sqrt(1 / total);
    return {
      estimate,
      standardError,
      interval: { low: estimate - z * standardError, high: estimate + z * standardError },
      pValue: 2 * normalCdf(-Math.abs(estimate / standardError)),
    };
  };
  const w = usable.map((e) => 1 / (e.standardError * e.standardError));
  const fixed = pool(w);
  const q = usable.reduce((s, e, i) => s + (w[i] as number) * (e.estimate - fixed.estimate) ** 2, 0);
  const sumW = w.reduce((s, x) => s + x, 0);
  const sumW2 = w.reduce((s, x) => s + x * x, 0);
  const df = k - 1;
  const tauSquared = k > 1 ? Math.max(0, (q - df) / (sumW - sumW2 / sumW)) : 0;
  const random = pool(usable.map((e) => 1 / (e.standardError * e.standardError + tauSquared)));
  const predictionInterval =
    k >= 3
      ? (() => {
          const half =
            studentTQuantile(1 - (1 - confidence) / 2, k - 2) *
            Math.sqrt(tauSquared + random.standardError * random.standardError);
          return { low: random.estimate - half, high: random.estimate + half };
        })()
      : null;
  return {
    experiments: k,
    fixed,
    random: { ...random, predictionInterval },
    tauSquared,
    q,
    iSquared: q > df && q > 0 ? (q - df) / q : 0,
  };
}
