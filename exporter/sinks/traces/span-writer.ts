import {
  type HrTime,
  type Link,
  ROOT_CONTEXT,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type IdGenerator, RandomIdGenerator } from '@opentelemetry/sdk-trace';
import type { SpanRef, SpanSpec } from './span-spec.js';

/**
 * IdGenerator methods take no arguments, so the ids of the next span are set just before the
 * synchronous `startSpan` and cleared right after. Outside that window (which never happens on the
 * exporter's private provider) it falls back to random ids rather than repeating one.
 */
export class PresetIdGenerator implements IdGenerator {
  private next: SpanRef | null = null;
  private readonly random = new RandomIdGenerator();

  arm(ids: SpanRef): void {
    this.next = ids;
  }

  disarm(): void {
    this.next = null;
  }

  generateTraceId(): string {
    return this.next?.traceId ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return this.next?.spanId ?? this.random.generateSpanId();
  }
}

/**
 * Epoch seconds as HrTime. A plain number would be read as a performance.now() offset when small, so
 * times always cross into OpenTelemetry as [seconds, nanoseconds].
 */
export function toHrTime(seconds: number): HrTime {
  const whole = Math.floor(seconds);
  const nanos = Math.min(999_999_999, Math.round((seconds - whole) * 1e9));
  return [whole, nanos];
}

function remoteContext(ref: SpanRef): SpanContext {
  return { traceId: ref.traceId, spanId: ref.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
}

/**
 * Writes one planned span with its exact ids and times. The parent is given as a remote span context,
 * so a child never needs its parent in memory: the backend stitches the tree by id.
 */
export function writeSpan(tracer: Tracer, ids: PresetIdGenerator, spec: SpanSpec): void {
  const parentContext = spec.parent
    ? trace.setSpanContext(ROOT_CONTEXT, remoteContext(spec.parent))
    : ROOT_CONTEXT;
  const links: Link[] = spec.links.map((link) => ({
    context: remoteContext(link.ref),
    attributes: link.attributes,
  }));
  ids.arm(spec);
  let span: ReturnType<Tracer['startSpan']>;
  try {
    span = tracer.startSpan(
      spec.name,
      { kind: SpanKind.INTERNAL, startTime: toHrTime(spec.start), attributes: spec.attributes, links },
      parentContext,
    );
  } finally {
    ids.disarm();
  }
  for (const event of spec.events) span.addEvent(event.name, event.attributes, toHrTime(event.time));
  if (spec.status.error) span.setStatus({ code: SpanStatusCode.ERROR, message: spec.status.message });
  span.end(toHrTime(spec.end));
}
