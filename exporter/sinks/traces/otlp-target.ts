import { UsageError } from '../../base/errors.js';
import { redactUrl } from '../../base/redact.js';
import type { Config } from '../../config/schema.js';

/** Where traces go: the OTLP/HTTP traces URL and the headers sent with every export. */
export interface OtlpTarget {
  readonly url: string;
  /** Where the URL came from: `tracing.otlpEndpoint` or the OTEL_EXPORTER_OTLP_* variable used. */
  readonly source: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Per-export timeout (retries included) from OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT; null for the default. */
  readonly timeoutMillis: number | null;
}

type Env = Readonly<Record<string, string | undefined>>;

const TRACES_PATH = 'v1/traces';

function nonEmpty(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function checkedUrl(value: string, source: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw new UsageError(`${source}: not an http(s) URL: ${redactUrl(value)}`);
}

/** A base endpoint gets `/v1/traces` appended (as OTEL_EXPORTER_OTLP_ENDPOINT does); a full one is kept. */
function tracesUrlFromBase(value: string, source: string): string {
  const url = checkedUrl(value, source);
  if (url.pathname.replace(/\/+$/, '').endsWith(`/${TRACES_PATH}`)) return url.href;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${TRACES_PATH}`;
  return url.href;
}

/** `key=value,key2=value2` with URL-encoded values, as the OTEL_EXPORTER_OTLP_*HEADERS variables hold. */
export function parseOtlpHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of (text ?? '').split(',')) {
    const separator = entry.indexOf('=');
    if (separator <= 0) continue;
    const key = entry.slice(0, separator).trim();
    const raw = entry.slice(separator + 1).trim();
    if (!key) continue;
    try {
      headers[decodeURIComponent(key)] = decodeURIComponent(raw);
    } catch {
      headers[key] = raw;
    }
  }
  return headers;
}

function timeoutFromEnv(env: Env): number | null {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT']) {
    const text = nonEmpty(env[name]);
    if (text === null) continue;
    const millis = Number(text);
    if (!Number.isInteger(millis) || millis <= 0)
      throw new UsageError(`${name}: expected milliseconds, got ${text}`);
    return millis;
  }
  return null;
}

/**
 * Resolves the trace target, or null when tracing is off. The exporter's own setting (config file,
 * DVM_EXPORTER_TRACING_*, --otlp-endpoint) wins over the standard variables; of those the
 * traces-specific OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as given and OTEL_EXPORTER_OTLP_ENDPOINT
 * as a base that `/v1/traces` is appended to. Headers merge general < traces-specific < configured.
 * OTEL_SDK_DISABLED=true turns tracing off whatever else is set.
 */
export function resolveOtlpTarget(tracing: Config['tracing'], env: Env): OtlpTarget | null {
  if (nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true') return null;
  let url: string | null = null;
  let source = 'tracing.otlpEndpoint';
  if (tracing.otlpEndpoint) {
    url = tracesUrlFromBase(tracing.otlpEndpoint, source);
  } else {
    const specific = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
    const general = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
    if (specific) {
      source = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';
      url = checkedUrl(specific, source).href;
    } else if (general) {
      source = 'OTEL_EXPORTER_OTLP_ENDPOINT';
      url = tracesUrlFromBase(general, source);
    }
  }
  if (url === null) return null;
  return {
    url,
    source,
    headers: {
      ...parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
      ...parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
      ...tracing.headers,
    },
    timeoutMillis: timeoutFromEnv(env),
  };
}
