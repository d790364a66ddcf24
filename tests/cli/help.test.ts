import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../exporter/cli/program.js';
import { runCli } from '../support/cli.js';

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

  it('prints its version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
