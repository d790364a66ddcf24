import { redactUrl } from '../../base/redact.js';
import type { SinkFactory } from '../../pipeline/sink.js';
import { resolveOtlpTarget } from './otlp-target.js';
import { TraceSink } from './trace-sink.js';

/**
 * The traces sink, when an OTLP endpoint is configured (tracing.otlpEndpoint / --otlp-endpoint, or the
 * standard OTEL_EXPORTER_OTLP_* variables); null otherwise.
 */
export const traceSinkFactory: SinkFactory = async (ctx) => {
  const target = resolveOtlpTarget(ctx.config.tracing, process.env);
  if (target === null) return null;
  ctx.logger.info(
    {
      endpoint: redactUrl(target.url),
      service: ctx.config.tracing.serviceName,
    },
    'sending one trace per job chain over OTLP/HTTP',
  );
  return new TraceSink({
    target,
    serviceName: ctx.config.tracing.serviceName,
    registry: ctx.registry,
    logger: ctx.logger,
    rememberJobs: ctx.config.jobs.maxJobs,
    backpressure: ctx.mode === 'replay',
  });
};
