import { defineConfig } from 'vitest/config';

// The browser tier (`npm run test:browser`): Debian's chromium driven by playwright-core against a
// real server over the same in-memory DynamoDB Local as the other tests. `npm test` excludes it.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
