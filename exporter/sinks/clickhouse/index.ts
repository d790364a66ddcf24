import type { CursorStore } from '../../pipeline/cursor.js';
import type { Sink } from '../../pipeline/sink.js';
import { ClickHouseSink } from './sink.js';

export { clickhouseSinkFactory } from './factory.js';
export { ClickHouseSink } from './sink.js';

/** The relay cursor store backed by the history store, when an assembly has one. */
export function storeCursorStore(sinks: readonly Sink[]): CursorStore | null {
  const sink = sinks.find((s): s is ClickHouseSink => s instanceof ClickHouseSink);
  return sink ? sink.cursorStore() : null;
}
