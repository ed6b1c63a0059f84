/**
 * The what-if replay's cost: a draft offer version and the live catalog decided side by side for N customers (both
 * channels' dashboards, every placement), then compared and checked for fairness: the pure part of
 * GET /v1/admin/offers/{id}/versions/{n}/what-if, without the store's reads.
 */
import { compileCatalog } from '../../src/domain/decision/catalog.js';
import { EMPTY_LEARNED_MODEL } from '../../src/domain/decision/learned-model.js';
import { ageBand, fairnessCheck } from '../../src/domain/what-if/fairness.js';
import { compareReplay, replayCustomers, replayed } from '../../src/domain/what-if/replay.js';
import { readSeedCatalog } from '../../src/runtime/node.js';
import { demoProfiles } from './demo-profiles.js';

export function whatIfBench(sizes: readonly number[]): Array<Record<string, string | number>> {
  const source = readSeedCatalog();
  const live = {
    catalog: compileCatalog(source),
    clusterModel: null,
    experiments: [],
    learned: EMPTY_LEARNED_MODEL,
    holdout: { share: 0.05, salt: 'bench' },
  };
  // The draft: the first credit offer with its minimum age raised, so its decisions change.
  const draft = {
    ...source,
    offers: source.offers.map((offer, i) => (i === 0 ? { ...offer, rules: { ...offer.rules, minAge: 45 } } : offer)),
  };
  const profiles = demoProfiles(2_000);
  const now = new Date();
  const offers = draft.offers.map((o) => ({ id: o.id, credit: o.credit === true }));
  const houseOffers = new Set(draft.offers.filter((o) => o.product === null).map((o) => o.id));
  return sizes.map((size) => {
    const customers = Array.from({ length: size }, (_, i) => ({
      customerId: `bench-${i}`,
      profile: profiles[i % profiles.length] as (typeof profiles)[number],
    }));
    const started = performance.now();
    const samples = replayCustomers(live, draft, customers, now);
    const decided = performance.now();
    compareReplay(
      samples.map((s) => ({
        cluster: s.cluster,
        stages: s.live[0]?.trace.stages ?? {},
        live: s.live.map(replayed),
        draft: s.draft.map(replayed),
      })),
      houseOffers,
    );
    for (const side of ['live', 'draft'] as const) {
      fairnessCheck(
        samples.map((s) => ({ group: ageBand(s.birthYear, now), placements: s[side].map(replayed) })),
        offers,
      );
    }
    const done = performance.now();
    return {
      customers: size,
      'decided (s)': Math.round((decided - started) / 10) / 100,
      'compared and checked (s)': Math.round((done - decided) / 10) / 100,
      'µs per customer': Math.round(((done - started) * 1_000) / size),
    };
  });
}
