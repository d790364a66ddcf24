import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyEvent } from 'nostr-tools/pure';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { DEFAULT_SIMULATION, type SimulatedItem, simulate } from '../../exporter/simulate/index.js';
import { kindLabel } from '../../exporter/sinks/metrics/kind-label.js';
import { runCli } from '../support/cli.js';
import { expectGolden } from '../support/golden.js';
import { REAL_EVENTS_DIR } from '../support/paths.js';
import { tempDir } from '../support/temp.js';
import { parseExposition, seriesOf } from './exposition-parse.js';

const GOLDEN = join(import.meta.dirname, 'golden', 'replay-simulation.prom');
const SIMULATION = { ...DEFAULT_SIMULATION, durationSeconds: 1_800 };

/** What differs between builds, not between runs: the build_info labels. */
function normalised(exposition: string): string {
  return exposition.replace(
    /^dvm_exporter_build_info\{.*\} 1$/m,
    'dvm_exporter_build_info{version="*",revision="*",nodejs_version="*"} 1',
  );
}

async function replayMetrics(files: readonly string[]): Promise<string> {
  const out = join(tempDir('dvm-metrics-out-'), 'metrics.prom');
  const { code, stderr } = await runCli(['replay', '--json', '--no-store', '--metrics-out', out, ...files]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return readFileSync(out, 'utf8');
}

const key = (labels: Record<string, string>) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

function increment(counts: Record<string, number>, labels: Record<string, string>): void {
  const k = key(labels);
  counts[k] = (counts[k] ?? 0) + 1;
}

describe('replay --metrics-out', () => {
  describe('on simulator traffic', () => {
    let items: SimulatedItem[];
    let exposition: string;
    beforeAll(async () => {
      items = [...simulate(SIMULATION)];
      const file = join(tempDir('dvm-metrics-sim-'), 'sim.jsonl');
      writeFileSync(file, items.map((item) => `${item.line}\n`).join(''));
      exposition = await replayMetrics([file]);
    }, 120_000);

    it('counts every accepted event by role, as the simulator describes them', () => {
      const expected: Record<string, number> = {};
      for (const item of items)
        if (item.expect.outcome === 'accepted') increment(expected, { role: item.expect.role });
      const accepted = seriesOf(parseExposition(exposition), 'dvm_exporter_accepted_events_total');
      expect(Object.fromEntries(Object.entries(accepted).filter(([, n]) => n > 0))).toEqual(expected);
    });

    it('matches the golden exposition (`npm run golden` rewrites it)', () => {
      expectGolden(GOLDEN, normalised(exposition));
    });
  });

  describe('on the real fixtures', () => {
    const files = readdirSync(REAL_EVENTS_DIR, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.jsonl'))
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
    const events: NostrEvent[] = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as NostrEvent),
    );
    /** Checked with nostr-tools, independently of the exporter's own verifier. */
    const valid = events.filter((event) =>
      verifyEvent({ ...event, tags: event.tags.map((tag) => [...tag]) }),
    );
    let samples: ReturnType<typeof parseExposition>;
    beforeAll(async () => {
      samples = parseExposition(await replayMetrics(files));
    }, 60_000);

    it('counts the valid requests, results and feedback they contain, and nothing else', () => {
      const requests: Record<string, number> = {};
      const results: Record<string, number> = {};
      const feedback: Record<string, number> = {};
      const requestKinds = new Map(
        valid.filter((e) => e.kind >= 5000 && e.kind <= 5999).map((e) => [e.id, e.kind]),
      );
      const encrypted = (event: NostrEvent) => String(event.tags.some((t) => t[0] === 'encrypted'));
      for (const event of valid) {
        if (event.kind >= 5000 && event.kind <= 5999) {
          increment(requests, { kind: kindLabel(event.kind), encrypted: encrypted(event) });
        } else if (event.kind >= 6000 && event.kind <= 6999) {
          increment(results, {
            kind: kindLabel(event.kind - 1000),
            dvm: event.pubkey,
            encrypted: encrypted(event),
          });
        } else if (event.kind === 7000) {
          const requestId = event.tags.find((t) => t[0] === 'e')?.[1] ?? '';
          const kind = requestKinds.get(requestId);
          const status = event.tags.find((t) => t[0] === 'status')?.[1] ?? 'unknown';
          increment(feedback, {
            kind: kind === undefined ? 'unknown' : kindLabel(kind),
            dvm: event.pubkey,
            status,
          });
        }
      }
      expect(Object.keys(requests).length).toBeGreaterThan(0);
      expect(Object.keys(results).length).toBeGreaterThan(0);
      expect(seriesOf(samples, 'dvm_job_requests_total')).toEqual(requests);
      expect(seriesOf(samples, 'dvm_job_results_total')).toEqual(results);
      expect(seriesOf(samples, 'dvm_job_feedback_total')).toEqual(feedback);
    });

    it('labels exactly the DVMs that answered, and rejects every invalid event', () => {
      const answering = new Set(valid.filter((e) => e.kind >= 6000 && e.kind <= 7000).map((e) => e.pubkey));
      const info = samples.filter((s) => s.name === 'dvm_info').map((s) => s.labels.dvm);
      expect(new Set(info)).toEqual(answering);
      const rejected = samples
        .filter((s) => s.name === 'dvm_exporter_rejected_events_total')
        .reduce((sum, s) => sum + s.value, 0);
      const accepted = samples
        .filter((s) => s.name === 'dvm_exporter_accepted_events_total')
        .reduce((sum, s) => sum + s.value, 0);
      expect(accepted + rejected).toBe(events.length);
      expect(rejected).toBeGreaterThanOrEqual(events.length - valid.length);
    });
  });
});
