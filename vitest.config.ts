import { defineConfig } from 'vitest/config';

// Suites start real processes (the collector, sigma-cli), so they get generous
// timeouts and run in forked workers. bench/ is never part of `npm test`.
// Two projects: `servers` (test/servers/) delivers to real servers (OpenSearch,
// moto) that its own globalSetup starts once per run and shares; they start
// only when one of its files is part of the run. Every other suite is `main`.
// The root globalSetup (one temp folder per run) runs once either way.
export default defineConfig({
  test: {
    globalSetup: ['test/harness/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: ['test/servers/**', '**/node_modules/**'] } },
      { extends: true, test: { name: 'servers', include: ['test/servers/**/*.test.ts'], globalSetup: ['test/harness/servers-setup.ts'] } },
    ],
  },
});
