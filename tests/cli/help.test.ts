import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../exporter/cli/program.js';
import { configSchema } from '../../exporter/config/schema.js';
import { runCli } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';

const commands = buildProgram().commands.map((command) => command.name());

describe('dvm-exporter CLI', () => {
  it('has the commands the README documents', () => {
    expect([...commands].sort()).toEqual(['check-config', 'replay', 'run', 'simulate', 'sql']);
  });

  it.each(['', ...commands])('prints --help for %s and exits 0', async (command) => {
    const args = command ? [command, '--help'] : ['--help'];
    const { code, stdout } = await runCli(args);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: dvm-exporter${command ? ` ${command}` : ''}`);
  });

  it.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['replay', '--frobnicate', 'x.jsonl'], "unknown option '--frobnicate'"],
    [['replay'], "missing required argument 'files'"],
  ])('exits 2 with a one-line reason for %j', async (args, reason) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(reason);
  });

  it('names in --help every log level the configuration accepts', () => {
    const run = buildProgram().commands.find((command) => command.name() === 'run')!;
    const help = run.options.find((option) => option.long === '--log-level')!.description;
    const accepted = configSchema.shape.logLevel.unwrap().options;
    expect(accepted).toContain('fatal');
    for (const level of accepted) expect(help).toMatch(new RegExp(`\\b${level}\\b`));
  });

  it('documents every flag of run in docs/configuration.md', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8');
    const run = buildProgram().commands.find((command) => command.name() === 'run')!;
    const flags = run.options.map((option) => option.long!);
    expect(flags).toContain('--shutdown-timeout');
    expect(flags.filter((flag) => !new RegExp(`\`${flag}[\` ]`).test(doc))).toEqual([]);
  });

  it('prints its version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
