import type { Experiment } from '../../contract/index.js';
import { metaAnalysis } from './pooling.js';
import { type ArmCounts, liftStandardError } from './statistics.js';

/** A stopped experiment's pre-declared primary comparison, per unit: its primary variant against control. */
export interface RegistryEntry {
  readonly experiment: Pick<Experiment, 'id' | 'name' | 'hypothesis' | 'status' | 'decision' | 'arms'> & {
    readonly primaryArm?: string | undefined;
  };
  readonly control: ArmCounts;
  readonly variants: ReadonlyArray<{ arm: string; counts: ArmCounts }>;
}

export interface RegistryFilter {
  readonly principle?: string;
  readonly cluster?: string;
  readonly placement?: string;
  readonly product?: string;
}

/** The variant an experiment declared as its primary comparison: the one named, else the first variant. */
export function primaryArmOf(experiment: RegistryEntry['experiment']): string | undefined {
  return experiment.primaryArm ?? experiment.arms[1]?.id;
}

export const POOLING_METHOD =
  'One pre-declared comparison per stopped experiment (its primary variant against control: absolute lift per customer on the primary metric), so no experiment counts twice through variants sharing a control. Random effects by DerSimonian–Laird with τ², I² and a 95 % prediction interval (t, k − 2 df); the fixed-effect (inverse-variance) estimate beside it.';

/** "Does loss aversion work for this cluster?": the primary comparisons of the matching experiments, pooled. */
export function compareExperiments(entries: readonly RegistryEntry[], filter: RegistryFilter) {
  const matching = entries.filter(({ experiment: { hypothesis } }) => {
    if (filter.principle && hypothesis.principle !== filter.principle) return false;
    if (filter.placement && !hypothesis.audience.placements.includes(filter.placement)) return false;
    if (
      filter.cluster &&
      hypothesis.audience.clusters.length > 0 &&
      !hypothesis.audience.clusters.includes(filter.cluster)
    )
      return false;
    if (filter.product && hypothesis.audience.product !== filter.product) return false;
    return true;
  });
  const effects = matching.flatMap((entry) => {
    const arm = primaryArmOf(entry.experiment);
    const variant = entry.variants.find((v) => v.arm === arm);
    if (!variant || variant.counts.exposures === 0 || entry.control.exposures === 0) return [];
    const estimate =
      variant.counts.conversions / variant.counts.exposures - entry.control.conversions / entry.control.exposures;
    return [
      {
        experimentId: entry.experiment.id,
        name: entry.experiment.name,
        arm: variant.arm,
        estimate,
        standardError: liftStandardError(entry.control, variant.counts),
      },
    ];
  });
  return { experiments: matching.length, effects, pooled: metaAnalysis(effects) };
}
