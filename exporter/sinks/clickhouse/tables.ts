import { ROW_REFUSALS } from '../../store/errors.js';

/** The tables the sink writes, in the order a batch writes them. */
export const WRITTEN_TABLES = ['events', 'dvm_announcements', 'relay_sightings'] as const;
export type WrittenTable = (typeof WRITTEN_TABLES)[number];

/** Why rows never reached the store; each is counted and logged. */
export const DROP_REASONS = [
  /** created_at before 2020 or more than 10 minutes ahead: junk partitions, never stored. */
  'created_at_out_of_range',
  /** ClickHouse refused the row itself (exporter/store/errors.ts maps its error code to the refusal). */
  ...ROW_REFUSALS.map((refusal) => `refused_${refusal}` as const),
  /** The queue hit its hard limit because a producer ignored backpressure. */
  'queue_full',
  /** Still queued when the exporter stopped and the store stayed unreachable. */
  'shutdown',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Why a row was stored with a value changed to fit its column. */
export const ALTER_REASONS = [
  /** A lone UTF-16 surrogate became U+FFFD (exporter/sinks/clickhouse/well-formed.ts). */
  'lone_surrogate',
] as const;
export type AlterReason = (typeof ALTER_REASONS)[number];
