import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../exporter/model/dvm-event.js';
import { DEFAULT_SIMULATION, type SimulatedItem, simulate } from '../../exporter/simulate/index.js';
import { runCli } from '../support/cli.js';
import { REAL_EVENTS_DIR } from '../support/paths.js';

const GOLDEN = join(import.meta.dirname, 'golden', 'replay-simulation.json');
const SIMULATION = { ...DEFAULT_SIMULATION, durationSeconds: 900 };

let items: SimulatedItem[];
let file: string;

beforeAll(() => {
  items = [...simulate(SIMULATION)];
  file = join(mkdtempSync(join(tmpdir(), 'dvm-replay-')), 'sim.jsonl');
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
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(GOLDEN))
      writeFileSync(GOLDEN, `${JSON.stringify(summary, null, 2)}\n`);
    expect(summary).toEqual(JSON.parse(readFileSync(GOLDEN, 'utf8')));
  });

  it('reads relay messages, gzip and stdin the same way as bare events', async () => {
    const lines = items.slice(0, 300).map((item) => item.line);
    const dir = mkdtempSync(join(tmpdir(), 'dvm-replay-'));
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

  it('prints a readable summary without --json', async () => {
    const { code, stdout } = await runCli([
      'replay',
      '--no-store',
      join(REAL_EVENTS_DIR, 'rust-nostr-nostr/events.jsonl'),
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^read +1\naccepted +1\n/);
    expect(stdout).toContain('roles       result 1');
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
});
