import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Plugin } from 'esbuild';

const ENTRY = fileURLToPath(new URL('../src/runtime/worker.ts', import.meta.url));
export const WORKER_BUNDLE = fileURLToPath(new URL('../dist/worker/worker.js', import.meta.url));
/** The workerd features the bundle needs: Node's modules (node-postgres, AsyncLocalStorage) and TCP sockets. */
export const WORKER_COMPATIBILITY = { date: '2026-07-01', flags: ['nodejs_compat'] } as const;

/**
 * node-postgres is CommonJS and requires Node's modules by their bare names (`net`, `crypto`, …). In an ES module
 * bundle such a `require` has nothing to call, so each becomes a tiny CommonJS module handing out workerd's `node:`
 * module (available under `nodejs_compat`), imported at the top of the bundle: `import` is the only way an ES module
 * gets it. The first pass finds which modules are required; the second imports exactly those.
 */
function nodeBuiltins(required: Set<string>): Plugin {
  const names = new Set(builtinModules.filter((name) => !name.startsWith('_')));
  return {
    name: 'node-builtins',
    setup(build) {
      build.onResolve({ filter: /^[a-z_/]+$/ }, (args) => {
        if (!names.has(args.path)) return undefined;
        required.add(args.path);
        return { path: args.path, namespace: 'node-builtin' };
      });
      build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
        contents: `const m = globalThis.__touchpointNode[${JSON.stringify(args.path)}];
module.exports = typeof m.default === 'function' ? m.default : { ...m.default, ...m };`,
        loader: 'js',
      }));
    },
  };
}

const importsOf = (required: Set<string>) =>
  [
    ...[...required].map((name, index) => `import * as __node${index} from 'node:${name}';`),
    `globalThis.__touchpointNode = { ${[...required].map((name, index) => `${JSON.stringify(name)}: __node${index}`).join(', ')} };`,
  ].join('\n');

/** Bundles the edge worker (src/runtime/worker.ts) into one ES module for workerd; returns its path. */
export async function buildWorker(outfile: string = WORKER_BUNDLE): Promise<string> {
  const required = new Set<string>();
  const options = {
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    // pg-cloudflare's socket (over cloudflare:sockets) is picked by the `workerd` condition.
    conditions: ['workerd', 'worker'],
    mainFields: ['module', 'main'],
    external: ['node:*', 'cloudflare:*'],
    plugins: [nodeBuiltins(required)],
    legalComments: 'none',
  } satisfies BuildOptions;
  await build({ ...options, write: false });
  await build({ ...options, banner: { js: importsOf(required) } });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildWorker().then((path) => console.log(`[touchpoint] edge worker bundled: ${path}`));
}
