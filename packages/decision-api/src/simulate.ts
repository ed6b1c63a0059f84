#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DEMO_SEED } from './demo/generator.js';
import { readSeedCatalog } from './runtime/node.js';
import { type PolicyOutcome, SIMULATION_DEFAULTS, simulate } from './simulation.js';

const USAGE = `pnpm simulate [--days <n>] [--customers <n>] [--seed <n>]

The demo bank's customers live through days of visits; each visit is shown one offer, chosen at random among the
eligible ones, by the stage prior alone, by the engine (learning per cluster × offer), and by an oracle that knows the
hidden true response rates. Prints conversions and value for each, and the engine's ratios.

Options:
  --days <n>        days simulated (default ${SIMULATION_DEFAULTS.days})
  --customers <n>   demo customers (default ${SIMULATION_DEFAULTS.customers})
  --seed <n>        the demo bank's seed (default ${DEMO_SEED})`;

function whole(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`[touchpoint] --${name} must be a whole number, got ${value}`);
  return n;
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      days: { type: 'string' },
      customers: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const days = whole('days', values.days);
  const customers = whole('customers', values.customers);
  const seed = whole('seed', values.seed);
  const result = simulate({
    catalog: readSeedCatalog(),
    ...(days !== undefined ? { days } : {}),
    ...(customers !== undefined ? { customers } : {}),
    ...(seed !== undefined ? { seed } : {}),
  });
  const row = (name: string, outcome: PolicyOutcome) =>
    `${name.padEnd(8)}${String(outcome.impressions).padStart(12)}${String(outcome.conversions).padStart(13)}${String(outcome.value).padStart(10)}`;
  const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)} %`);
  console.log(
    [
      `${result.customers} customers, ${result.days} days, ${result.visits} visits, ${result.clusters} clusters`,
      '',
      `${'policy'.padEnd(8)}${'impressions'.padStart(12)}${'conversions'.padStart(13)}${'value'.padStart(10)}`,
      row('random', result.random),
      row('prior', result.prior),
      row('engine', result.engine),
      row('oracle', result.oracle),
      '',
      `engine / oracle: ${ratio(result.engine.conversions, result.oracle.conversions)} of conversions, ${ratio(result.engine.value, result.oracle.value)} of value`,
      `engine / random: ${ratio(result.engine.conversions, result.random.conversions)} of conversions, ${ratio(result.engine.value, result.random.value)} of value`,
    ].join('\n'),
  );
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
