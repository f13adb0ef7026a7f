import { defineConfig } from 'vitest/config';

// The browser tier (`npm run test:browser`): Debian's chromium driven by playwright-core against a
// real server over the same in-memory DynamoDB Local as the other tests. `npm test` excludes it.
export default defineConfig({
  // One graphql for our modules and the libraries, as in vitest.config.ts: the WebSocket endpoint
  // runs subscriptions with our graphql on a schema the libraries built.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
