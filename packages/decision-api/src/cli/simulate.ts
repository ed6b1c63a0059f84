#!/usr/bin/env node
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_SEED } from '../demo/generator.js';
import { SCENARIO_NAMES, SCENARIOS, type ScenarioName } from '../demo/scenarios.js';
import { readSeedCatalog } from '../runtime/node.js';
import { calibrationTable } from './experiment-calibration.js';
import {
  POLICIES,
  type Policy,
  prepareBank,
  SIMULATION_DEFAULTS,
  type SimulationResult,
  simulate,
} from './policy-simulation.js';
import { regretChart } from './regret-chart.js';
import {
  CHANGE_RECOVERY_DAYS,
  CHANGE_WINDOW_DAYS,
  COLD_START_DAYS,
  COLD_START_WINDOW_DAYS,
  changeRecovery,
  coldStartShare,
  cumulativeRegret,
  GOALS,
  ofOracle,
} from './simulation-goals.js';

const USAGE = `pnpm simulate [--scenario <name>|all] [--seeds <n>] [--seed <n>] [--days <n>] [--customers <n>] [--out <dir>]
pnpm simulate --experiments [--runs <n>] [--seed <n>]

The demo bank's customers live through days of visits in a world (a scenario); each visit is shown one offer, chosen
at random among the eligible ones, by the stage prior alone, by the engine (learning per cluster × offer), and by an
oracle that knows the hidden true rates. Prints conversions and value as shares of the oracle's for each seed, checks
the scenario's goal, and writes the cumulative regret per day of each policy as an SVG.

With --experiments: simulated experiments randomised per customer (1 + Poisson(4) impressions each, customer rates
with intra-class correlation 0.3) through the real analysis; prints the A/A and A/B calibration table with each
rate's Monte-Carlo standard error.

Scenarios: ${SCENARIO_NAMES.join(', ')}

Options:
  --experiments     the experiments' calibration table instead
  --runs <n>        simulated experiments per row of it (default 2000)
  --scenario <name> one scenario, or all (default all)
  --seeds <n>       seeds ${DEMO_SEED}, ${DEMO_SEED + 1}, … (default 3)
  --seed <n>        one seed instead
  --days <n>        days simulated (default ${SIMULATION_DEFAULTS.days})
  --customers <n>   demo customers (default ${SIMULATION_DEFAULTS.customers})
  --out <dir>       where the SVGs go (default docs/simulation at the repository's root)`;

const COLORS: Readonly<Record<Policy, string>> = {
  random: '#9e9e9e',
  prior: '#e08214',
  engine: '#2166ac',
  oracle: '#1b7837',
};
const NAMES: Readonly<Record<Policy, string>> = {
  random: 'random',
  prior: 'priors only',
  engine: 'engine',
  oracle: 'oracle',
};

function whole(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`[touchpoint] --${name} must be a whole number, got ${value}`);
  return n;
}

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('[touchpoint] cannot find the repository root (pnpm-workspace.yaml)');
    dir = parent;
  }
  return dir;
}

const pct = (share: number) => (Number.isFinite(share) ? `${(100 * share).toFixed(1)} %` : 'n/a');
const pass = (ok: boolean) => (ok ? 'met' : 'NOT met');

function table(results: readonly SimulationResult[]): string[] {
  const header = `${'seed'.padEnd(10)}${'visits'.padStart(8)}${'clusters'.padStart(10)}${POLICIES.filter(
    (p) => p !== 'oracle',
  )
    .map((p) => `${NAMES[p]} conv`.padStart(18))
    .join('')}${'engine value'.padStart(14)}${'oracle conv'.padStart(13)}`;
  return [
    header,
    ...results.map(
      (r) =>
        `${String(r.seed).padEnd(10)}${String(r.visits).padStart(8)}${String(r.clusters).padStart(10)}${POLICIES.filter(
          (p) => p !== 'oracle',
        )
          .map((p) => pct(ofOracle(r, p).conversions).padStart(18))
          .join('')}${pct(ofOracle(r, 'engine').value).padStart(14)}${String(r.oracle.conversions).padStart(13)}`,
    ),
  ];
}

function goal(name: ScenarioName, results: readonly SimulationResult[]): string[] {
  const each = <T>(f: (r: SimulationResult) => T) => results.map(f);
  switch (name) {
    case 'demo': {
      const engine = each((r) => ofOracle(r, 'engine').conversions);
      return [
        `goal: engine ≥ ${pct(GOALS.demoEngineAtLeast)} of the oracle's conversions: ${engine.map(pct).join(', ')} — ${pass(engine.every((v) => v >= GOALS.demoEngineAtLeast))}`,
      ];
    }
    case 'wrong-priors': {
      const prior = each((r) => ofOracle(r, 'prior').conversions);
      const engine = each((r) => ofOracle(r, 'engine').conversions);
      return [
        `goal: priors only ≤ ${pct(GOALS.wrongPriorsPriorAtMost)} of the oracle's conversions: ${prior.map(pct).join(', ')} — ${pass(prior.every((v) => v <= GOALS.wrongPriorsPriorAtMost))}`,
        `goal: engine ≥ ${pct(GOALS.wrongPriorsEngineAtLeast)}: ${engine.map(pct).join(', ')} — ${pass(engine.every((v) => v >= GOALS.wrongPriorsEngineAtLeast))}`,
      ];
    }
    case 'change': {
      const recoveries = each((r) => changeRecovery(r));
      const lines = recoveries.map((c, i) =>
        c
          ? `  seed ${results[i]?.seed}: engine ÷ oracle expected rate in ${results[i]?.focus?.segment}, ${CHANGE_WINDOW_DAYS}-day windows: week before ${pct(c.before)}, first week after ${pct(c.firstWeek)}, window ending day ${CHANGE_RECOVERY_DAYS} after ${pct(c.atDeadline)}; back within 5 % after ${c.recoveredAfterDays ?? 'never'} days`
          : '  no change in this world',
      );
      const ok = recoveries.every((c) => c !== null && c.atDeadline >= 1 - GOALS.changeWithin);
      return [
        ...lines,
        `goal: engine's ${CHANGE_WINDOW_DAYS}-day rate within 5 % of the oracle's within ${CHANGE_RECOVERY_DAYS} days — ${pass(ok)}`,
      ];
    }
    case 'cold-start': {
      const shares = each((r) => coldStartShare(r));
      const lines = shares.map((c, i) =>
        c
          ? `  seed ${results[i]?.seed}: new offer's share of ${results[i]?.focus?.segment}' impressions over days ${COLD_START_DAYS - COLD_START_WINDOW_DAYS + 1}–${COLD_START_DAYS} after entry: engine ${pct(c.engineShare)}, oracle ${pct(c.oracleShare)} (${pct(c.ofOracle)} of it); ≥ 80 % after ${c.reachedAfterDays ?? 'never'} days`
          : '  no new offer in this world',
      );
      const ok = shares.every((c) => c !== null && c.ofOracle >= GOALS.coldStartShareAtLeast);
      return [
        ...lines,
        `goal: the new offer at ≥ 80 % of its oracle share within ${COLD_START_DAYS} days — ${pass(ok)}`,
      ];
    }
    case 'weekly':
      return ['no goal of its own: the table shows what the rhythm costs'];
  }
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      scenario: { type: 'string' },
      seeds: { type: 'string' },
      seed: { type: 'string' },
      days: { type: 'string' },
      customers: { type: 'string' },
      out: { type: 'string' },
      experiments: { type: 'boolean' },
      runs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.experiments) {
    console.log(calibrationTable({ runs: whole('runs', values.runs) ?? 2000, seed: whole('seed', values.seed) ?? 1 }));
    return;
  }
  const chosen = values.scenario ?? 'all';
  if (chosen !== 'all' && !(SCENARIO_NAMES as readonly string[]).includes(chosen))
    throw new RangeError(`[touchpoint] --scenario must be one of ${SCENARIO_NAMES.join(', ')} or all, got ${chosen}`);
  const scenarios: readonly ScenarioName[] = chosen === 'all' ? SCENARIO_NAMES : [chosen as ScenarioName];
  const days = whole('days', values.days);
  const customers = whole('customers', values.customers);
  const oneSeed = whole('seed', values.seed);
  const seedCount = whole('seeds', values.seeds) ?? 3;
  const seeds = oneSeed !== undefined ? [oneSeed] : Array.from({ length: seedCount }, (_, i) => DEMO_SEED + i);
  const out = resolve(values.out ?? join(repositoryRoot(), 'docs', 'simulation'));
  const catalog = readSeedCatalog();

  const runs = new Map<ScenarioName, SimulationResult[]>(scenarios.map((name) => [name, []]));
  for (const seed of seeds) {
    const bank = prepareBank({ catalog, seed, ...(customers !== undefined ? { customers } : {}) });
    for (const name of scenarios) {
      runs.get(name)?.push(simulate({ catalog, bank, scenario: name, ...(days !== undefined ? { days } : {}) }));
    }
  }

  mkdirSync(out, { recursive: true });
  for (const name of scenarios) {
    const results = runs.get(name) ?? [];
    const first = results[0] as SimulationResult;
    console.log(
      [
        '',
        `== ${name}: ${SCENARIOS[name].summary} ==`,
        `${first.customers} customers, ${first.days} days; conversions as a share of the oracle's (engine value: of the oracle's value)`,
        ...table(results),
        ...goal(name, results),
      ].join('\n'),
    );
    const focus = SCENARIOS[name].focus;
    const file = join(out, `${name}.svg`);
    writeFileSync(
      file,
      regretChart({
        title: `${name}: cumulative regret against the oracle`,
        subtitle: `${SCENARIOS[name].summary}. Mean of ${results.length} seed(s); expected value = true rate × value of the offers shown.`,
        series: POLICIES.map((policy) => ({
          name: NAMES[policy],
          color: COLORS[policy],
          values: cumulativeRegret(results, policy),
        })),
        ...(focus ? { marker: { day: focus.day, label: `day ${focus.day}` } } : {}),
      }),
    );
    console.log(`chart: ${file}`);
  }
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
