import { defineConfig } from 'vitest/config';

// Synthesis and the esbuild bundle run in-process: no AWS account, no Docker, no network.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
