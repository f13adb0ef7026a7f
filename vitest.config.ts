import { defineConfig } from 'vitest/config';

// Two projects, both run by `npm test`:
// - unit (`npm run test:unit`): pure functions, no database, so no Java needed and no start-up cost.
// - integration: one in-memory DynamoDB Local for the whole run (test/helpers/global-setup.ts);
//   each test file makes its own table, so files run in parallel without seeing each other's data.
// The browser tier has its own config (vitest.browser.config.ts).
export default defineConfig({
  // Node itself loads graphql's CommonJS build (the package has no exports map), and so do the
  // libraries that build and run our schema; Vite would give our own modules the .mjs build, a
  // second graphql that refuses the first one's schema. One graphql for both.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/reliability/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
