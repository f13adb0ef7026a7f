import { defineConfig } from 'vitest/config';

// One in-memory DynamoDB Local for the whole run (test/helpers/global-setup.ts); each test file
// makes its own table, so files run in parallel without seeing each other's data.
export default defineConfig({
  // Node itself loads graphql's CommonJS build (the package has no exports map), and so do the
  // libraries that build and run our schema; Vite would give our own modules the .mjs build, a
  // second graphql that refuses the first one's schema. One graphql for both.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'test/redis/**', 'node_modules/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
