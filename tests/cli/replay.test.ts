import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../exporter/model/dvm-event.js';
import { DEFAULT_SIMULATION, type SimulatedItem, simulate } from '../../exporter/simulate/index.js';
import { removeOwner, writeOwner } from '../../exporter/store/owner-file.js';
import { Store } from '../../exporter/store/store.js';
import { embeddedStorePath } from '../../exporter/store/target.js';
import { runCli } from '../support/cli.js';
import { expectGolden } from '../support/golden.js';
import { REAL_EVENTS_DIR } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

const GOLDEN = join(import.meta.dirname, 'golden', 'replay-simulation.json');
const SIMULATION = { ...DEFAULT_SIMULATION, durationSeconds: 900 };

let items: SimulatedItem[];
let file: string;

beforeAll(() => {
  items = [...simulate(SIMULATION)];
  file = join(tempDir('dvm-replay-'), 'sim.jsonl');
  writeFileSync(file, items.map((item) => `${item.line}\n`).join(''));
});

/** The summary a correct pipeline gives, derived from what the simulator says each item is. */
function expectedSummary(simulated: readonly SimulatedItem[]) {
  const rejected: Record<string, number> = {};
  const roles = Object.fromEntries(ROLES.map((role) => [role, 0]));
  let accepted = 0;
  let duplicates = 0;
  for (const { expect: outcome } of simulated) {
    if (outcome.outcome === 'accepted') {
      accepted++;
      roles[outcome.role] = (roles[outcome.role] ?? 0) + 1;
    } else if (outcome.outcome === 'duplicate') duplicates++;
    else rejected[outcome.reason] = (rejected[outcome.reason] ?? 0) + 1;
  }
  return { read: simulated.length, accepted, duplicates, rejected, roles };
}

describe('dvm-exporter replay', () => {
  it('summarises simulator traffic exactly as the simulator describes it, and matches the golden summary', async () => {
    const { code, stdout, stderr } = await runCli(['replay', '--json', '--no-store', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    const { jobs, ...counts } = summary;
    expect(counts).toEqual(expectedSummary(items));
    expect(jobs).toBeGreaterThan(0);
    expectGolden(GOLDEN, `${JSON.stringify(summary, null, 2)}\n`);
  });

  it('reads relay messages, gzip and stdin the same way as bare events', async () => {
    const lines = items.slice(0, 300).map((item) => item.line);
    const dir = tempDir('dvm-replay-');
    const framed = join(dir, 'framed.jsonl.gz');
    const asFrames = lines
      .map((line) => (line.startsWith('{') ? `["EVENT","sub",${line}]` : line))
      .concat('["EOSE","sub"]');
    writeFileSync(framed, gzipSync(`${asFrames.join('\n')}\n`));
    const plain = await runCli(['replay', '--json', '--no-store', '-'], { input: `${lines.join('\n')}\n` });
    const gz = await runCli(['replay', '--json', '--no-store', framed]);
    expect(plain.code).toBe(0);
    expect(gz.code).toBe(0);
    expect(JSON.parse(gz.stdout)).toEqual(JSON.parse(plain.stdout));
  });

  it('gives the documented outcome for every real event in the fixtures', async () => {
    const files = [
      'dvmdash-embedded-requests/events.jsonl',
      'gabrielmoura-nostr-relay-server/events.jsonl',
      'nostr-dev-kit-ndk/events.jsonl',
      'nostur-com-nostur-ios-public/events.jsonl',
      'rust-nostr-nostr/events.jsonl',
      'rust-nostr-nostr/embedded-request-invalid-id.jsonl',
      'vertex-lab-relay-readme/events.jsonl',
    ].map((f) => join(REAL_EVENTS_DIR, f));
    const { code, stdout } = await runCli(['replay', '--json', '--no-store', ...files]);
    expect(code).toBe(0);
    // README of the fixtures: 28 events, 19 with a valid id and signature; the 9 others were edited after
    // signing. Of the valid ones, the three 31990 app handlers are not DVMs.
    expect(JSON.parse(stdout)).toMatchObject({
      read: 28,
      accepted: 16,
      duplicates: 0,
      rejected: { bad_id: 9, not_dvm: 3 },
      roles: { request: 11, result: 2, feedback: 1, recommendation: 2, announcement: 0 },
    });
  });

  it('prints a readable summary without --json, and one line of totals and time on stderr', async () => {
    const { code, stdout, stderr } = await runCli([
      'replay',
      '--no-store',
      join(REAL_EVENTS_DIR, 'rust-nostr-nostr/events.jsonl'),
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^read +1\naccepted +1\n/);
    expect(stdout).toContain('roles       result 1');
    expect(stderr).toMatch(/^replay: 1 line from 1 input in \d+\.\d s \(\d+ lines\/s\), 1 accepted\n$/);
  });

  it('exits 2 with one line when a file cannot be read or the config is bad', async () => {
    const missing = await runCli(['replay', '--no-store', '/nonexistent.jsonl']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('/nonexistent.jsonl');
    const bad = await runCli(['replay', '--no-store', file], { env: { DVM_EXPORTER_JOBS_MAX_JOBS: '-3' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^dvm-exporter: config: jobs\.maxJobs: /);
  });

  it('refuses a directory as --metrics-out before replaying, with one line and no temp file', async () => {
    const dir = tempDir('dvm-replay-');
    const target = join(dir, 'adir');
    mkdirSync(target);
    const run = await runCli(['replay', '--no-store', '--metrics-out', target, file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`dvm-exporter: --metrics-out ${target} is a directory; give a file path\n`);
    expect(run.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['adir']);
  });

  it('says in one line why --metrics-out cannot be written, and leaves no temp file', async () => {
    const dir = tempDir('dvm-replay-');
    writeFileSync(join(dir, 'plain'), '');
    // A file where a folder should be: the system refuses it after the replay.
    const target = join(dir, 'plain', 'metrics.prom');
    const run = await runCli(['replay', '--json', '--no-store', '--metrics-out', target, file]);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^dvm-exporter: E[A-Z]+: .*plain/),
    ]);
    expect(readdirSync(dir)).toEqual(['plain']);
  });
});

describe('a data directory whose store another process holds', () => {
  let dataDir: string;
  let store: Store;
  beforeAll(async () => {
    // This test process holds the store, as a running `replay` would, and says so in the owner file.
    dataDir = tempDir('dvm-replay-held-');
    store = await Store.open({ kind: 'embedded', path: embeddedStorePath(dataDir) }, { create: true });
    writeOwner(dataDir, {
      pid: process.pid,
      mode: 'replay',
      sqlUrl: null,
      startedAt: '2026-01-01T00:00:00.000Z',
      version: 'test',
    });
  });
  afterAll(async () => {
    removeOwner(dataDir);
    await store.close();
  });

  it('is refused by replay in one line naming the process that holds it', async () => {
    const run = await runCli(['replay', '--data-dir', dataDir, file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `dvm-exporter: the store in ${dataDir} is in use by process ${process.pid} (dvm-exporter replay, since 2026-01-01T00:00:00.000Z); stop it or use another --data-dir\n`,
    );
  });

  it('is refused by sql in one line, without the exception the engine prints', async () => {
    const run = await runCli(['sql', '--data-dir', dataDir, 'SELECT 1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `dvm-exporter: the store in ${dataDir} is held by process ${process.pid} (dvm-exporter replay, since 2026-01-01T00:00:00.000Z) and it serves no SQL endpoint; retry when it has stopped\n`,
    );
  });
});
