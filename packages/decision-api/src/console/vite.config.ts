import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

const sdk = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

// The staff console, served by the decision API at /console under a strict CSP: no inline script or style.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  resolve: {
    // The offer preview draws the SDK's own banner, from the SDK's sources. The SDKs depend on this package for the
    // contract's types, so declaring the SDKs here would make a workspace cycle; the console takes the sources instead.
    alias: {
      '@touchpoint/sdk-react': sdk('sdk-react/src/index.ts'),
      '@touchpoint/sdk-web/banner': sdk('sdk-web/src/banner.ts'),
    },
    conditions: ['source', ...defaultClientConditions],
    dedupe: ['react', 'react-dom'],
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // Assets are files, never data: URLs inlined into scripts or styles.
    assetsInlineLimit: 0,
  },
});
