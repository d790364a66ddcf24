import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../exporter/base/errors.js';
import { environmentVariables, loadConfig, redactConfig } from '../../exporter/config/load.js';
import { DEFAULT_CONFIG, DEFAULT_RELAYS } from '../../exporter/config/schema.js';
import { REPO_ROOT } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

function tempFile(name: string, text: string): string {
  const path = join(tempDir('dvm-config-'), name);
  writeFileSync(path, text);
  return path;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('loadConfig', () => {
  it('gives the defaults when nothing is set', () => {
    const config = loadConfig({ env: {} });
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(config.ingest.relays).toEqual([...DEFAULT_RELAYS]);
    expect(config.dataDir).toBe('./data');
  });

  it('layers file < environment < flags', () => {
    const file = tempFile('c.yaml', 'dataDir: /from/file\nlogLevel: debug\nmetrics:\n  dvmLabelCap: 7\n');
    const config = loadConfig({
      file,
      env: { DVM_EXPORTER_DATA_DIR: '/from/env', DVM_EXPORTER_METRICS_DVM_LABEL_CAP: '9' },
      overrides: { dataDir: '/from/flag' },
    });
    expect(config.dataDir).toBe('/from/flag');
    expect(config.metrics.dvmLabelCap).toBe(9);
    expect(config.logLevel).toBe('debug');
  });

  it('reads DVM_EXPORTER_RELAYS as a comma-separated list and the config file from DVM_EXPORTER_CONFIG', () => {
    const file = tempFile('c.json', '{"listen":"127.0.0.1:1234"}');
    const config = loadConfig({
      env: { DVM_EXPORTER_RELAYS: 'ws://127.0.0.1:7000, wss://relay.example', DVM_EXPORTER_CONFIG: file },
    });
    expect(config.ingest.relays).toEqual(['ws://127.0.0.1:7000', 'wss://relay.example']);
    expect(config.listen).toBe('127.0.0.1:1234');
  });

  it.each([
    [{ overrides: { listen: 'localhost' } }, 'config: listen: must be HOST:PORT'],
    [
      { overrides: { ingest: { relays: ['https://x'] } } },
      'config: ingest.relays.0: must be a ws:// or wss:// URL',
    ],
    [{ overrides: { colour: 'blue' } }, 'config: unknown field colour'],
    [
      { env: { DVM_EXPORTER_JOBS_MAX_JOBS: 'many' } },
      'config: DVM_EXPORTER_JOBS_MAX_JOBS: expected a number, got "many"',
    ],
    [
      { env: { DVM_EXPORTER_CLICKHOUSE_ENABLED: 'maybe' } },
      'config: DVM_EXPORTER_CLICKHOUSE_ENABLED: expected true or false, got "maybe"',
    ],
    [{ file: '/nonexistent/dvm.yaml' }, 'config file /nonexistent/dvm.yaml: ENOENT'],
    [
      { env: { DVM_EXPORTER_METRICS_DVM_LABEL_CAPP: '7' } },
      'config: unknown environment variable DVM_EXPORTER_METRICS_DVM_LABEL_CAPP (did you mean DVM_EXPORTER_METRICS_DVM_LABEL_CAP?)',
    ],
    [
      { env: { DVM_EXPORTER_RELAY: 'ws://127.0.0.1:7000' } },
      'config: unknown environment variable DVM_EXPORTER_RELAY (did you mean DVM_EXPORTER_RELAYS?)',
    ],
    [
      { env: { DVM_EXPORTER_FROBNICATE: '1' } },
      'config: unknown environment variable DVM_EXPORTER_FROBNICATE',
    ],
    [
      { overrides: { metrics: { dvmLabelCapp: 7 } } },
      'config: unknown field metrics.dvmLabelCapp (did you mean metrics.dvmLabelCap?)',
    ],
    [
      { env: { DVM_EXPORTER_INGEST_RELAYS: 'ws://a.example', DVM_EXPORTER_RELAYS: 'ws://b.example' } },
      'config: DVM_EXPORTER_INGEST_RELAYS and DVM_EXPORTER_RELAYS both set ingest.relays to different values; set only one',
    ],
    [
      { overrides: { ingest: { relays: ['ws://bob:pa/ss@host'] } } },
      'config: ingest.relays.0: must be a ws:// or wss:// URL',
    ],
  ])('rejects %j with a message naming the field', (input, message) => {
    const error = errorOf(() => loadConfig({ env: {}, ...input }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(message);
  });

  it('accepts both names of a field set to the same value, and the variables read outside the schema', () => {
    const config = loadConfig({
      env: {
        DVM_EXPORTER_INGEST_RELAYS: 'ws://a.example,ws://b.example',
        DVM_EXPORTER_RELAYS: ' ws://a.example, ws://b.example ',
        DVM_EXPORTER_REVISION: 'abc123',
      },
    });
    expect(config.ingest.relays).toEqual(['ws://a.example', 'ws://b.example']);
  });

  it('derives the environment names from the schema: every field has one, and each is accepted', () => {
    // Every leaf of the defaults (walked here independently of the loader) has a variable that loads.
    const leaves: string[][] = [];
    const walk = (value: unknown, path: string[]) => {
      if (
        value !== null &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        Object.keys(value).length > 0
      )
        for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      else leaves.push(path);
    };
    walk(DEFAULT_CONFIG, []);
    const names = environmentVariables();
    for (const path of leaves) {
      const name = `DVM_EXPORTER_${path.map((p) => p.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()).join('_')}`;
      expect(names, path.join('.')).toContain(name);
    }
  });

  it.each([
    ['listen: "x\n', 'line 2, column 1: Missing closing "quote'],
    ['a: 1\na: 2\n', 'line 2, column 1: Map keys must be unique'],
    ['a: b: c\n', 'line 1, column 4: Nested mappings are not allowed in compact mappings'],
  ])('names where a YAML file breaks, in one line ending with the reason: %j', (text, reason) => {
    const file = tempFile('broken.yaml', text);
    const error = errorOf(() => loadConfig({ env: {}, file }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`config file ${file}: ${reason}`);
  });

  it('lists an environment variable for every field', () => {
    const names = environmentVariables();
    expect(names).toContain('DVM_EXPORTER_RELAYS');
    expect(names).toContain('DVM_EXPORTER_CLICKHOUSE_URL');
    expect(names).toContain('DVM_EXPORTER_TRACING_OTLP_ENDPOINT');
    expect(names).toContain('DVM_EXPORTER_INGEST_LIMITS_MAX_KINDS_PER_FILTER');
  });

  it('masks credentials when the config is printed', () => {
    const config = loadConfig({
      env: {
        DVM_EXPORTER_CLICKHOUSE_URL: 'http://reader:s3cret@ch:8123/dvm',
        DVM_EXPORTER_TRACING_HEADERS: 'x-api-key=abc',
      },
    });
    const shown = JSON.stringify(redactConfig(config));
    expect(shown).not.toContain('s3cret');
    expect(shown).not.toContain('abc');
    expect(shown).toContain('reader:***@ch:8123');
    const relays = loadConfig({
      env: {
        DVM_EXPORTER_RELAYS: 'ws://bob:PW@gamma333@r.example,ws://TOK3N@r.example/,ws://r.example/?token=T0K',
      },
    });
    expect(redactConfig(relays).ingest.relays).toEqual([
      'ws://bob:***@r.example',
      'ws://***@r.example/',
      'ws://r.example/?token=***',
    ]);
  });
});

describe('docs/configuration.md', () => {
  it('documents every environment variable the exporter reads', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8');
    const missing = environmentVariables().filter((name) => !doc.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
