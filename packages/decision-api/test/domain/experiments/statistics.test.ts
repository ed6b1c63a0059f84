import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketOf, layerBucket, murmur3, pickArm } from '../../../src/domain/experiments/bucketing.js';
import {
  alwaysValidPValue,
  chiSquareSurvival,
  compareArms,
  normalCdf,
  normalQuantile,
  poolEffects,
  sampleRatioMismatch,
  sampleSizePerArm,
} from '../../../src/domain/experiments/statistics.js';

// Reference values below were computed with scipy 1.17.1 (Python), an independent implementation; the expression that
// produced each is written next to it.

describe('the normal distribution', () => {
  it.each([
    [-5, 2.866515718791933e-7], // scipy.stats.norm.cdf(-5)
    [-1.96, 0.024997895148220435], // norm.cdf(-1.96)
    [0, 0.5],
    [0.5, 0.6914624612740131], // norm.cdf(0.5)
    [1.6448536269514722, 0.95], // norm.cdf(norm.ppf(0.95))
    [3, 0.9986501019683699], // norm.cdf(3)
  ])('Φ(%d) matches scipy', (x, expected) => {
    expect(normalCdf(x)).toBeCloseTo(expected, 12);
  });

  it.each([
    [1e-6, -4.753424308822899], // norm.ppf(1e-6)
    [0.01, -2.3263478740408408], // norm.ppf(0.01)
    [0.025, -1.9599639845400545], // norm.ppf(0.025)
    [0.5, 0],
    [0.8, 0.8416212335729143], // norm.ppf(0.8)
    [0.975, 1.959963984540054], // norm.ppf(0.975)
  ])('Φ⁻¹(%d) matches scipy', (p, expected) => {
    expect(normalQuantile(p)).toBeCloseTo(expected, 9);
  });

  it('inverts Φ everywhere in (0, 1)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1 - 1e-9, noNaN: true }), (p) => {
        expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 9);
      }),
    );
  });
});

describe('the χ² distribution', () => {
  it.each([
    [3.84, 1, 0.05004352124870519], // scipy.stats.chi2.sf(3.84, 1)
    [10.83, 1, 0.0009986863791802592], // chi2.sf(10.83, 1)
    [5.99, 2, 0.05003662708658629], // chi2.sf(5.99, 2)
    [20, 3, 0.00016974243555282632], // chi2.sf(20, 3)
    [0.5, 1, 0.47950012218695337], // chi2.sf(0.5, 1)
    [100, 10, 5.4497019829205215e-17], // chi2.sf(100, 10)
  ])('P(χ² ≥ %d | df %d) matches scipy', (x, df, expected) => {
    expect(chiSquareSurvival(x, df) / expected).toBeCloseTo(1, 8);
  });
});

describe('sample size before launch', () => {
  // The Fleiss normal approximation, two-sided α 0.05, power 0.8, as R's power.prop.test:
  // n = (z₀.₉₇₅·√(2p̄q̄) + z₀.₈·√(p₁q₁ + p₂q₂))² / (p₂ − p₁)², evaluated in scipy (norm.ppf), rounded up.
  it.each([
    [0.1, 0.02, 3841], // 3840.847482436276
    [0.05, 0.01, 8158], // 8157.73144784928
    [0.02, 0.005, 13809], // 13808.924897180954
    [0.3, 0.05, 1377], // 1376.2988682907194
    [0.5, -0.05, 1565], // 1564.6720527749535
  ])('baseline %d, minimum effect %d needs %d per arm', (baseline, minimumEffect, expected) => {
    expect(sampleSizePerArm({ baseline, minimumEffect })).toBe(expected);
  });

  it('needs more customers for a smaller effect, and refuses rates outside (0, 1)', () => {
    expect(sampleSizePerArm({ baseline: 0.1, minimumEffect: 0.01 })).toBeGreaterThan(
      sampleSizePerArm({ baseline: 0.1, minimumEffect: 0.02 }),
    );
    expect(() => sampleSizePerArm({ baseline: 0.95, minimumEffect: 0.1 })).toThrow(RangeError);
    expect(() => sampleSizePerArm({ baseline: 0.1, minimumEffect: 0 })).toThrow(RangeError);
  });
});

describe('comparing a variant with control', () => {
  it('gives the pooled z-test and the intervals scipy gives', () => {
    // control 200/2000, variant 250/2000
    const result = compareArms({ exposures: 2000, conversions: 200 }, { exposures: 2000, conversions: 250 });
    expect(result.absoluteLift).toBeCloseTo(0.025, 12);
    expect(result.z).toBeCloseTo(2.501955416802671, 9); // pooled z, p = (200+250)/4000
    expect(result.pValue).toBeCloseTo(0.012350947711191423, 9); // 2 * norm.sf(z)
    expect(result.absoluteLiftInterval.low).toBeCloseTo(0.00543100855465602, 9); // d ∓ norm.ppf(.975)·√(p₁q₁/n₁ + p₂q₂/n₂)
    expect(result.absoluteLiftInterval.high).toBeCloseTo(0.04456899144534397, 9);
    expect(result.relativeLift).toBeCloseTo(0.25, 12);
    expect(result.relativeLiftInterval?.low).toBeCloseTo(0.04900179776172564, 9); // exp(log(p₂/p₁) ∓ z·√(1/x₂−1/n₂+1/x₁−1/n₁)) − 1
    expect(result.relativeLiftInterval?.high).toBeCloseTo(0.48951126998441263, 9);
  });

  it('matches scipy on a larger test as well', () => {
    const result = compareArms({ exposures: 10000, conversions: 1000 }, { exposures: 10000, conversions: 1100 });
    expect(result.z).toBeCloseTo(2.3066347738170103, 9);
    expect(result.pValue).toBeCloseTo(0.021075189273797826, 9);
  });

  it('has no relative lift while the control has no conversions', () => {
    const result = compareArms({ exposures: 100, conversions: 0 }, { exposures: 100, conversions: 3 });
    expect(result.relativeLift).toBeNull();
    expect(result.relativeLiftInterval).toBeNull();
    expect(Number.isFinite(result.z)).toBe(true);
  });
});

describe('looking every day', () => {
  /** A deterministic stream of uniform numbers (mulberry32). */
  function uniform(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** Runs A/A tests (no true difference), looking after each of `days` days; counts tests ever called significant. */
  function falsePositives(runs: number, days: number, perDay: number) {
    const next = uniform(7);
    let sequential = 0;
    let naive = 0;
    for (let run = 0; run < runs; run++) {
      const control = { exposures: 0, conversions: 0 };
      const variant = { exposures: 0, conversions: 0 };
      let pValue = 1;
      let naiveHit = false;
      for (let day = 0; day < days; day++) {
        for (let i = 0; i < perDay; i++) {
          control.exposures++;
          variant.exposures++;
          if (next() < 0.1) control.conversions++;
          if (next() < 0.1) variant.conversions++;
        }
        pValue = alwaysValidPValue(pValue, control, variant, 0.02);
        if (compareArms(control, variant).pValue < 0.05) naiveHit = true;
      }
      if (pValue < 0.05) sequential++;
      if (naiveHit) naive++;
    }
    return { sequential: sequential / runs, naive: naive / runs };
  }

  it('keeps the false-positive rate under α with daily looks, where the fixed-horizon test does not', () => {
    const rates = falsePositives(400, 28, 200);
    expect(rates.sequential).toBeLessThanOrEqual(0.05);
    expect(rates.naive).toBeGreaterThan(0.08);
  });

  it('still finds a real effect', () => {
    const next = uniform(11);
    const control = { exposures: 0, conversions: 0 };
    const variant = { exposures: 0, conversions: 0 };
    let pValue = 1;
    for (let day = 0; day < 28; day++) {
      for (let i = 0; i < 500; i++) {
        control.exposures++;
        variant.exposures++;
        if (next() < 0.1) control.conversions++;
        if (next() < 0.13) variant.conversions++;
      }
      pValue = alwaysValidPValue(pValue, control, variant, 0.02);
    }
    expect(pValue).toBeLessThan(0.05);
  });
});

describe('sample-ratio mismatch', () => {
  it.each([
    [[5000, 5200], [1, 1], 3.9215686274509802, 0.0476703806561615, false], // scipy.stats.chisquare([5000,5200])
    [[4800, 5200], [1, 1], 16, 6.334248366623988e-5, true], // chisquare([4800,5200])
    [[1000, 2100, 950], [1, 2, 1], 6.790123456790123, 0.03353848383147017, false], // chisquare(…, [1012.5,2025,1012.5])
  ])('%j against %j', (observed, allocation, chiSquare, pValue, mismatch) => {
    const check = sampleRatioMismatch(observed, allocation);
    expect(check.chiSquare).toBeCloseTo(chiSquare, 9);
    expect(check.pValue / pValue).toBeCloseTo(1, 8);
    expect(check.mismatch).toBe(mismatch);
  });
});

describe('pooling experiments', () => {
  it('weights each lift by its inverse variance, as computed in numpy', () => {
    // est = [0.02, 0.015, 0.03, -0.005], se = [0.01, 0.008, 0.015, 0.012]; w = 1/se²
    const pooled = poolEffects([
      { estimate: 0.02, standardError: 0.01 },
      { estimate: 0.015, standardError: 0.008 },
      { estimate: 0.03, standardError: 0.015 },
      { estimate: -0.005, standardError: 0.012 },
    ]);
    expect(pooled?.estimate).toBeCloseTo(0.014399624765478423, 12); // Σw·est / Σw
    expect(pooled?.standardError).toBeCloseTo(0.00519777698189052, 12); // √(1/Σw)
    expect(pooled?.q).toBeCloseTo(4.01443610589952, 9); // Cochran's Q
    expect(pooled?.iSquared).toBeCloseTo(0.25269703618117845, 9); // (Q − df)/Q
    expect(pooled?.pValue).toBeCloseTo(0.0055997299330816045, 9); // 2·norm.sf(est/se)
  });

  it('has nothing to pool without experiments', () => {
    expect(poolEffects([])).toBeNull();
  });
});

describe('bucketing', () => {
  it('is MurmurHash3 x86-32 (reference vectors of the original implementation)', () => {
    expect(murmur3('', 0)).toBe(0);
    expect(murmur3('', 1)).toBe(0x514e28b7);
    expect(murmur3('a', 0)).toBe(0x3c2569b2);
    expect(murmur3('abc', 0)).toBe(0xb3dd93fa);
    expect(murmur3('Hello, world!', 1234)).toBe(0xfaf6cdb3);
    expect(murmur3('The quick brown fox jumps over the lazy dog', 0)).toBe(0x2e4ff723);
  });

  it('puts the same customer in the same arm every time, and arms by their allocation', () => {
    const arms = [
      { id: 'control', allocation: 1 },
      { id: 'variant', allocation: 1 },
    ];
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ maxLength: 20 }), (unit, salt) => {
        expect(pickArm(unit, salt, arms)).toBe(pickArm(unit, salt, arms));
        const bucket = bucketOf(unit, salt);
        expect(bucket).toBeGreaterThanOrEqual(0);
        expect(bucket).toBeLessThan(1);
      }),
    );
  });

  it('is uniform over 100,000 customer ids (χ² over 100 buckets)', () => {
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const bucket = Math.floor(bucketOf(`c-${i.toString().padStart(6, '0')}`, 'exp-hero-loss-aversion') * 100);
      counts[bucket] = (counts[bucket] as number) + 1;
    }
    const check = sampleRatioMismatch(counts, new Array<number>(100).fill(1));
    expect(check.pValue).toBeGreaterThan(0.001);
  });

  it('splits 1:2 allocations 1:2, and layers independently of arms', () => {
    const arms = [
      { id: 'control', allocation: 1 },
      { id: 'variant', allocation: 2 },
    ];
    const seen = { control: 0, variant: 0 };
    const sameLayerBucket = new Map<number, number>();
    for (let i = 0; i < 30_000; i++) {
      const unit = crypto.randomUUID();
      seen[pickArm(unit, 'salt-a', arms).id as 'control' | 'variant']++;
      const bucket = layerBucket(unit, 'dashboard-hero');
      sameLayerBucket.set(bucket, (sameLayerBucket.get(bucket) ?? 0) + 1);
    }
    expect(sampleRatioMismatch([seen.control, seen.variant], [1, 2]).mismatch).toBe(false);
    expect(sameLayerBucket.size).toBeGreaterThan(9000);
  });
});
