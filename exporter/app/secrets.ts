import { urlSecrets, variants } from '../base/redact.js';
import type { Config } from '../config/schema.js';
import { parseOtlpHeaders } from '../sinks/traces/otlp-target.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Every secret string the configuration holds, in the forms it may appear in text: credentials and query
 * values of relay, ClickHouse and OTLP URLs (configured or from OTEL_EXPORTER_OTLP_*), and OTLP header
 * values. The logger masks them wherever they show up, beyond the URL forms `redactText` recognises.
 */
export function configSecrets(config: Config, env: Env = {}): string[] {
  const urls = [
    ...config.ingest.relays,
    config.clickhouse.url,
    config.tracing.otlpEndpoint,
    env.OTEL_EXPORTER_OTLP_ENDPOINT,
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  ].filter((url): url is string => typeof url === 'string' && url !== '');
  const headers = [
    ...Object.values(config.tracing.headers),
    ...Object.values(parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS)),
    ...Object.values(parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS)),
  ];
  // `Bearer TOKEN`, `Basic CREDENTIALS`: the credential alone may show up too.
  const credentials = headers.flatMap((value) => {
    const space = value.indexOf(' ');
    return space === -1 ? [] : [value.slice(space + 1).trim()];
  });
  return [...urls.flatMap(urlSecrets), ...variants([...headers, ...credentials])];
}
