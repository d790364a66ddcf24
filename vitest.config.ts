import { defineConfig } from 'vitest/config';

/**
 * Files that start the embedded ClickHouse engine (chdb). The engine is a per-process singleton bound to
 * one data directory and crashes inside worker_threads, so these files each get a fresh forked process.
 * tests/support/no-engine.ts fails any other file that loads it: add that file here.
 */
export const ENGINE_FILES = [
  'tests/clickhouse/**/*.test.ts',
  'tests/cli/replay.test.ts',
  'tests/compose/compose.test.ts',
  'tests/dashboards/clickhouse-queries.test.ts',
  'tests/oracle/chain-roots.test.ts',
  'tests/oracle/deep-chain.test.ts',
  'tests/oracle/sql-oracle.test.ts',
  'tests/run/status-line.test.ts',
  'tests/run/store-*.test.ts',
  'tests/run/secrets.test.ts',
  'tests/sources/cursor-file.test.ts',
  'tests/sources/unreachable.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        // The rest share their forked process across files (isolate: false): a fork and the modules every
        // file imports are started once per worker rather than once per file. No test leaves global state
        // behind (no module mocks, no fake timers, no environment edits) that another file could see.
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: ENGINE_FILES,
          isolate: false,
          setupFiles: ['tests/support/no-engine.ts'],
        },
      },
      { extends: true, test: { name: 'engine', include: ENGINE_FILES } },
    ],
  },
});
