import type { Migration } from './types.js';

/**
 * Jobs, DVM responses and chains, derived from `events` by SQL at query time. Every aggregate is
 * insensitive to duplicate rows (min, max, argMin/argMax with an id tie-break, uniqExact(id)) and to
 * arrival order, so the answers depend only on which events are stored, never on how or when they came.
 */

/** One row per request id, copies merged. */
const jobRequests = `
CREATE OR REPLACE VIEW job_requests AS
SELECT
    id AS job_id,
    any(kind) AS kind,
    any(pubkey) AS customer,
    any(created_at) AS created_at,
    any(encryption) AS encryption,
    max(encrypted) AS encrypted,
    max(test_key) AS test_key,
    any(job_inputs) AS job_inputs,
    any(targets) AS targets,
    any(bid_msat) AS bid_msat,
    min(first_seen_at) AS first_seen_at
FROM events
WHERE role = 'request'
GROUP BY id`;

/**
 * A chained request's parent: its first job input (in tag order) that is a stored request. The same
 * rule as the job index and the traces, so trace ids agree once every event has arrived.
 */
const jobChainParents = `
CREATE OR REPLACE VIEW job_chain_parents AS
SELECT child AS job_id, argMin(parent, position) AS parent_id
FROM
(
    SELECT id AS child, parent, position
    FROM events
    ARRAY JOIN job_inputs AS parent, arrayEnumerate(job_inputs) AS position
    WHERE role = 'request'
)
WHERE parent IN (
    SELECT id FROM events
    WHERE role = 'request' AND id IN (SELECT arrayJoin(job_inputs) FROM events WHERE role = 'request'))
GROUP BY child`;

/** The root of each chained request: its parent's parent's ... until a request with no stored parent. */
const jobRoots = `
CREATE OR REPLACE VIEW job_roots AS
WITH RECURSIVE walk AS
(
    SELECT job_id, parent_id AS ancestor, 1 AS depth FROM job_chain_parents
    UNION ALL
    SELECT walk.job_id, up.parent_id AS ancestor, walk.depth + 1 AS depth
    FROM walk INNER JOIN job_chain_parents AS up ON up.job_id = walk.ancestor
    WHERE walk.depth < 64
)
SELECT job_id, argMax(ancestor, depth) AS root_id, max(depth) AS chain_depth
FROM walk
GROUP BY job_id`;

/** Each DVM's part in each job, from its feedback and results alone (pongs answer pings, not jobs). */
const jobResponsesBase = `
CREATE OR REPLACE VIEW job_responses_base AS
SELECT
    request_id AS job_id,
    dvm,
    minIf(customer, customer != '') AS customer,
    minIf(job_kind, role = 'result') AS result_kind,
    minIf(toNullable(created_at), role = 'feedback') AS first_feedback_at,
    minIf(toNullable(created_at), role = 'result') AS first_result_at,
    min(created_at) AS first_response_at,
    max(created_at) AS last_response_at,
    argMax(if(role = 'result', 'success', toString(status)), (created_at, role = 'result', id)) AS final_status,
    uniqExactIf(id, role = 'feedback') AS feedback_count,
    uniqExactIf(id, role = 'result') AS result_count,
    argMinIf(id, (created_at, id), role = 'result') AS first_result_id,
    argMinIf((amount_msat, invoice_msat, bolt11), (created_at, id), status = 'payment-required') AS payment_request,
    countIf(status = 'payment-required') > 0 AS asked_payment,
    max(encrypted) AS encrypted
FROM events
WHERE role IN ('feedback', 'result') AND request_id != '' AND status != 'pong'
GROUP BY job_id, dvm`;

const traceIdOf = (root: string) =>
  `if(substring(${root}, 1, 32) = repeat('0', 32), substring(lower(hex(SHA256(concat('trace:', ${root})))), 1, 32), substring(${root}, 1, 32))`;

/**
 * One row per (job, DVM). Times are created_at; durations count from the request's created_at and are
 * clamped at 0 (signers' clocks disagree). The earned estimate is DVMDash's rule: the DVM asked for
 * payment on the job and delivered a result; the invoice amount when it decodes, else the tag amount.
 */
const jobResponses = `
CREATE OR REPLACE VIEW job_responses AS
SELECT
    b.job_id AS job_id,
    b.dvm AS dvm,
    if(q.seen = 1, q.kind, b.result_kind) AS kind,
    if(q.seen = 1, q.customer, b.customer) AS customer,
    q.seen AS request_seen,
    if(q.seen = 1, toNullable(q.created_at), NULL) AS requested_at,
    b.first_feedback_at AS first_feedback_at,
    b.first_result_at AS first_result_at,
    b.first_response_at AS first_response_at,
    b.last_response_at AS last_response_at,
    b.final_status AS final_status,
    b.feedback_count AS feedback_count,
    b.result_count AS result_count,
    b.first_result_id AS first_result_id,
    b.asked_payment AS asked_payment,
    b.payment_request.1 AS requested_msat,
    b.payment_request.2 AS invoice_msat,
    b.payment_request.3 AS bolt11,
    if(b.result_count > 0 AND b.asked_payment, coalesce(b.payment_request.2, b.payment_request.1), NULL) AS earned_msat,
    greatest(b.encrypted, q.encrypted) AS encrypted,
    if(q.seen = 1 AND b.first_feedback_at IS NOT NULL, greatest(toInt64(assumeNotNull(b.first_feedback_at)) - toInt64(q.created_at), 0), NULL) AS feedback_seconds,
    if(q.seen = 1 AND b.first_result_at IS NOT NULL, greatest(toInt64(assumeNotNull(b.first_result_at)) - toInt64(q.created_at), 0), NULL) AS result_seconds,
    if(q.seen = 1, greatest(toInt64(b.first_response_at) - toInt64(q.created_at), 0), NULL) AS response_seconds,
    if(p.parent_id = '', NULL, p.parent_id) AS parent_id,
    if(r.root_id = '', b.job_id, r.root_id) AS root_id,
    ${traceIdOf("if(r.root_id = '', b.job_id, r.root_id)")} AS trace_id
FROM job_responses_base AS b
LEFT JOIN (SELECT *, toUInt8(1) AS seen FROM job_requests) AS q ON q.job_id = b.job_id
LEFT JOIN job_chain_parents AS p ON p.job_id = b.job_id
LEFT JOIN job_roots AS r ON r.job_id = b.job_id`;

/**
 * One row per job: every stored request, plus placeholders for request ids that only responses name
 * (request_seen = 0). The outcome is a function of the stored events: success once any DVM delivered,
 * cancelled by a kind 5 from the request's author, error when every responding DVM's latest word is
 * an error, else open. (Expiry is a clock matter: Prometheus and traces report it.)
 */
const jobs = `
CREATE OR REPLACE VIEW jobs AS
WITH
    per_job AS
    (
        SELECT
            job_id,
            min(result_kind) AS result_kind,
            minIf(customer, customer != '') AS response_customer,
            count() AS dvms,
            countIf(result_count > 0) AS dvms_delivered,
            countIf(final_status = 'error') AS dvms_failed,
            countIf(asked_payment) AS dvms_asked_payment,
            sum(result_count) AS results,
            sum(feedback_count) AS feedback,
            min(first_feedback_at) AS first_feedback_at,
            min(first_result_at) AS first_result_at,
            max(last_response_at) AS last_response_at,
            sumIf(coalesce(payment_request.2, payment_request.1), asked_payment) AS requested_msat,
            sumIf(coalesce(payment_request.2, payment_request.1), asked_payment AND result_count > 0) AS earned_msat,
            max(encrypted) AS encrypted
        FROM job_responses_base
        GROUP BY job_id
    ),
    cancellations AS
    (
        SELECT target AS job_id, pubkey AS author, min(created_at) AS cancelled_at
        FROM events
        ARRAY JOIN target_ids AS target
        WHERE role = 'cancellation'
        GROUP BY target, pubkey
    ),
    merged AS
    (
        SELECT
            if(q.seen = 1, q.job_id, s.job_id) AS job_id,
            q.seen = 1 AS request_seen,
            if(q.seen = 1, q.kind, s.result_kind) AS kind,
            if(q.seen = 1, q.customer, s.response_customer) AS customer,
            if(q.seen = 1, toNullable(q.created_at), NULL) AS requested_at,
            q.encryption AS encryption,
            greatest(q.encrypted, s.encrypted) AS encrypted,
            q.test_key AS test_key,
            q.targets AS targets,
            q.job_inputs AS job_inputs,
            q.bid_msat AS bid_msat,
            s.dvms AS dvms,
            s.dvms_delivered AS dvms_delivered,
            s.dvms_failed AS dvms_failed,
            s.dvms_asked_payment AS dvms_asked_payment,
            s.results AS results,
            s.feedback AS feedback,
            s.first_feedback_at AS first_feedback_at,
            s.first_result_at AS first_result_at,
            s.last_response_at AS last_response_at,
            s.requested_msat AS requested_msat,
            s.earned_msat AS earned_msat
        FROM (SELECT *, toUInt8(1) AS seen FROM job_requests) AS q
        FULL OUTER JOIN per_job AS s ON s.job_id = q.job_id
    )
SELECT
    m.job_id AS job_id,
    m.request_seen AS request_seen,
    m.kind AS kind,
    m.customer AS customer,
    m.requested_at AS requested_at,
    m.encryption AS encryption,
    m.encrypted AS encrypted,
    m.test_key AS test_key,
    m.targets AS targets,
    m.job_inputs AS job_inputs,
    m.bid_msat AS bid_msat,
    m.dvms AS dvms,
    m.dvms_delivered AS dvms_delivered,
    m.dvms_failed AS dvms_failed,
    m.dvms_asked_payment AS dvms_asked_payment,
    m.results AS results,
    m.feedback AS feedback,
    m.first_feedback_at AS first_feedback_at,
    m.first_result_at AS first_result_at,
    m.last_response_at AS last_response_at,
    m.requested_msat AS requested_msat,
    m.earned_msat AS earned_msat,
    if(m.request_seen AND c.author != '', toNullable(c.cancelled_at), NULL) AS cancelled_at,
    multiIf(
        m.dvms_delivered > 0, 'success',
        m.request_seen AND c.author != '', 'cancelled',
        m.dvms > 0 AND m.dvms_failed = m.dvms, 'error',
        'open') AS outcome,
    if(p.parent_id = '', NULL, p.parent_id) AS parent_id,
    if(r.root_id = '', m.job_id, r.root_id) AS root_id,
    ${traceIdOf("if(r.root_id = '', m.job_id, r.root_id)")} AS trace_id
FROM merged AS m
LEFT JOIN cancellations AS c ON c.job_id = m.job_id AND c.author = m.customer
LEFT JOIN job_chain_parents AS p ON p.job_id = m.job_id
LEFT JOIN job_roots AS r ON r.job_id = m.job_id`;

export const m002Jobs: Migration = {
  version: 2,
  name: 'jobs, job responses and chains as views over events',
  statements: [jobRequests, jobChainParents, jobRoots, jobResponsesBase, jobResponses, jobs],
};
