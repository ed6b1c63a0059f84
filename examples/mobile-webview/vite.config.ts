import { defineConfig } from 'vite';

// The page consumes @touchpoint/sdk-web from its built dist, as a bank's web view would. Runtime configuration
// (the API endpoint, the site key) comes from the server, never from build-time constants.
export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
