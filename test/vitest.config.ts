import { defineConfig } from 'vitest/config';

// Runs spawn worker threads and child processes; on a shared 2-core machine they need room.
export default defineConfig({
  test: {
    // Paths are relative to the project root (the config lives in test/).
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each test file in its own process: worker threads and signal handlers stay isolated.
    pool: 'forks',
    maxWorkers: 2,
    // A private redis-server a test's command started stops itself this long after its last
    // client (the default is 30 min): scratch folders do not leave servers behind for long.
    env: { TOPO_REDIS_IDLE_MS: '15000' },
  },
});
