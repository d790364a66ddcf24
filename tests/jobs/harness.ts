import { ManualClock } from '../../exporter/base/clock.js';
import type { DomainEvent, DomainEventType } from '../../exporter/jobs/domain-events.js';
import { DEFAULT_JOB_INDEX_OPTIONS, JobIndex, type JobIndexOptions } from '../../exporter/jobs/job-index.js';
import { T0 } from '../support/dvm-events.js';

/** A job index on a manual clock that records everything it emits. */
export class Harness {
  readonly clock: ManualClock;
  readonly events: DomainEvent[] = [];
  readonly index: JobIndex;

  constructor(options: Partial<JobIndexOptions> = {}, start = T0) {
    this.clock = new ManualClock(start);
    this.index = new JobIndex({ ...DEFAULT_JOB_INDEX_OPTIONS, ...options }, this.clock, (e) =>
      this.events.push(e),
    );
  }

  apply(...events: Parameters<JobIndex['apply']>[0][]): this {
    for (const event of events) this.index.apply(event);
    return this;
  }

  /** Moves the clock to `T0 + offset` and ticks. */
  tickAt(offset: number): this {
    this.clock.set(T0 + offset);
    this.index.tick();
    return this;
  }

  types(): DomainEventType[] {
    return this.events.map((e) => e.type);
  }

  of<T extends DomainEventType>(type: T): Extract<DomainEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<DomainEvent, { type: T }> => e.type === type);
  }

  /** Forgets what was emitted so far. */
  clear(): this {
    this.events.length = 0;
    return this;
  }

  job(id: string) {
    const job = this.index.get(id);
    if (!job) throw new Error(`job ${id.slice(0, 8)} is not tracked`);
    return job;
  }
}
