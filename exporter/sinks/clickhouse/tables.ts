/** The tables the sink writes, in the order a batch writes them. */
export const WRITTEN_TABLES = ['events', 'dvm_announcements', 'relay_sightings'] as const;
export type WrittenTable = (typeof WRITTEN_TABLES)[number];

/** Why rows never reached the store; each is counted and logged. */
export const DROP_REASONS = [
  /** created_at before 2020 or more than 10 minutes ahead: junk partitions, never stored. */
  'created_at_out_of_range',
  /** ClickHouse refused the row itself (it cannot be parsed into the table). */
  'rejected',
  /** The queue hit its hard limit because a producer ignored backpressure. */
  'queue_full',
  /** Still queued when the exporter stopped and the store stayed unreachable. */
  'shutdown',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];
