import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

// The staff console, served by the decision API at /console under a strict CSP: no inline script or style.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  resolve: {
    // The preview draws offers with the SDK's own banner, bundled from the workspace's source. Aliased rather than a
    // package dependency: the SDKs depend on this package's contract, and pnpm refuses a build cycle.
    alias: {
      '@touchpoint/sdk-react': fileURLToPath(new URL('../../../sdk-react/src/index.ts', import.meta.url)),
      '@touchpoint/sdk-web/banner': fileURLToPath(new URL('../../../sdk-web/src/banner.ts', import.meta.url)),
    },
    conditions: ['source', ...defaultClientConditions],
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // Assets are files, never data: URLs inlined into scripts or styles.
    assetsInlineLimit: 0,
  },
});
