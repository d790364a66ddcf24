import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { assembleReplay } from '../../exporter/app/replay-assembly.js';
import { loadConfig } from '../../exporter/config/load.js';
import type { SinkFactory } from '../../exporter/pipeline/sink.js';
import { DEFAULT_SIMULATION, simulate } from '../../exporter/simulate/index.js';
import { render } from '../../exporter/sinks/metrics/exposition.js';
import { createMetricsSinkFactory } from '../../exporter/sinks/metrics/factory.js';
import { replayFiles } from '../../exporter/sources/file-replay.js';
import { REAL_EVENTS_DIR } from '../support/paths.js';

/** Simulator traffic as raw lines: every role, chains, payments, cancellations, junk and bad signatures. */
export function simulatorLines(seed: number, durationSeconds = 600): string[] {
  return [...simulate({ ...DEFAULT_SIMULATION, seed, durationSeconds, requestsPerMinute: 20 })].map(
    (i) => i.line,
  );
}

/** The real fixtures, one list of lines per file, in a fixed file order. */
export function realFixtureFiles(): { name: string; lines: string[] }[] {
  return readdirSync(REAL_EVENTS_DIR, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.jsonl'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .map((path) => ({
      name: path,
      lines: readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== ''),
    }));
}

/** Writes each part as one JSON Lines file; returns their paths in order. */
export function writeParts(parts: readonly (readonly string[])[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'dvm-oracle-'));
  return parts.map((lines, i) => {
    const path = join(dir, `part-${i}.jsonl`);
    writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
    return path;
  });
}

/** Deals `lines` into `count` files, round robin. */
export function deal(lines: readonly string[], count: number): string[][] {
  return Array.from({ length: count }, (_, f) => lines.filter((_, i) => i % count === f));
}

export const silentLogger = pino({ level: 'silent' });

/** `replay` of the files with the metrics sink only, in process; returns the Prometheus exposition. */
export async function replayExposition(files: readonly string[]): Promise<string> {
  const config = loadConfig({ env: {}, overrides: { clickhouse: { enabled: false } } });
  const sinks: SinkFactory[] = [createMetricsSinkFactory()];
  const assembly = await assembleReplay(config, { logger: silentLogger, sinks });
  await replayFiles(assembly.pipeline, files);
  await assembly.close();
  return render(assembly.registry, 'prometheus');
}
