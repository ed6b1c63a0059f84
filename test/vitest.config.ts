import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['e2e/**/*.test.ts', 'docs/**/*.test.ts'],
    // The whole stack starts once per file, seeded as the README starts it; browser stories take a while.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
