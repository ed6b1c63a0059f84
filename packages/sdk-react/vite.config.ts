import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    target: 'es2022',
    sourcemap: true,
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'index.js' },
    rolldownOptions: {
      // React is the host's (a peer dependency); sdk-web is a dependency the host's bundler resolves once.
      external: [/^react(\/|$)/, /^react-dom(\/|$)/, /^@touchpoint\//],
    },
  },
});
