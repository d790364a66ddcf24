import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleReplay } from '../../exporter/app/replay-assembly.js';
import { createLogger } from '../../exporter/base/logger.js';
import { loadConfig } from '../../exporter/config/load.js';
import { loadNativeVerifier } from '../../exporter/model/verify-native.js';
import type { IngestSummary } from '../../exporter/pipeline/summary.js';
import { DEFAULT_SIMULATION, simulate } from '../../exporter/simulate/index.js';
import { render } from '../../exporter/sinks/metrics/exposition.js';
import { replayFiles } from '../../exporter/sources/file-replay.js';
import { decodeBatch } from '../../exporter/verify/protocol.js';

/**
 * Verifying on worker threads changes nothing a user can see: the same domain events in the same
 * order, the same summary and the same metrics as verifying on the main thread, with the native
 * verifier and with nostr-wasm; and no id is sent to be verified twice.
 */
let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvm-ordered-'));
  file = join(dir, 'traffic.jsonl');
  const lines: string[] = [];
  let n = 0;
  for (const item of simulate({
    ...DEFAULT_SIMULATION,
    durationSeconds: 1200,
    requestsPerMinute: 40,
    malformedShare: 0.1,
    duplicateShare: 0.1,
  })) {
    lines.push(item.line);
    // Every 7th line again at once, as a second relay would: the copy arrives while its original is in flight.
    if (++n % 7 === 0) lines.push(item.line);
    // Relay-message lines and lines that carry no event, in their places.
    if (n % 50 === 0) lines.push('["EOSE","sub"]', '');
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly digest: string;
  readonly events: number;
  readonly summary: IngestSummary;
  readonly exposition: string;
  readonly verifier: string;
  readonly sentIds: string[];
}

async function replay(verifier: 'native' | 'wasm', threads: number): Promise<Run> {
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      clickhouse: { enabled: false },
      pipeline: { verifier, verifyThreads: threads },
    },
  });
  const assembly = await assembleReplay(config, { logger: createLogger('silent', false) });
  const hash = createHash('sha256');
  let events = 0;
  assembly.pipeline.subscribe((event) => {
    events++;
    // receivedAt is the wall clock at arrival: it differs between any two runs.
    hash.update(JSON.stringify(event, (key, value) => (key === 'receivedAt' ? undefined : value)));
    hash.update('\n');
  });
  const sentIds: string[] = [];
  const pool = assembly.verifyPool;
  if (threads > 0) {
    expect(pool?.size).toBe(threads);
    const verify = pool?.verify.bind(pool);
    if (pool && verify) {
      pool.verify = (data, count) => {
        decodeBatch(data, (id) => sentIds.push(id));
        return verify(data, count);
      };
    }
  }
  await replayFiles(assembly.pipeline, [file], () => {}, { verifyPool: pool });
  await assembly.close();
  return {
    digest: hash.digest('hex'),
    events,
    summary: assembly.pipeline.summaryTotals(),
    exposition: await render(assembly.registry, 'prometheus'),
    verifier: assembly.pipeline.verifierName,
    sentIds,
  };
}

const kinds = [...(loadNativeVerifier().ok ? (['native'] as const) : []), 'wasm'] as const;

describe.each(kinds)('replay with the %s verifier', (kind) => {
  let single: Run;
  let threaded: Run;
  beforeAll(async () => {
    single = await replay(kind, 0);
    threaded = await replay(kind, 2);
  }, 240_000);

  it('runs the verifier asked for', () => {
    expect(single.verifier).toBe(kind === 'native' ? 'bcrypto-libsecp256k1' : 'nostr-wasm');
    expect(threaded.verifier).toBe(single.verifier);
  });

  it('gives the same domain events in the same order on worker threads as on the main thread', () => {
    expect(single.events).toBeGreaterThan(3000);
    expect(threaded.events).toBe(single.events);
    expect(threaded.digest).toBe(single.digest);
  });

  it('gives the same summary and the same metrics', () => {
    expect(single.summary.duplicates).toBeGreaterThan(100);
    expect(single.summary.rejected.bad_sig ?? 0).toBeGreaterThan(10);
    expect(threaded.summary).toEqual(single.summary);
    expect(threaded.exposition).toBe(single.exposition);
  });

  it('sends no id to be verified twice, and every accepted event was verified on a thread', () => {
    expect(new Set(threaded.sentIds).size).toBe(threaded.sentIds.length);
    expect(threaded.sentIds.length).toBeGreaterThanOrEqual(threaded.summary.accepted);
  });
});
