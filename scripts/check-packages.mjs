// Checks the three published packages as their users get them: publint (package.json fields, exports, files) and
// Are the Types Wrong (types resolve for every export under node16 ESM and bundlers; the packages are ESM-only),
// both on the packed tarball, plus one check neither does: every package a published declaration file imports is a
// dependency or peer dependency, so a user's types never point at something only this repository has installed;
// every file the manifest's `exports` (each condition, `source` included) and `bin` name is in the tarball (publint
// checks only the conditions it resolves); and no dependency is left as `workspace:`.
// Works offline: each package is packed once, locally, with `pnpm pack` (as `pnpm publish` packs it: workspace
// versions written out), and attw is told not to look up @types packages in the registry. Run after `pnpm build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = fileURLToPath(new URL('../', import.meta.url));
const packages = ['packages/sdk-web', 'packages/sdk-react', 'packages/decision-api'];
const bin = (name) => join(root, 'node_modules/.bin', name);

let failed = false;
function report(title, ok, details = '') {
  failed ||= !ok;
  console.log(`${ok ? '✓' : '✗'} ${title}`);
  if (details) console.log(details.trim().replace(/^/gm, '    '));
}

function run(command, args, cwd) {
  const env = { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false' };
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/**
 * pnpm as this script was started with (`pnpm check:packages`), else the version the README names. pnpm may be a
 * script for Node or a native executable (pnpm 11 and later, as npx installs it): a script runs under this Node.
 */
function pnpm(args, cwd) {
  const execPath = process.env.npm_execpath ?? '';
  if (!/pnpm/.test(execPath)) return run('npx', ['-y', 'pnpm@12', ...args], cwd);
  return /\.[cm]?js$/.test(execPath) ? run(process.execPath, [execPath, ...args], cwd) : run(execPath, args, cwd);
}

/** Every file path an `exports` map names, under every condition. */
function exportTargets(exports) {
  if (typeof exports === 'string') return [exports];
  if (!exports || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}

const packDir = mkdtempSync(join(tmpdir(), 'touchpoint-pack-'));
process.on('exit', () => rmSync(packDir, { recursive: true, force: true }));

function declarationFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

for (const dir of packages) {
  const cwd = join(root, dir);
  const manifest = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
  if (!existsSync(join(cwd, 'dist'))) {
    console.error(`check:packages: ${dir}/dist not found; run \`pnpm build\` first.`);
    process.exit(1);
  }
  console.log(`${manifest.name}@${manifest.version}`);
  const packed = pnpm(['pack', '--json', '--pack-destination', packDir], cwd);
  if (!packed.ok) {
    report('pnpm pack', false, packed.output);
    continue;
  }
  const packInfo = JSON.parse(packed.output.slice(packed.output.indexOf('{')));
  const tarball = packInfo.filename;
  const inTarball = new Set(packInfo.files.map((file) => file.path));
  const named = [...exportTargets(manifest.exports), ...Object.values(manifest.bin ?? {})].map((target) =>
    target.replace(/^\.\//, ''),
  );
  const absent = [...new Set(named)].filter((target) => !inTarball.has(target));
  report(
    'every file exports and bin name is in the tarball',
    absent.length === 0,
    absent
      .map((target) => `${target} is named in package.json but not packed (add it to "files", or drop it)`)
      .join('\n'),
  );
  const packedManifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], cwd).output);
  const unresolved = Object.entries({ ...packedManifest.dependencies, ...packedManifest.peerDependencies }).filter(
    ([, range]) => String(range).startsWith('workspace:'),
  );
  report(
    'no workspace: dependency left in the packed manifest',
    unresolved.length === 0,
    unresolved.map(([name, range]) => `${name}: ${range}`).join('\n'),
  );

  const lint = await publint({ pkgDir: 'package', pack: { tarball: readFileSync(tarball).buffer }, strict: true });
  report(
    'publint (strict)',
    lint.messages.length === 0,
    lint.messages.map((message) => `${message.type}: ${formatMessage(message, lint.pkg)}`).join('\n'),
  );
  const attw = run(
    bin('attw'),
    [tarball, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'table-flipped', '--no-color'],
    cwd,
  );
  report('are the types wrong (ESM only)', attw.ok, attw.ok ? '' : attw.output);

  const allowed = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const unlisted = new Map();
  for (const file of declarationFiles(join(cwd, 'dist'))) {
    const text = readFileSync(file, 'utf8');
    for (const [, specifier] of text.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)) {
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
      const name = packageName(specifier);
      if (!allowed.has(name)) unlisted.set(name, file.slice(cwd.length + 1));
    }
  }
  report(
    'declarations import only dependencies and peer dependencies',
    unlisted.size === 0,
    [...unlisted].map(([name, file]) => `${file} imports ${name}, which is neither a dependency nor a peer`).join('\n'),
  );
}

if (failed) {
  console.error('check:packages: a published package has a problem (above).');
  process.exit(1);
}
