import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

// The staff console, served by the decision API at /console under a strict CSP: no inline script or style.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  // The offer preview draws the SDK's own banner from its sources, so the console never waits on the SDK's build.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // Assets are files, never data: URLs inlined into scripts or styles.
    assetsInlineLimit: 0,
  },
});
