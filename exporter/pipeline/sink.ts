import type { Router } from 'express';
import type { Registry } from 'prom-client';
import type { Clock } from '../base/clock.js';
import type { Logger } from '../base/logger.js';
import type { Config } from '../config/schema.js';
import type { DomainEvent } from '../jobs/domain-events.js';
import type { CursorStore } from './cursor.js';
import type { Pipeline } from './pipeline.js';

/**
 * A consumer of domain events (metrics, ClickHouse, traces). `handle` is synchronous and cheap: a sink
 * that does I/O buffers and writes in the background, and reports through `flush` when what it was
 * handed so far is durable.
 */
export interface Sink {
  readonly name: string;
  /** Must not throw; the pipeline counts a throw as a sink error and carries on. */
  handle(event: DomainEvent): void;
  /** Resolves once everything handled before the call is written (or definitively failed and counted). */
  flush(): Promise<void>;
  /** Flushes, then releases resources. */
  close(): Promise<void>;
  /**
   * Backpressure. Returns null when the sink can take more now, or a promise that resolves when it
   * can. Ingestion awaits it before reading further; file replay too.
   */
  capacity?(): Promise<void> | null;
  /** For /readyz: false when the sink cannot currently deliver (e.g. the store is unreachable). */
  healthy?(): boolean;
  /** For /readyz: why the sink is unhealthy or falling behind, in one line; null when all is well. */
  problem?(): string | null;
}

/** `run` watches relays live; `replay` runs files once (every event counts, time is event time). */
export type Mode = 'run' | 'replay';

/** What every sink factory gets: the config, the pipeline, and the shared registry and HTTP router. */
export interface AssemblyContext {
  readonly config: Config;
  readonly mode: Mode;
  readonly logger: Logger;
  readonly pipeline: Pipeline;
  /** One registry for domain and self metrics; /metrics and `replay --metrics-out` expose it. */
  readonly registry: Registry;
  /** Mounted on the HTTP server in `run`; sinks add endpoints here (e.g. the SQL endpoint). */
  readonly router: Router;
  /** Job-logic time, the pipeline's: the wall clock in `run`, event time in `replay`. */
  readonly clock: Clock;
  /** Wall-clock time source. */
  readonly wallClock: Clock;
  /**
   * A sink whose store keeps relay cursors beside the events they cover hands that cursor store over
   * here, so `run` saves a cursor only once those events are written. At most one sink may.
   */
  keepCursorsIn(store: CursorStore): void;
}

/** Builds a sink, or returns null when it is turned off by configuration. */
export type SinkFactory = (ctx: AssemblyContext) => Promise<Sink | null>;
