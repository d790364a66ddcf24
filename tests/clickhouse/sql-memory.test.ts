import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';
import { tempDataDir } from './helpers.js';

/**
 * A refused huge query leaves the exporter near its resting size. Measured in a child process of its
 * own, so nothing else in the test run moves the figure. (Before the limits held, one such query
 * took a process to 2.4 GB and left it there.)
 */

const MiB = 2 ** 20;

describe('memory after refused ad-hoc queries', () => {
  it('comes back near the resting size', async () => {
    const result = await runProcess(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        join(REPO_ROOT, 'tests/clickhouse/support/refused-queries.ts'),
        join(tempDataDir('sql-memory'), 'clickhouse'),
        // 300 MB of answer from a 1 MB constant: over max_result_bytes (64 MiB) once materialized.
        "SELECT repeat('x', 1000000) FROM numbers(300)",
        // 1.2 GB of distinct strings: over max_memory_usage (2 GiB) while the engine builds them.
        'SELECT repeat(toString(number), 100000) FROM numbers(3000)',
        "SELECT repeat('y', 1000000) AS s FROM numbers(300) ORDER BY s",
      ],
      { cwd: REPO_ROOT, timeoutMs: 120_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const { idle, peak, after, refusals } = JSON.parse(result.stdout) as {
      idle: number;
      peak: number;
      after: number;
      refusals: string[];
    };
    expect(refusals).toEqual([
      expect.stringMatching(/^SqlRefused: Limit for result exceeded, max bytes: 64\.00 MiB/),
      expect.stringMatching(/^SqlRefused: .*memory limit exceeded/i),
      expect.stringMatching(/^SqlRefused: Limit for result exceeded, max bytes: 64\.00 MiB/),
    ]);
    console.log(
      `RSS idle ${Math.round(idle / MiB)} MiB, highest between queries ${Math.round(peak / MiB)} MiB, after ${Math.round(after / MiB)} MiB`,
    );
    expect(after - idle).toBeLessThan(128 * MiB);
  }, 150_000);
});
