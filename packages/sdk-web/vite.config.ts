import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: { index: 'src/index.ts', 'elements/index': 'src/elements/index.ts', banner: 'src/banner.ts' },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rolldownOptions: {
      // Dependencies stay imports: the host's bundler dedupes them (and size-limit measures them bundled).
      external: [/^preact(\/|$)/, /^@touchpoint\/decision-api(\/|$)/],
      output: { chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
