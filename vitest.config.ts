import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Serial I/O and SQLite fsyncs are timing-sensitive on a 2-core shared box:
    // run files in forks, a few at a time, rather than saturating both cores.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2 } },
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
