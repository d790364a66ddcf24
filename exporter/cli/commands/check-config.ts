import type { Command } from 'commander';
import { MASK, redactUrl } from '../../base/redact.js';
import { redactConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { notifierSettings } from '../../notify/index.js';
import { probePublicKeys } from '../../probe/index.js';
import { resolveOtlpTarget } from '../../sinks/traces/otlp-target.js';
import { addRunOptions, type RunFlags, runConfigFromFlags } from './run.js';

type Env = Readonly<Record<string, string | undefined>>;

export function register(program: Command): void {
  const command = program
    .command('check-config')
    .description(
      'validate the configuration (defaults < --config file < DVM_EXPORTER_* environment < flags) and print the effective one, with where traces go; exit 2 naming the bad field',
    );
  addRunOptions(command).action((flags: RunFlags) => {
    const config = runConfigFromFlags(flags);
    notifierSettings(config); // half-configured notifications are a config error here too
    probePublicKeys(config);
    process.stdout.write(`${JSON.stringify(checkConfigOutput(config, process.env), null, 2)}\n`);
  });
}

/** Where traces are sent, from whichever source decided it (config, flag or OTEL_* variables), redacted. */
export interface EffectiveTracing {
  readonly endpoint: string;
  readonly source: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number | null;
}

/** The config safe to print, and `effectiveTracing`: null when no trace is sent. */
export function checkConfigOutput(
  config: Config,
  env: Env,
): Config & { readonly effectiveTracing: EffectiveTracing | null } {
  const target = resolveOtlpTarget(config.tracing, env);
  return {
    ...redactConfig(config),
    effectiveTracing: target && {
      endpoint: redactUrl(target.url),
      source: target.source,
      headers: Object.fromEntries(Object.keys(target.headers).map((name) => [name, MASK])),
      timeoutMillis: target.timeoutMillis,
    },
  };
}
