import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../exporter/base/errors.js';
import { register } from '../../exporter/cli/commands/simulate.js';
import { runCli } from '../support/cli.js';
import { startTestRelay } from '../support/relay.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const dir = mkdtempSync(join(tmpdir(), 'dvm-simulate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Parses arguments with the command alone, in-process: usage errors surface as exceptions. */
async function parse(args: string[]): Promise<void> {
  const program = new Command('dvm-exporter')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  register(program);
  for (const command of program.commands) command.exitOverride();
  await program.parseAsync(['node', 'dvm-exporter', 'simulate', ...args]);
}

// Each process pays the CLI's start-up; they run side by side and each test awaits its own.
const framesFile = join(dir, 'frames.jsonl');
const runs = {
  a: runCli(['simulate', '--duration', '2m']),
  b: runCli(['simulate', '--duration', '120']),
  c: runCli(['simulate', '--duration', '2m', '--seed', '7']),
  frames: runCli([
    'simulate',
    '--start',
    '2026-03-01T12:00:00Z',
    '--duration',
    '1m',
    '--rate',
    '1/s',
    '--malformed-share',
    '0',
    '--format',
    'relay',
    '--out',
    framesFile,
  ]),
  badValue: runCli(['simulate', '--duration', 'forever']),
};

describe('dvm-exporter simulate', () => {
  it('prints the same bytes for the same seed, different bytes for another', async () => {
    const [a, b, c] = await Promise.all([runs.a, runs.b, runs.c]);
    for (const run of [a, b, c]) expect(run.code, run.stderr).toBe(0);
    expect(sha256(a.stdout)).toBe(sha256(b.stdout));
    expect(sha256(c.stdout)).not.toBe(sha256(a.stdout));
    const lines = a.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(100);
    // stdout carries the events alone; the one-line summary goes to stderr.
    expect(a.stderr).toMatch(
      new RegExp(`^simulate: ${lines.length.toLocaleString('en-US')} lines to stdout in \\d+\\.\\d s\\n$`),
    );
    expect(JSON.parse(lines[0]!).created_at).toBe(1_767_225_600);
  });

  it('writes relay frames to a file, from the given start, at the given rate', async () => {
    const run = await runs.frames;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    const lines = readFileSync(framesFile, 'utf8').trimEnd().split('\n');
    expect(run.stderr).toBe(
      `simulate: ${lines.length} lines to ${framesFile} in ${/in (\d+\.\d s)\n$/.exec(run.stderr)?.[1]}\n`,
    );
    const frames = lines.map((line) => JSON.parse(line));
    for (const frame of frames) {
      expect(frame.slice(0, 2)).toEqual(['EVENT', 'sim']);
      expect(frame[2].created_at).toBeGreaterThanOrEqual(Date.parse('2026-03-01T12:00:00Z') / 1000);
    }
    const requests = frames.filter((frame) => frame[2].kind >= 5000 && frame[2].kind < 6000);
    expect(requests.length).toBeGreaterThan(40);
  });

  it('publishes to a relay and prints what the relay said', async () => {
    const relay = await startTestRelay();
    try {
      // Fifteen minutes of history: without expiration tags (the default when publishing the past), the
      // relay refuses none of it as expired.
      const run = await runCli([
        'simulate',
        '--publish',
        relay.url,
        '--duration',
        '15m',
        '--rate',
        '3',
        '--json',
      ]);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout);
      expect(summary.accepted).toBeGreaterThan(30);
      expect(summary.failed).toBe(0);
      expect(Object.keys(summary.rejected).sort()).toEqual([
        'invalid: id is wrong',
        'invalid: signature is wrong',
      ]);
      expect(summary.sent).toBe(
        summary.accepted +
          summary.duplicates +
          Object.values<number>(summary.rejected).reduce((a, b) => a + b, 0),
      );
      expect(relay.storedEvents().length).toBeGreaterThan(30);
    } finally {
      await relay.stop();
    }
  });

  it('exits non-zero with one line when the relay is unreachable', async () => {
    const relay = await startTestRelay();
    await relay.stop();
    const run = await runCli(['simulate', '--publish', relay.url, '--duration', '1m']);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringContaining(`cannot connect to ${relay.url}`),
    ]);
  });

  it('exits 2 with a one-line reason on a bad value', async () => {
    const run = await runs.badValue;
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^dvm-exporter: --duration must be/),
    ]);
    expect(run.stdout).toBe('');
  });

  it.each([
    [['--seed', '1.5'], /--seed/],
    [['--seed', 'abc'], /--seed/],
    [['--start', 'yesterday'], /--start/],
    [['--duration', '0'], /--duration/],
    [['--duration', '-5m'], /--duration/],
    [['--rate', '0'], /--rate/],
    [['--rate', 'fast'], /--rate/],
    [['--rate', '10/fortnight'], /--rate/],
    [['--malformed-share', '1'], /--malformed-share/],
    [['--malformed-share', 'lots'], /--malformed-share/],
    [['--duplicate-share', '-0.1'], /--duplicate-share/],
    [['--format', 'xml'], /--format/],
    [['--publish', 'http://127.0.0.1:1'], /--publish/],
    [['--speed', '2'], /--speed needs --publish/],
    [['--publish', 'ws://127.0.0.1:1', '--speed', '0'], /--speed/],
    [['--json'], /--json needs --publish/],
  ])('refuses %j', async (args, message) => {
    const error = await parse(args).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses unknown options', async () => {
    await expect(parse(['--bogus'])).rejects.toBeInstanceOf(CommanderError);
  });
});
