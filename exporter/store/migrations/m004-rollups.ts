import type { Migration } from './types.js';

/**
 * Daily rollups for the dashboards' long ranges. Materialized views fire on every insert, copies
 * included, so they keep only duplicate-proof states: uniqExact of ids and pubkeys, min and max.
 * Read them with uniqExactMerge(...) and GROUP BY; never count() their rows.
 */

const eventsDaily = `
CREATE TABLE IF NOT EXISTS events_daily
(
    day Date,
    role LowCardinality(String),
    job_kind UInt16,
    kind UInt16,
    encrypted UInt8,
    events AggregateFunction(uniqExact, String),
    authors AggregateFunction(uniqExact, String),
    first_at SimpleAggregateFunction(min, DateTime('UTC')),
    last_at SimpleAggregateFunction(max, DateTime('UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, role, job_kind, kind, encrypted)`;

const eventsDailyView = `
CREATE MATERIALIZED VIEW IF NOT EXISTS events_daily_mv TO events_daily AS
SELECT
    toDate(created_at) AS day,
    role,
    job_kind,
    kind,
    encrypted,
    uniqExactState(id) AS events,
    uniqExactState(pubkey) AS authors,
    min(created_at) AS first_at,
    max(created_at) AS last_at
FROM events
GROUP BY day, role, job_kind, kind, encrypted`;

const dvmDaily = `
CREATE TABLE IF NOT EXISTS dvm_daily
(
    day Date,
    dvm String,
    role LowCardinality(String),
    job_kind UInt16,
    events AggregateFunction(uniqExact, String),
    jobs AggregateFunction(uniqExact, String),
    customers AggregateFunction(uniqExact, String),
    first_at SimpleAggregateFunction(min, DateTime('UTC')),
    last_at SimpleAggregateFunction(max, DateTime('UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, dvm, role, job_kind)`;

const dvmDailyView = `
CREATE MATERIALIZED VIEW IF NOT EXISTS dvm_daily_mv TO dvm_daily AS
SELECT
    toDate(created_at) AS day,
    dvm,
    role,
    job_kind,
    uniqExactState(id) AS events,
    uniqExactState(request_id) AS jobs,
    uniqExactState(customer) AS customers,
    min(created_at) AS first_at,
    max(created_at) AS last_at
FROM events
WHERE role IN ('result', 'feedback') AND dvm != ''
GROUP BY day, dvm, role, job_kind`;

export const m004Rollups: Migration = {
  version: 4,
  name: 'daily rollups of events and DVM activity',
  statements: [eventsDaily, eventsDailyView, dvmDaily, dvmDailyView],
};
