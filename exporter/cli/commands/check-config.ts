import type { Command } from 'commander';
import { redactConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { redactUrl } from '../../ingest/relay/redact.js';
import { addRunOptions, type RunFlags, runConfigFromFlags } from './run.js';

export function register(program: Command): void {
  const command = program
    .command('check-config')
    .description(
      'validate the configuration (defaults < --config file < DVM_EXPORTER_* environment < flags) and print the effective one; exit 2 naming the bad field',
    );
  addRunOptions(command).action((flags: RunFlags) => {
    const config = runConfigFromFlags(flags);
    process.stdout.write(`${JSON.stringify(redactForDisplay(config), null, 2)}\n`);
  });
}

/** The config safe to print: secrets in sink URLs and headers, and credentials or query tokens in relay URLs. */
export function redactForDisplay(config: Config): Config {
  const redacted = redactConfig(config);
  return { ...redacted, ingest: { ...redacted.ingest, relays: redacted.ingest.relays.map(redactUrl) } };
}
