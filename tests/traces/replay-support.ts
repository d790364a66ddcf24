import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Assembly } from '../../exporter/app/assemble.js';
import { assembleReplay } from '../../exporter/app/replay-assembly.js';
import { createLogger } from '../../exporter/base/logger.js';
import { configSchema } from '../../exporter/config/schema.js';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { type ScenarioName, type SimulatedItem, scenarioEvents } from '../../exporter/simulate/index.js';
import { traceSinkFactory } from '../../exporter/sinks/traces/factory.js';
import { replayFiles } from '../../exporter/sources/file-replay.js';

/** Writes items as a JSON Lines file, the way `dvm-exporter replay` reads them. */
export function writeJsonl(items: readonly SimulatedItem[]): { file: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dvm-traces-'));
  const file = join(dir, 'events.jsonl');
  writeFileSync(file, `${items.map((item) => item.line).join('\n')}\n`);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `dvm-exporter replay` with only the traces sink: the real assembly, pipeline, job index and factory. */
export async function replayWithTraces(files: readonly string[], otlpEndpoint: string): Promise<Assembly> {
  const config = configSchema.parse({ tracing: { otlpEndpoint, serviceName: 'dvm-exporter' } });
  const assembly = await assembleReplay(config, {
    logger: createLogger('silent', false),
    sinks: [traceSinkFactory],
  });
  try {
    await replayFiles(assembly.pipeline, files);
  } finally {
    await assembly.close();
  }
  return assembly;
}

/** The scenario's events, by the order they were written in the story. */
export function scenario(name: ScenarioName): { items: SimulatedItem[]; events: NostrEvent[] } {
  const items = scenarioEvents(name);
  return { items, events: items.map((item) => item.event as NostrEvent) };
}
