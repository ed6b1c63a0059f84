import { describe, expect, it } from 'vitest';
import { READMES, scratchApp, snippetsOf, typecheck } from '../support/readme-snippets.js';

// Each README's TypeScript blocks become the files of a scratch app, with the packages installed as an integrator's
// app has them (the built declarations, not this repository's sources), and are compiled as Vite's React template
// compiles an app: a README cannot drift from the API, and a block cannot lean on something it does not declare.
describe.each(READMES)('the TypeScript in %s', (readme) => {
  const snippets = snippetsOf(readme);

  it('compiles as written, under the strictness of a new Vite app', () => {
    const app = scratchApp(snippets);
    try {
      const { ok, output } = typecheck(app, snippets);
      const where = snippets.map((snippet) => `${snippet.file} is the block at ${readme}:${snippet.line}`).join('\n');
      expect(ok, `${output}\n${where}`).toBe(true);
    } finally {
      app.dispose();
    }
  });
});

describe('the quick starts', () => {
  it('the root README gives the client, a React page and the element as files of one app', () => {
    expect(snippetsOf('README.md').map((snippet) => snippet.file)).toEqual([
      'src/touchpoint.ts',
      'src/main.tsx',
      'src/element.ts',
    ]);
  });

  it('every README of a package shows TypeScript', () => {
    for (const readme of READMES.filter((path) => path.startsWith('packages/'))) {
      expect(snippetsOf(readme).length, readme).toBeGreaterThan(0);
    }
  });
});
