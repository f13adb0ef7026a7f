import { defineConfig } from 'vitest/config';

// The Redis tier (`npm run test:redis`): a real redis-server (Debian's package) started by each
// test file, and several server processes on one DynamoDB Local. `npm test` needs only Node and
// Java, so it excludes these; .ci/run installs redis-server and runs them.
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/redis/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each file runs several servers and a Redis: one at a time keeps timings honest on small machines.
    fileParallelism: false,
  },
});
