import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATION, simulate } from '../../exporter/simulate/index.js';
import { parseExposition } from '../metrics/exposition-parse.js';
import { runCli } from '../support/cli.js';
import { HOSTILE_STRINGS, hostileEvents, hostileRequest } from '../support/hostile-events.js';

/**
 * `replay` with the embedded store on, fed validly signed hostile events mixed with good traffic: it
 * exits promptly, accounts for every line, stores every accepted event but the counted ones, and
 * writes a valid exposition. The generator is seeded: a failure names its seed.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dvm-exporter-hostile-replay-'));
  dirs.push(dir);
  return dir;
}

interface Summary {
  read: number;
  accepted: number;
  duplicates: number;
  rejected: Record<string, number>;
}

async function replay(lines: readonly string[], env: Record<string, string> = {}) {
  const dir = tempDir();
  const file = join(dir, 'in.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const metricsOut = join(dir, 'metrics.prom');
  const dataDir = join(dir, 'data');
  const result = await runCli(
    ['replay', '--json', '--data-dir', dataDir, '--metrics-out', metricsOut, '--log-level', 'silent', file],
    { env, timeoutMs: 60_000 },
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const summary = JSON.parse(result.stdout) as Summary;
  const samples = parseExposition(readFileSync(metricsOut, 'utf8'));
  const count = async (sql: string) => {
    const answer = await runCli(['sql', '--data-dir', dataDir, '--format', 'json', sql]);
    expect(answer.code).toBe(0);
    return Number(Object.values(JSON.parse(answer.stdout.split('\n')[0] as string))[0]);
  };
  const metric = (name: string, labels: Record<string, string> = {}) =>
    samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
  return { summary, count, metric };
}

const NOW = Math.floor(Date.now() / 1000) - 30;

describe('replay with the store on', () => {
  it('one lone-surrogate event among 200 good ones: exits, stores the 200 (and the one, made well-formed)', {
    timeout: 90_000,
  }, async () => {
    const good = Array.from({ length: 200 }, (_, i) => hostileRequest(`good ${i}`, NOW - i));
    const bad = hostileRequest(HOSTILE_STRINGS.loneHigh as string, NOW);
    const lines = [...good.slice(0, 100), bad, ...good.slice(100)].map((e) => JSON.stringify(e));
    // A queue smaller than the input: the replay must still finish.
    const { summary, count, metric } = await replay(lines, { DVM_EXPORTER_CLICKHOUSE_MAX_QUEUED_ROWS: '50' });
    expect(summary.accepted).toBe(201);
    const ids = good.map((e) => `'${e.id}'`).join(',');
    // The 200 as they were, and the one with U+FFFD for its lone surrogate: 200 + 1 from one query.
    const replaced = `id = '${bad.id}' AND content = '\\xEF\\xBF\\xBD'`;
    expect(
      await count(`SELECT countIf(id IN (${ids})) + 1000 * countIf(${replaced}) FROM events FINAL`),
    ).toBe(1200);
    expect(metric('dvm_exporter_clickhouse_rows_altered_total', { reason: 'lone_surrogate' })).toBe(1);
    expect(metric('dvm_exporter_clickhouse_rows_dropped_total')).toBe(0);
  });

  for (const seed of [1]) {
    it(`hostile strings, numbers and shapes mixed with simulator traffic (seed ${seed})`, {
      timeout: 120_000,
    }, async () => {
      const hostile = hostileEvents(600, seed, NOW).map((e) => JSON.stringify(e));
      const good = [...simulate({ ...DEFAULT_SIMULATION, seed, durationSeconds: 300 })].map(
        (item) => item.line,
      );
      // Interleaved, some framed as a relay sends them, a few twice.
      const lines: string[] = [];
      for (let i = 0; i < Math.max(hostile.length, good.length); i++) {
        const h = hostile[i];
        if (h !== undefined) lines.push(i % 3 === 0 ? `["EVENT","s${i}",${h}]` : h);
        const g = good[i];
        if (g !== undefined) lines.push(g);
        if (i % 50 === 0 && h !== undefined) lines.push(h);
      }
      const { summary, count, metric } = await replay(lines);
      // Every line accounted for.
      const rejected = Object.values(summary.rejected).reduce((a, b) => a + b, 0);
      expect(summary.read).toBe(lines.filter((line) => line.trim() !== '').length);
      expect(summary.accepted + summary.duplicates + rejected).toBe(summary.read);
      expect(summary.accepted).toBeGreaterThan(300);
      // Every accepted event stored, but those counted as not stored.
      const notStored = metric('dvm_exporter_clickhouse_rows_dropped_total', { table: 'events' });
      expect(await count('SELECT count() FROM events FINAL')).toBe(summary.accepted - notStored);
      // Only the counted reason a hostile event can earn: a created_at before 2020.
      expect(notStored).toBe(
        metric('dvm_exporter_clickhouse_rows_dropped_total', { reason: 'created_at_out_of_range' }),
      );
      expect(metric('dvm_exporter_clickhouse_rows_altered_total')).toBeGreaterThan(0);
      expect(metric('dvm_exporter_accepted_events_total')).toBe(summary.accepted);
      // Payment counters never take an implausible amount: below 10 BTC per hostile job at most.
      expect(metric('dvm_payment_requested_millisats_total')).toBeLessThanOrEqual(summary.accepted * 1e12);
      expect(metric('dvm_exporter_implausible_amounts_total')).toBeGreaterThan(0);
    });
  }
});
