import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleReplay } from '../../exporter/app/replay-assembly.js';
import { loadConfig } from '../../exporter/config/load.js';
import { JOB_LIMITS } from '../../exporter/jobs/options.js';
import { traceIdFor } from '../../exporter/jobs/trace-ids.js';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { deriveKey, signEvent } from '../../exporter/simulate/signer.js';
import { clickhouseSinkFactory } from '../../exporter/sinks/clickhouse/index.js';
import type { ClickHouseSink } from '../../exporter/sinks/clickhouse/sink.js';
import { replayFiles } from '../../exporter/sources/file-replay.js';
import { silentLogger, writeParts } from './support.js';

/**
 * A chain deeper than the depth cap: the job index (hence the traces) and the `jobs` view give every
 * step the same root and trace id, the ancestor `chainDepth` steps up, whichever order the steps come in.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'dvm-exporter-deep-chain-'));
const customer = deriveKey('customer', 'deep-chain customer');
const T0 = 1_767_225_600;

function chain(length: number): NostrEvent[] {
  const steps: NostrEvent[] = [];
  for (let i = 0; i < length; i++) {
    const input = i === 0 ? ['i', 'a prompt', 'text'] : ['i', steps[i - 1]!.id, 'job'];
    steps.push(signEvent({ kind: 5100, created_at: T0 + i, tags: [input], content: '' }, customer));
  }
  return steps;
}

describe('chains deeper than the depth cap', () => {
  it('root every step at the same job in the index and in SQL, read forward or backward', async () => {
    const steps = chain(JOB_LIMITS.chainDepth * 2 + 10);
    const lines = steps.map((e) => JSON.stringify(e));
    const expected = steps.map((step, i) => ({
      job_id: step.id,
      root_id: steps[Math.max(0, i - JOB_LIMITS.chainDepth)]!.id,
    }));
    for (const order of [lines, [...lines].reverse()]) {
      const config = loadConfig({ env: {}, overrides: { dataDir } });
      const assembly = await assembleReplay(config, { logger: silentLogger, sinks: [clickhouseSinkFactory] });
      try {
        const store = (assembly.sinks[0] as ClickHouseSink).store;
        await store.client.command({ query: 'TRUNCATE TABLE events' });
        await replayFiles(assembly.pipeline, writeParts([order]));
        await assembly.pipeline.flush();
        const index = steps.map((step) => ({
          job_id: step.id,
          root_id: assembly.pipeline.jobs.get(step.id)?.rootId,
        }));
        expect(index).toEqual(expected);
        const result = await store.client.query({
          query: 'SELECT job_id, root_id, trace_id FROM jobs ORDER BY requested_at',
          format: 'JSONEachRow',
        });
        const rows = await result.json<{ job_id: string; root_id: string; trace_id: string }>();
        expect(rows).toEqual(expected.map((e) => ({ ...e, trace_id: traceIdFor(e.root_id) })));
      } finally {
        await assembly.close();
      }
    }
  }, 120_000);
});
