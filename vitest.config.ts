import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The browser and Deno suites start their own processes; keep the run predictable on 2 cores.
    maxWorkers: 2,
  },
});
