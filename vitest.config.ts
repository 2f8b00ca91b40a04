import { defineConfig } from 'vitest/config';

// Suites start real processes (the collector, sigma-cli), so they get generous
// timeouts and run in forked workers. bench/ is never part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
