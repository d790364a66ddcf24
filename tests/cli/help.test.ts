import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildProgram, main } from '../../exporter/cli/program.js';
import { configSchema } from '../../exporter/config/schema.js';
import { CLI, type CliResult, runCli } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';

const commands = buildProgram().commands.map((command) => command.name());

class Exit extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

/**
 * Runs `main` of the CLI in this process, as bin/main.js does, with process.exit and the standard streams
 * caught: the same code path as a spawned CLI for commands that end before doing any work (help, usage
 * errors), without starting a Node process for each. The built binary is spawned once, for --version.
 */
async function runMain(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Exit(Number(code ?? 0));
  });
  try {
    await main([process.execPath, CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (error instanceof Exit) return { code: error.code, stdout, stderr };
    throw error;
  } finally {
    vi.restoreAllMocks();
  }
}

describe('dvm-exporter CLI', () => {
  it('has the commands the README documents', () => {
    expect([...commands].sort()).toEqual(['check-config', 'replay', 'run', 'simulate', 'sql']);
  });

  it.each(['', ...commands])('prints --help for %s and exits 0', async (command) => {
    const args = command ? [command, '--help'] : ['--help'];
    const { code, stdout } = await runMain(args);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: dvm-exporter${command ? ` ${command}` : ''}`);
  });

  it.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['replay', '--frobnicate', 'x.jsonl'], "unknown option '--frobnicate'"],
    [['replay'], "missing required argument 'files'"],
  ])('exits 2 with a one-line reason for %j', async (args, reason) => {
    const { code, stderr } = await runMain(args);
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
