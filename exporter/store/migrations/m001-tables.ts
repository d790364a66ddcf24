import type { Migration } from './types.js';

/**
 * The stored facts: every accepted event (one row per event, copies collapse), every relay sighting,
 * the NIP-89 announcements in typed form, and the relay cursors.
 */

/** Sightings later than this outrank earlier ones; 2^42 ms is past the year 2100. */
const RANK_BASE_MS = 4_398_046_511_103;

const events = `
CREATE TABLE IF NOT EXISTS events
(
    id String,
    pubkey String,
    created_at DateTime('UTC'),
    kind UInt16,
    role LowCardinality(String),
    job_kind UInt16,
    request_id String,
    customer String,
    dvm String,
    status LowCardinality(String),
    status_raw String,
    status_text String,
    amount_raw String,
    amount_msat Nullable(UInt64),
    invoice_msat Nullable(UInt64),
    bolt11 String,
    amount_issues Array(LowCardinality(String)),
    bid_msat Nullable(UInt64),
    zap_msat Nullable(UInt64),
    encryption LowCardinality(String),
    encrypted UInt8,
    test_key UInt8,
    job_inputs Array(String),
    targets Array(String),
    target_ids Array(String),
    d String,
    announced_kinds Array(UInt16),
    tags Array(Array(String)),
    content String CODEC(ZSTD(3)),
    sig String,
    first_seen_at DateTime64(3, 'UTC'),
    first_relay LowCardinality(String),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
    sighting_rank UInt64 MATERIALIZED bitOr(
        bitShiftLeft(toUInt64(${RANK_BASE_MS} - toUnixTimestamp64Milli(first_seen_at)), 16),
        cityHash64(first_relay) % 65536),
    INDEX idx_id id TYPE bloom_filter GRANULARITY 4,
    INDEX idx_request_id request_id TYPE bloom_filter GRANULARITY 4,
    INDEX idx_dvm dvm TYPE bloom_filter GRANULARITY 4,
    INDEX idx_pubkey pubkey TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplacingMergeTree(sighting_rank)
PARTITION BY toYYYYMM(created_at)
ORDER BY (role, job_kind, created_at, id)`;

const relaySightings = `
CREATE TABLE IF NOT EXISTS relay_sightings
(
    id String,
    relay LowCardinality(String),
    received_at DateTime64(3, 'UTC'),
    first UInt8
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(received_at)
ORDER BY (relay, received_at, id)
TTL toDateTime(received_at) + INTERVAL 30 DAY
SETTINGS ttl_only_drop_parts = 1`;

const dvmAnnouncements = `
CREATE TABLE IF NOT EXISTS dvm_announcements
(
    dvm String,
    d String,
    created_at DateTime('UTC'),
    id String,
    kinds Array(UInt16),
    name Nullable(String),
    picture Nullable(String),
    about Nullable(String),
    lud16 Nullable(String),
    supports_encryption Nullable(UInt8),
    accepts_nutzaps Nullable(UInt8),
    amount Nullable(String),
    nip90_params String
)
ENGINE = ReplacingMergeTree
ORDER BY (dvm, d, created_at, id)`;

/**
 * Ingestion checkpoints: one row per relay with its cursor, plus one row with relay = '' holding the
 * ids accepted inside the re-read window. A save is one insert (so all or nothing), and the newest
 * save of each row wins.
 */
const relayCursors = `
CREATE TABLE IF NOT EXISTS relay_cursors
(
    relay String,
    cursor Int64,
    recent_ids Map(String, Int64),
    saved_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(saved_at)
ORDER BY relay`;

export const m001Tables: Migration = {
  version: 1,
  name: 'events, relay sightings, announcements and relay cursors',
  statements: [events, relaySightings, dvmAnnouncements, relayCursors],
};
