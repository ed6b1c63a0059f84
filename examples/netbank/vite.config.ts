import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The app consumes @touchpoint/sdk-web and @touchpoint/sdk-react from their built dist, as a bank's app would.
// Runtime configuration (the API endpoint, the site key) comes from the server, never from build-time constants.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
