import type { Attributes } from '@opentelemetry/api';

/**
 * A span described as plain data: what the planner decides from domain events and the writer turns
 * into an OpenTelemetry span. Keeping the decision pure makes the span tree testable without a backend
 * and keeps every id and time explicit.
 */

/** A span's coordinates: enough to parent or link to it, whether or not it was emitted here. */
export interface SpanRef {
  readonly traceId: string;
  readonly spanId: string;
}

export interface SpanEventSpec {
  readonly name: string;
  /** Seconds since the epoch (an event's created_at). */
  readonly time: number;
  readonly attributes: Attributes;
}

export interface SpanLinkSpec {
  readonly ref: SpanRef;
  readonly attributes: Attributes;
}

export interface SpanStatusSpec {
  readonly error: boolean;
  readonly message?: string;
}

export interface SpanSpec {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  /** Null for the root span of a trace. */
  readonly parent: SpanRef | null;
  /** Seconds since the epoch; end is never before start. */
  readonly start: number;
  readonly end: number;
  readonly attributes: Attributes;
  readonly events: readonly SpanEventSpec[];
  readonly links: readonly SpanLinkSpec[];
  readonly status: SpanStatusSpec;
}

export const OK_STATUS: SpanStatusSpec = { error: false };

/** Drops undefined and null values so optional facts simply do not appear on the span. */
export function compact(attributes: Record<string, Attributes[string] | null>): Attributes {
  const out: Attributes = {};
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}
