import type { Assembly } from '../../exporter/app/assemble.js';
import { assemble } from '../../exporter/app/assemble.js';
import { ManualClock } from '../../exporter/base/clock.js';
import { EventTimeClock } from '../../exporter/base/event-time-clock.js';
import { createLogger } from '../../exporter/base/logger.js';
import { configSchema } from '../../exporter/config/schema.js';
import { createVerifier } from '../../exporter/model/verify.js';
import type { Mode } from '../../exporter/pipeline/sink.js';
import type { SimulatedItem } from '../../exporter/simulate/index.js';
import { createMetricsSinkFactory } from '../../exporter/sinks/metrics/factory.js';
import type { MetricsOptions } from '../../exporter/sinks/metrics/metrics-sink.js';

/** The relay every simulated item is said to come from. */
export const SIM_RELAY = 'ws://127.0.0.1:7777';

/**
 * The exporter's real assembly (config, pipeline, job index, metrics sink on the shared registry) fed
 * with simulator items. Live, the wall clock is a manual one that follows the items' publication time,
 * so hours of traffic play in seconds and every event is as live as when it was published.
 */
export class SimExporter {
  private lookahead: SimulatedItem | null = null;
  private lastTick = 0;

  private constructor(
    readonly assembly: Assembly,
    readonly wall: ManualClock,
    private readonly items: Iterator<SimulatedItem>,
  ) {}

  static async start(options: {
    mode: Mode;
    start: number;
    items: Iterable<SimulatedItem>;
    metrics?: Partial<MetricsOptions>;
    defaultMetrics?: boolean;
  }): Promise<SimExporter> {
    const wall = new ManualClock(options.start);
    const config = configSchema.parse({ clickhouse: { enabled: false }, metrics: options.metrics ?? {} });
    const assembly = await assemble({
      config,
      mode: options.mode,
      logger: createLogger('silent', false),
      verifier: await createVerifier('wasm'),
      clock: options.mode === 'run' ? wall : new EventTimeClock(),
      wallClock: wall,
      sinks: [createMetricsSinkFactory({ defaultMetrics: options.defaultMetrics ?? false })],
    });
    return new SimExporter(assembly, wall, options.items[Symbol.iterator]());
  }

  get registry() {
    return this.assembly.registry;
  }

  /** Publishes every item due before `until` (unix seconds), then lets time run on to `until`. */
  feedUntil(until: number): void {
    for (;;) {
      const item = this.lookahead ?? this.next();
      if (item === null || item.at >= until) {
        this.lookahead = item;
        break;
      }
      this.lookahead = null;
      this.advance(item.at);
      this.assembly.pipeline.ingestText(item.line, { relay: SIM_RELAY, receivedAt: this.wall.now() });
    }
    this.advance(until);
  }

  /** Publishes everything left, then ends the input as `replay` does. */
  feedAll(): void {
    this.feedUntil(Number.MAX_SAFE_INTEGER / 2);
    this.assembly.pipeline.drain();
  }

  private next(): SimulatedItem | null {
    const step = this.items.next();
    return step.done ? null : step.value;
  }

  private advance(to: number): void {
    if (to > this.wall.now() && to < Number.MAX_SAFE_INTEGER / 4) this.wall.set(to);
    const second = Math.floor(this.wall.now());
    if (second !== this.lastTick) {
      this.lastTick = second;
      this.assembly.pipeline.tick();
    }
  }
}
