import { defineConfig } from 'vitest/config';

// One in-memory DynamoDB Local for the whole run (test/helpers/global-setup.ts); each test file
// makes its own table, so files run in parallel without seeing each other's data.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
