// Measures the SDK bundles as a customer's bundler ships them (every export kept, dependencies bundled unless
// ignored, minified by rolldown, gzip) and fails when one is over its budget in .size-limit.json. It drives
// size-limit through its API, since the size-limit CLI needs Node 22 (fs.glob) and the project supports Node 20.19.
import { existsSync } from 'node:fs';
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

const results = await sizeLimit([preset], { cwd: root, checks: checks.map(({ check }) => check) });

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
if (failed) {
  console.error('size: over budget. Trim the bundle, or raise the limit in .size-limit.json with a measured reason.');
  process.exit(1);
}
