import type { DomainEvent } from '../jobs/domain-events.js';
import type { Sink } from './sink.js';

/**
 * Fans domain events out to every sink, in registration order. A sink that throws is counted and
 * skipped for that event; it never stops the others or the pipeline.
 */
export class DomainEventBus {
  private readonly sinks: Sink[] = [];
  private readonly errors = new Map<string, number>();
  private readonly listeners: Array<(event: DomainEvent) => void> = [];

  constructor(private readonly onSinkError: (sink: string, error: unknown) => void = () => {}) {}

  addSink(sink: Sink): void {
    this.sinks.push(sink);
  }

  /** A plain listener (tests, summaries); errors are treated like a sink's. */
  listen(listener: (event: DomainEvent) => void): void {
    this.listeners.push(listener);
  }

  publish(event: DomainEvent): void {
    for (const sink of this.sinks) {
      try {
        sink.handle(event);
      } catch (error) {
        this.countError(sink.name, error);
      }
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.countError('listener', error);
      }
    }
  }

  get registered(): readonly Sink[] {
    return this.sinks;
  }

  /** Errors thrown by each sink's `handle`, by sink name. */
  sinkErrors(): ReadonlyMap<string, number> {
    return this.errors;
  }

  private countError(name: string, error: unknown): void {
    this.errors.set(name, (this.errors.get(name) ?? 0) + 1);
    this.onSinkError(name, error);
  }
}
