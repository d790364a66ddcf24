import { CARDS, GLOBAL_STATS_SQL } from '../store/cards.js';

/**
 * Example queries answering DVMDash's questions, as shown in docs/clickhouse.md. Kept here so the
 * tests run every one of them against a store filled with simulator traffic and check the answers.
 * Placeholders like `{{job}}` take a value through `bindExample` (quoted as a string literal).
 */
export interface ExampleQuery {
  readonly id: string;
  readonly question: string;
  readonly sql: string;
  /** Placeholder names the SQL expects, e.g. `job`. */
  readonly parameters?: readonly string[];
}

export const EXAMPLE_QUERIES = [
  {
    id: 'global-stats',
    question: "DVMDash's all-time cards: requests, results, kinds, DVMs, profiles, users, sats paid",
    sql: GLOBAL_STATS_SQL,
  },
  {
    id: 'most-popular-dvm',
    question: 'Which DVM completed the most jobs (a result for a request we saw)?',
    sql: CARDS.mostPopularDvm.sql,
  },
  {
    id: 'most-popular-kind',
    question: 'Which job kind has the most distinct customers?',
    sql: CARDS.mostPopularKind.sql,
  },
  {
    id: 'sats-per-dvm',
    question: 'How many sats did each DVM earn (asked for payment, then delivered)?',
    sql: `
SELECT r.dvm AS dvm, any(p.name) AS name, count() AS paid_jobs, sum(r.earned_msat) / 1000 AS sats
FROM job_responses AS r
LEFT JOIN dvm_profiles AS p ON p.dvm = r.dvm
WHERE r.earned_msat IS NOT NULL
GROUP BY r.dvm
ORDER BY sats DESC, dvm`,
  },
  {
    id: 'response-time-percentiles',
    question: 'How fast does each DVM deliver, per kind (seconds from request to first result)?',
    sql: `
SELECT
    kind,
    dvm,
    count() AS jobs,
    quantileExact(0.5)(result_seconds) AS p50_seconds,
    quantileExact(0.95)(result_seconds) AS p95_seconds,
    max(result_seconds) AS max_seconds
FROM job_responses
WHERE result_seconds IS NOT NULL
GROUP BY kind, dvm
ORDER BY kind, p50_seconds, dvm`,
  },
  {
    id: 'paid-never-delivered',
    question: 'Which DVMs asked for payment and then never delivered, and on how many jobs?',
    sql: `
SELECT
    r.dvm AS dvm,
    any(p.name) AS name,
    countIf(r.asked_payment) AS jobs_asked,
    countIf(r.asked_payment AND r.result_count = 0) AS jobs_undelivered,
    sumIf(coalesce(r.invoice_msat, r.requested_msat), r.asked_payment AND r.result_count = 0) / 1000 AS sats_asked_undelivered
FROM job_responses AS r
LEFT JOIN dvm_profiles AS p ON p.dvm = r.dvm
GROUP BY r.dvm
HAVING jobs_undelivered > 0
ORDER BY jobs_undelivered DESC, dvm`,
  },
  {
    id: 'last-requests-per-kind',
    question: 'The last 3 requests of every kind',
    sql: `
SELECT kind, created_at, id, pubkey AS customer, encrypted
FROM events FINAL
WHERE role = 'request'
ORDER BY kind, created_at DESC, id DESC
LIMIT 3 BY kind`,
  },
  {
    id: 'unique-users-per-day',
    question: 'How many distinct customers sent requests each day?',
    sql: `
SELECT day, uniqExactMerge(authors) AS users, uniqExactMerge(events) AS requests
FROM events_daily
WHERE role = 'request'
GROUP BY day
ORDER BY day`,
  },
  {
    id: 'job-chain',
    question:
      "A job's whole chain: every request built on the same root, their feedback, results, cancellations and zaps, in order",
    parameters: ['job'],
    sql: `
WITH
    (SELECT root_id FROM jobs WHERE job_id = {{job}}) AS root,
    chain_jobs AS (SELECT job_id FROM jobs WHERE root_id = root),
    chain_events AS
    (
        SELECT id FROM events
        WHERE id IN (SELECT job_id FROM chain_jobs) OR request_id IN (SELECT job_id FROM chain_jobs)
    )
SELECT
    created_at,
    role,
    kind,
    pubkey,
    id,
    request_id,
    status,
    multiIf(
        encrypted = 1, 'encrypted',
        role = 'feedback', concat('status: ', toString(status), if(status_text = '', '', concat(' - ', left(status_text, 100)))),
        role = 'zap_receipt', concat('zap of ', toString(intDiv(coalesce(zap_msat, 0), 1000)), ' sats'),
        left(content, 100)) AS summary
FROM events FINAL
WHERE id IN (SELECT id FROM chain_events)
   OR hasAny(target_ids, (SELECT groupArray(id) FROM chain_events))
ORDER BY created_at, id`,
  },
] as const satisfies readonly ExampleQuery[];

export type ExampleId = (typeof EXAMPLE_QUERIES)[number]['id'];

export function exampleQuery(id: ExampleId): ExampleQuery {
  const example = EXAMPLE_QUERIES.find((e) => e.id === id);
  if (!example) throw new Error(`no example query ${id}`);
  return example;
}

/** The example's SQL with its placeholders filled in as quoted string literals. */
export function bindExample(example: ExampleQuery, values: Readonly<Record<string, string>> = {}): string {
  return example.sql.trim().replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`example ${example.id} needs a value for ${name}`);
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  });
}
