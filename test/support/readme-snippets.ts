import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The READMEs an integrator reads; every TypeScript block in them is compiled. */
export const READMES = [
  'README.md',
  'packages/sdk-web/README.md',
  'packages/sdk-react/README.md',
  'packages/decision-api/README.md',
  'examples/netbank/README.md',
  'examples/mobile-webview/README.md',
] as const;

export interface Snippet {
  readonly readme: string;
  /** Line of the opening fence, for messages. */
  readonly line: number;
  /** The file the block becomes: the path its first line names (`// file: src/main.tsx`), else block-<n>.ts(x). */
  readonly file: string;
  readonly code: string;
}

/** The ```ts and ```tsx blocks of a README, each as the file it stands for. */
export function snippetsOf(readme: string): Snippet[] {
  const lines = readFileSync(join(ROOT, readme), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(ts|tsx|typescript)\s*$/.exec(lines[i] ?? '');
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    const named = /^\/\/ file: (\S+\.tsx?)$/.exec(body[0] ?? '');
    const extension = fence[1] === 'tsx' ? 'tsx' : 'ts';
    snippets.push({
      readme,
      line: start + 1,
      file: named?.[1] ?? `snippets/block-${snippets.length + 1}.${extension}`,
      code: `${body.join('\n')}\n`,
    });
  }
  return snippets;
}

/**
 * The compiler options of Vite's React + TypeScript template (tsconfig.app.json of `npm create vite -- --template
 * react-ts`: noUnusedLocals, noUnusedParameters, erasableSyntaxOnly, verbatimModuleSyntax, …), with `strict` and
 * `noUncheckedSideEffectImports` on top, which the template has had in some versions: what a new app's `tsc -b` holds
 * a README's code to, at least. Node code (a backend) gets Node's types instead of Vite's client types.
 */
const VITE_TEMPLATE_OPTIONS = {
  target: 'ES2022',
  useDefineForClassFields: true,
  lib: ['ES2022', 'DOM', 'DOM.Iterable'],
  module: 'ESNext',
  skipLibCheck: true,
  moduleResolution: 'bundler',
  allowImportingTsExtensions: true,
  verbatimModuleSyntax: true,
  moduleDetection: 'force',
  noEmit: true,
  jsx: 'react-jsx',
  strict: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  erasableSyntaxOnly: true,
  noFallthroughCasesInSwitch: true,
  noUncheckedSideEffectImports: true,
};

/**
 * Packages as an app that installed them has them, linked to this repository's (built) packages and to the very copies
 * they use themselves (one React, one @types/react).
 */
const INSTALLED: Record<string, string> = {
  '@touchpoint/sdk-web': 'packages/sdk-web',
  '@touchpoint/sdk-react': 'packages/sdk-react',
  '@touchpoint/decision-api': 'packages/decision-api',
  react: 'packages/sdk-react/node_modules/react',
  'react-dom': 'packages/sdk-react/node_modules/react-dom',
  '@types/react': 'packages/sdk-react/node_modules/@types/react',
  '@types/react-dom': 'packages/sdk-react/node_modules/@types/react-dom',
  '@types/node': 'node_modules/@types/node',
  jose: 'packages/decision-api/node_modules/jose',
  vite: 'node_modules/vite',
};

export interface ScratchApp {
  readonly dir: string;
  dispose(): void;
}

/** A scratch app holding `snippets` as files, with the packages installed (linked) as an integrator's app has them. */
export function scratchApp(snippets: readonly Snippet[], prefix = 'touchpoint-readme-'): ScratchApp {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, path] of Object.entries(INSTALLED)) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(realpathSync(join(ROOT, path)), link, 'dir');
  }
  for (const snippet of snippets) {
    const file = join(dir, snippet.file);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, snippet.code);
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Node code: the snippets under server/ (a backend) and those of the decision API's README. */
export const isServerSnippet = (snippet: Snippet) =>
  snippet.file.startsWith('server/') || snippet.readme.startsWith('packages/decision-api/');

/** Type-checks a scratch app's browser code (Vite template options) and server code (Node types); tsc's output. */
export function typecheck(app: ScratchApp, snippets: readonly Snippet[]): { ok: boolean; output: string } {
  const browser = snippets.filter((snippet) => !isServerSnippet(snippet)).map((snippet) => snippet.file);
  const server = snippets.filter(isServerSnippet).map((snippet) => snippet.file);
  let output = '';
  let ok = true;
  for (const [name, files, types] of [
    ['tsconfig.app.json', browser, ['vite/client']],
    ['tsconfig.node.json', server, ['node']],
  ] as const) {
    if (files.length === 0) continue;
    writeFileSync(
      join(app.dir, name),
      JSON.stringify({ compilerOptions: { ...VITE_TEMPLATE_OPTIONS, types }, files }, null, 2),
    );
    const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', name], {
      cwd: app.dir,
      encoding: 'utf8',
    });
    ok &&= result.status === 0;
    output += `${result.stdout}${result.stderr}`;
  }
  return { ok, output };
}
