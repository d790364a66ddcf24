import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { type Config, LOG_LEVELS } from '../config/schema.js';

/** Flags shared by the commands that build a pipeline (`run`, `replay`): config sources and sinks. */
export function addPipelineOptions(command: Command): Command {
  return command
    .option('--config <file>', 'YAML or JSON config file (env: DVM_EXPORTER_CONFIG)')
    .option('--data-dir <dir>', 'local state and the embedded ClickHouse store (default ./data)')
    .option(
      '--clickhouse-url <url>',
      'store into a ClickHouse server instead: http(s)://user:pass@host:8123/db',
    )
    .option('--no-store', 'do not write history to ClickHouse')
    .option('--otlp-endpoint <url>', 'send job traces over OTLP/HTTP (also OTEL_EXPORTER_OTLP_ENDPOINT)')
    .option('--log-level <level>', `${LOG_LEVELS.slice(0, -1).join(', ')} or ${LOG_LEVELS.at(-1)}`);
}

export interface PipelineFlags {
  readonly config?: string;
  readonly dataDir?: string;
  readonly clickhouseUrl?: string;
  /** commander's --no-store: false when given. */
  readonly store?: boolean;
  readonly otlpEndpoint?: string;
  readonly logLevel?: string;
}

/** Turns the shared flags into config overrides and loads the full configuration. */
export function configFromFlags(flags: PipelineFlags, extra: Record<string, unknown> = {}): Config {
  const overrides: Record<string, unknown> = { ...extra };
  if (flags.dataDir !== undefined) overrides.dataDir = flags.dataDir;
  if (flags.logLevel !== undefined) overrides.logLevel = flags.logLevel;
  const clickhouse: Record<string, unknown> = {};
  if (flags.clickhouseUrl !== undefined) clickhouse.url = flags.clickhouseUrl;
  if (flags.store === false) clickhouse.enabled = false;
  if (Object.keys(clickhouse).length > 0) overrides.clickhouse = clickhouse;
  if (flags.otlpEndpoint !== undefined) overrides.tracing = { otlpEndpoint: flags.otlpEndpoint };
  return loadConfig({ file: flags.config, env: process.env, overrides });
}
