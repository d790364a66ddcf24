import type { SinkFactory } from '../pipeline/sink.js';
import { clickhouseSinkFactory } from '../sinks/clickhouse/index.js';
import { createMetricsSinkFactory } from '../sinks/metrics/factory.js';
import { traceSinkFactory } from '../sinks/traces/factory.js';

/**
 * The sinks every command wires, in delivery order. Each factory reads its own config section and
 * returns null when that sink is turned off.
 */
export const SINK_FACTORIES: readonly SinkFactory[] = [
  createMetricsSinkFactory(),
  clickhouseSinkFactory,
  traceSinkFactory,
];
