import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNativeVerifier } from '../../exporter/model/verify-native.js';
import { DEFAULT_SIMULATION, simulate } from '../../exporter/simulate/index.js';
import { CLI, runProcess } from '../support/cli.js';

/** `replay` says which verifier runs, in its debug log and on dvm_exporter_build_info; config can force nostr-wasm. */
let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvm-cli-verifier-'));
  file = join(dir, 'traffic.jsonl');
  const lines = [...simulate({ ...DEFAULT_SIMULATION, durationSeconds: 300, requestsPerMinute: 20 })].map(
    (i) => i.line,
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function replay(env: Record<string, string>, name: string) {
  const out = join(dir, `${name}.prom`);
  const result = await runProcess(
    process.execPath,
    [CLI, 'replay', '--no-store', '--log-level', 'debug', '--data-dir', dir, '--metrics-out', out, file],
    { env: { PATH: process.env.PATH ?? '', ...env } },
  );
  expect(result.code, result.stderr).toBe(0);
  const buildInfo = readFileSync(out, 'utf8').match(/^dvm_exporter_build_info\{.*\} 1$/m)?.[0] ?? '';
  const logged = result.stderr
    .split('\n')
    .filter((line) => line.includes('"signature verifier"'))
    .map((line) => JSON.parse(line) as { verifier: string; threads: number });
  return { stdout: result.stdout, buildInfo, logged };
}

describe('replay names its verifier', () => {
  it('forced to nostr-wasm by DVM_EXPORTER_PIPELINE_VERIFIER=wasm, with the same summary', async () => {
    const wasm = await replay({ DVM_EXPORTER_PIPELINE_VERIFIER: 'wasm' }, 'wasm');
    expect(wasm.buildInfo).toContain('verifier="nostr-wasm"');
    expect(wasm.logged).toEqual([expect.objectContaining({ verifier: 'nostr-wasm', threads: 2 })]);
    const auto = await replay({ DVM_EXPORTER_PIPELINE_VERIFY_THREADS: '0' }, 'auto');
    const name = loadNativeVerifier().ok ? 'bcrypto-libsecp256k1' : 'nostr-wasm';
    expect(auto.buildInfo).toContain(`verifier="${name}"`);
    expect(auto.logged).toEqual([expect.objectContaining({ verifier: name, threads: 0 })]);
    expect(auto.stdout).toBe(wasm.stdout);
  });
});
