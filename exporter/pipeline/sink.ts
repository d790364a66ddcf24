import type { DomainEvent } from '../jobs/domain-events.js';

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
