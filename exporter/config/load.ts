import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../base/errors.js';
import { nearest } from '../base/nearest.js';
import { MASK, redactUrl } from '../base/redact.js';
import { type Config, configSchema } from './schema.js';

/**
 * Loads the configuration: defaults < config file (YAML or JSON) < DVM_EXPORTER_* environment < flags.
 * Every problem is a UsageError that names the field, so the CLI exits 2 with one clear line.
 */

export const ENV_PREFIX = 'DVM_EXPORTER_';

/**
 * Short names kept for compose files and docs; every field also has its full path name. Setting both
 * names of one field to different values is refused: neither silently wins.
 */
const ENV_ALIASES: Readonly<Record<string, string>> = {
  RELAYS: 'ingest.relays',
};

/** Names the config file, like --config. */
export const CONFIG_FILE_ENV = `${ENV_PREFIX}CONFIG`;

/** DVM_EXPORTER_* variables read outside the config schema (set by the image build). */
const OTHER_ENV = ['REVISION'] as const;

type Json = Record<string, unknown>;

export interface LoadConfigInput {
  /** Path of a YAML/JSON config file; DVM_EXPORTER_CONFIG when absent. */
  readonly file?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  /** Values from flags, shaped like the config (only the fields that were given). */
  readonly overrides?: Json;
}

export function loadConfig(input: LoadConfigInput = {}): Config {
  const env = input.env ?? {};
  const file = input.file ?? env[CONFIG_FILE_ENV];
  let merged: Json = {};
  if (file) merged = deepMerge(merged, readConfigFile(file));
  merged = deepMerge(merged, configFromEnv(env));
  merged = deepMerge(merged, input.overrides ?? {});
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new UsageError(describeIssue(parsed.error.issues[0]));
  return parsed.data;
}

function readConfigFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`config file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new UsageError(`config file ${path}: ${describeYamlError(error)}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new UsageError(`config file ${path}: not a mapping`);
  return value as Json;
}

/**
 * "line 2, column 1: Missing closing "quote". The yaml package's message ends with the position and a
 * colon before a multi-line excerpt; its `linePos` gives the position on its own.
 */
function describeYamlError(error: unknown): string {
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  const what = first.replace(/ at line \d+, column \d+:?\s*$/, '').trim() || 'not valid YAML';
  const at = (error as { linePos?: readonly { line: number; col: number }[] }).linePos?.[0];
  return at ? `line ${at.line}, column ${at.col}: ${what}` : what;
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid configuration';
  const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    const paths = keys.map((k) => (issue.path.length ? `${field}.${k}` : k));
    const known = new Set(
      LEAVES.flatMap((leaf) => leaf.path.map((_, i) => leaf.path.slice(0, i + 1).join('.'))),
    );
    return `config: unknown field ${paths.join(', ')}${suggestion(paths[0] ?? '', known)}`;
  }
  return `config: ${field}: ${issue.message}`;
}

/** A leaf field of the schema: its dotted path and the kind of value it holds. */
interface Leaf {
  readonly path: readonly string[];
  readonly type: 'string' | 'number' | 'boolean' | 'array' | 'record';
}

interface SchemaNode {
  readonly def: {
    readonly type: string;
    readonly innerType?: SchemaNode;
    readonly shape?: Record<string, SchemaNode>;
  };
}

function unwrap(node: SchemaNode): SchemaNode {
  let current = node;
  while ((current.def.type === 'default' || current.def.type === 'optional') && current.def.innerType) {
    current = current.def.innerType;
  }
  return current;
}

function leavesOf(node: SchemaNode, path: string[] = []): Leaf[] {
  const inner = unwrap(node);
  if (inner.def.type === 'object' && inner.def.shape) {
    return Object.entries(inner.def.shape).flatMap(([key, child]) => leavesOf(child, [...path, key]));
  }
  const type = inner.def.type;
  const leafType: Leaf['type'] =
    type === 'number' || type === 'boolean' || type === 'array' || type === 'record' ? type : 'string';
  return [{ path, type: leafType }];
}

const LEAVES: readonly Leaf[] = leavesOf(configSchema as unknown as SchemaNode);

/** `ingest.reconnectMinSeconds` -> `INGEST_RECONNECT_MIN_SECONDS`. */
export function envNameOf(path: readonly string[]): string {
  return path.map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

/** Every environment variable the exporter reads, for docs and `check-config`. */
export function environmentVariables(): string[] {
  return [
    ...LEAVES.map((leaf) => ENV_PREFIX + envNameOf(leaf.path)),
    ...Object.keys(ENV_ALIASES).map((alias) => ENV_PREFIX + alias),
    CONFIG_FILE_ENV,
    ...OTHER_ENV.map((name) => ENV_PREFIX + name),
  ];
}

/** Environment name (without the prefix) -> the field it sets; derived from the schema. */
const FIELD_BY_ENV: ReadonlyMap<string, Leaf> = (() => {
  const byName = new Map<string, Leaf>();
  const add = (name: string, leaf: Leaf) => {
    // Two fields must never share a variable (say `a.bC` and `a.b.c`): the schema would be ambiguous.
    const other = byName.get(name);
    if (other)
      throw new Error(
        `${ENV_PREFIX}${name} would set both ${other.path.join('.')} and ${leaf.path.join('.')}`,
      );
    byName.set(name, leaf);
  };
  for (const leaf of LEAVES) add(envNameOf(leaf.path), leaf);
  for (const [alias, target] of Object.entries(ENV_ALIASES)) {
    const leaf = LEAVES.find((l) => l.path.join('.') === target);
    if (!leaf) throw new Error(`environment alias ${alias}: no field ${target}`);
    add(alias, leaf);
  }
  return byName;
})();

function suggestion(name: string, known: Iterable<string>): string {
  const near = nearest(name, known);
  return near === null ? '' : ` (did you mean ${near}?)`;
}

/**
 * The DVM_EXPORTER_* variables as config. As strict as a config file: a name that is no field (nor the
 * config file, nor a variable read elsewhere) is refused with the nearest valid name, and two names of
 * one field set to different values are refused.
 */
function configFromEnv(env: NodeJS.ProcessEnv): Json {
  const result: Json = {};
  const known = new Set(environmentVariables());
  const setBy = new Map<string, { name: string; value: string }>();
  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    if (!known.has(name))
      throw new UsageError(`config: unknown environment variable ${name}${suggestion(name, known)}`);
    const leaf = FIELD_BY_ENV.get(name.slice(ENV_PREFIX.length));
    if (!leaf) continue;
    const field = leaf.path.join('.');
    const value = coerce(raw, leaf, name);
    const earlier = setBy.get(field);
    if (earlier && earlier.value !== JSON.stringify(value))
      throw new UsageError(
        `config: ${earlier.name} and ${name} both set ${field} to different values; set only one`,
      );
    setBy.set(field, { name, value: JSON.stringify(value) });
    setPath(result, leaf.path, value);
  }
  return result;
}

function coerce(raw: string, leaf: Leaf, name: string): unknown {
  const text = raw.trim();
  switch (leaf.type) {
    case 'number': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n))
        throw new UsageError(`config: ${name}: expected a number, got "${raw}"`);
      return n;
    }
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      throw new UsageError(`config: ${name}: expected true or false, got "${raw}"`);
    case 'array':
      return text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'record':
      return Object.fromEntries(
        text
          .split(',')
          .map((pair) => pair.trim())
          .filter((pair) => pair !== '')
          .map((pair) => {
            const eq = pair.indexOf('=');
            // Not echoed: these are headers, whose values are often credentials.
            if (eq <= 0) throw new UsageError(`config: ${name}: expected key=value pairs, one has no "="`);
            return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
          }),
      );
    default:
      return raw;
  }
}

function setPath(target: Json, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Json;
  }
  node[path[path.length - 1] as string] = value;
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges `over` into `base`; arrays and scalars replace, mappings merge. */
export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

const mask = (secret: string | undefined) => (secret === undefined || secret === '' ? secret : MASK);

/**
 * Copy of the config safe to print or log: every URL through `redactUrl` (relays, the ClickHouse
 * server, the OTLP endpoint), every header value, key and token masked.
 */
export function redactConfig(config: Config): Config {
  const maskUrl = (url: string | undefined) => (url === undefined ? undefined : redactUrl(url));
  return {
    ...config,
    ingest: { ...config.ingest, relays: config.ingest.relays.map(redactUrl) },
    clickhouse: { ...config.clickhouse, url: maskUrl(config.clickhouse.url) },
    tracing: {
      ...config.tracing,
      otlpEndpoint: maskUrl(config.tracing.otlpEndpoint),
      headers: Object.fromEntries(Object.keys(config.tracing.headers).map((k) => [k, MASK])),
    },
    notify: {
      ...config.notify,
      secretKey: mask(config.notify.secretKey),
      webhookToken: mask(config.notify.webhookToken),
    },
    probe: { ...config.probe, secretKey: mask(config.probe.secretKey) },
  };
}
