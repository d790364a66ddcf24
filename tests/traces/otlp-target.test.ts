import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../exporter/base/logger.js';
import { configSchema } from '../../exporter/config/schema.js';
import type { AssemblyContext } from '../../exporter/pipeline/sink.js';
import { traceSinkFactory } from '../../exporter/sinks/traces/factory.js';
import { parseOtlpHeaders, resolveOtlpTarget } from '../../exporter/sinks/traces/otlp-target.js';

const tracing = (input: object = {}) => configSchema.parse({ tracing: input }).tracing;

describe('where traces go', () => {
  it('is nowhere (tracing off) when neither the config nor OTEL_EXPORTER_OTLP_* names an endpoint', () => {
    expect(resolveOtlpTarget(tracing(), {})).toBeNull();
    expect(resolveOtlpTarget(tracing(), { OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBeNull();
  });

  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT and uses the traces endpoint as given', () => {
    expect(resolveOtlpTarget(tracing(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' })?.url).toBe(
      'http://jaeger:4318/v1/traces',
    );
    expect(resolveOtlpTarget(tracing(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://gw/otlp/' })?.url).toBe(
      'http://gw/otlp/v1/traces',
    );
    expect(
      resolveOtlpTarget(tracing(), {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/custom/path',
      })?.url,
    ).toBe('http://tempo:4318/custom/path');
  });

  it('prefers the exporter’s own setting (config, DVM_EXPORTER_*, --otlp-endpoint), base or full', () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces' };
    expect(resolveOtlpTarget(tracing({ otlpEndpoint: 'http://jaeger:4318' }), env)?.url).toBe(
      'http://jaeger:4318/v1/traces',
    );
    expect(resolveOtlpTarget(tracing({ otlpEndpoint: 'http://jaeger:4318/v1/traces' }), env)?.url).toBe(
      'http://jaeger:4318/v1/traces',
    );
  });

  it('merges headers: general < traces-specific < configured, with URL-encoded values decoded', () => {
    const target = resolveOtlpTarget(tracing({ headers: { 'x-team': 'dvm' } }), {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Basic%20abc,x-team=all',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-scope-orgid=tenant-1',
    });
    expect(target?.headers).toEqual({
      authorization: 'Basic abc',
      'x-team': 'dvm',
      'x-scope-orgid': 'tenant-1',
    });
    expect(parseOtlpHeaders('a=1, b = two ,broken,=x,c=%ZZ')).toEqual({ a: '1', b: 'two', c: '%ZZ' });
  });

  it('takes the export timeout from OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(resolveOtlpTarget(tracing(), env)?.timeoutMillis).toBeNull();
    expect(
      resolveOtlpTarget(tracing(), {
        ...env,
        OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '1500',
      })?.timeoutMillis,
    ).toBe(1500);
    expect(() => resolveOtlpTarget(tracing(), { ...env, OTEL_EXPORTER_OTLP_TIMEOUT: '2s' })).toThrow(
      /OTEL_EXPORTER_OTLP_TIMEOUT: expected milliseconds/,
    );
  });

  it('is off with OTEL_SDK_DISABLED=true, and a malformed endpoint is a usage error that names it', () => {
    expect(
      resolveOtlpTarget(tracing(), {
        OTEL_SDK_DISABLED: 'true',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318',
      }),
    ).toBeNull();
    expect(() => resolveOtlpTarget(tracing(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT: not an http\(s\) URL/,
    );
  });
});

describe('the traces sink factory', () => {
  const context = (config: object): AssemblyContext =>
    ({
      config: configSchema.parse(config),
      mode: 'run',
      logger: createLogger('silent', false),
      registry: new Registry(),
    }) as unknown as AssemblyContext;

  it('builds no sink when tracing is not configured', async () => {
    const saved = { ...process.env };
    for (const name of Object.keys(process.env)) if (name.startsWith('OTEL_')) delete process.env[name];
    try {
      expect(await traceSinkFactory(context({}))).toBeNull();
    } finally {
      Object.assign(process.env, saved);
    }
  });

  it('builds the traces sink, with its metrics on the shared registry, when an endpoint is set', async () => {
    const ctx = context({ tracing: { otlpEndpoint: 'http://127.0.0.1:4318' } });
    const sink = await traceSinkFactory(ctx);
    expect(sink?.name).toBe('traces');
    expect(await ctx.registry.metrics()).toContain('dvm_exporter_spans_emitted_total 0');
    await sink?.close();
  });
});
