// Measures the SDK bundles as a customer's bundler ships them (every export kept, dependencies bundled unless
// ignored, minified by rolldown, gzip) and fails when one is over its budget in .size-limit.json. It drives
// size-limit through its API, since the size-limit CLI needs Node 22 (fs.glob) and the project supports Node 20.19.
// In the same run it bundles other personalization/experimentation SDKs' quick starts (bench/size-compare) the same
// way and prints how they compare; that comparison never fails the run.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import preset from '@size-limit/preset-small-lib';
import sizeLimit from 'size-limit';

const root = fileURLToPath(new URL('../', import.meta.url));
const budgets = JSON.parse(await readFile(new URL('../.size-limit.json', import.meta.url), 'utf8'));

function parseLimit(limit) {
  const match = /^([\d.]+)\s*(B|kB|KB)$/.exec(String(limit).trim());
  if (!match) throw new Error(`.size-limit.json: cannot read the limit ${JSON.stringify(limit)}; write e.g. "5 kB"`);
  return Number(match[1]) * (match[2] === 'B' ? 1 : 1000);
}

const checks = budgets.map((budget) => {
  // `import` measures the listed entries as one bundle (what an app gets), `path` each file as it is.
  const entries = budget.import ? Object.keys(budget.import) : [budget.path].flat();
  const missing = entries.filter((entry) => !existsSync(root + entry));
  if (missing.length > 0) {
    console.error(`size: ${missing.join(', ')} not found; run \`pnpm build\` first.`);
    process.exit(1);
  }
  const check = { name: budget.name, gzip: budget.gzip !== false, ignore: budget.ignore ?? [] };
  if (budget.import) {
    check.files = [];
    check.import = Object.fromEntries(Object.entries(budget.import).map(([entry, names]) => [root + entry, names]));
  } else {
    check.files = entries.map((entry) => root + entry);
  }
  return { check, limit: parseLimit(budget.limit) };
});

// The comparison SDKs are dev dependencies of bench/size-compare only. A checkout installed without that package
// (e.g. a filtered install) still gets its budgets checked; the comparison is then skipped with a note.
const compareDir = `${root}bench/size-compare/`;
const sdks = JSON.parse(readFileSync(`${compareDir}sdks.json`, 'utf8')).map((sdk) => {
  const manifest = `${compareDir}node_modules/${sdk.package}/package.json`;
  const version = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : null;
  return { ...sdk, version, check: { name: sdk.name, files: [compareDir + sdk.entry], gzip: true } };
});
const installed = sdks.filter((sdk) => sdk.version !== null);

// One size-limit run for both: the budgets and the comparison are measured by the same bundler in the same run.
const results = await sizeLimit([preset], {
  cwd: root,
  checks: [...checks.map(({ check }) => check), ...installed.map((sdk) => sdk.check)],
});

const kB = (bytes) => `${(bytes / 1000).toFixed(2)} kB`;
const width = Math.max(...checks.map(({ check }) => check.name.length));
let failed = false;
for (const [index, { check, limit }] of checks.entries()) {
  const size = results[index]?.size ?? Number.NaN;
  const over = !(size <= limit);
  failed ||= over;
  console.log(
    `${over ? '✗' : '✓'} ${check.name.padEnd(width)}  ${kB(size).padStart(8)} gzip  (${size} B; budget ${kB(limit)}, ${((100 * size) / limit).toFixed(1)} %)`,
  );
}

if (installed.length > 0) {
  const [core, elements] = results;
  const rows = installed.map((sdk, index) => {
    const size = results[checks.length + index]?.size ?? Number.NaN;
    return [
      sdk.name,
      `${sdk.package}@${sdk.version}`,
      kB(size),
      `${(size / core.size).toFixed(1)}×`,
      `${(size / elements.size).toFixed(1)}×`,
    ];
  });
  const header = ['SDK, bundled as its quick start shows', 'package', 'gzip', '× sdk-web core', '× core + elements'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells) =>
    cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  console.log(
    '\nCompared with other SDKs in the same run (minified, browser build, gzip; printed only, never a failure):',
  );
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  for (const row of rows.filter((cells) => !cells[1].startsWith('@touchpoint/'))) {
    console.log(`${row[0]} is ${row[3]} sdk-web core and ${row[4]} sdk-web core + elements with Preact.`);
  }
}
const missingSdks = sdks.filter((sdk) => sdk.version === null);
if (missingSdks.length > 0) {
  console.log(
    `\nsize: comparison skipped for ${missingSdks.map((sdk) => sdk.package).join(', ')} (not installed; run \`pnpm install\`).`,
  );
}

if (failed) {
  console.error('size: over budget. Trim the bundle, or raise the limit in .size-limit.json with a measured reason.');
  process.exit(1);
}
