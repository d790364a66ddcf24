import { JOB_LIMITS } from '../../jobs/options.js';
import type { Migration } from './types.js';

/**
 * Corrections to the views of migrations 2-4:
 * - `job_roots` walks JOB_LIMITS.chainDepth steps, the job index's own cap, so trace ids agree at
 *   every depth (written once, in jobs/options.ts);
 * - a response without an `e` tag (request_id '') is not a job: `dvm_activity.jobs`, `jobs_delivered`
 *   and the `dvm_daily` rollup's `jobs` no longer count the empty id as one;
 * - the customer of a response is the author of its request (its `p` tag only while the request is
 *   not stored), in `dvm_activity.customers` as in `job_responses`.
 */

const jobRoots = `
CREATE OR REPLACE VIEW job_roots AS
WITH RECURSIVE walk AS
(
    SELECT job_id, parent_id AS ancestor, 1 AS depth FROM job_chain_parents
    UNION ALL
    SELECT walk.job_id, up.parent_id AS ancestor, walk.depth + 1 AS depth
    FROM walk INNER JOIN job_chain_parents AS up ON up.job_id = walk.ancestor
    WHERE walk.depth < ${JOB_LIMITS.chainDepth}
)
SELECT job_id, argMax(ancestor, depth) AS root_id, max(depth) AS chain_depth
FROM walk
GROUP BY job_id`;

const dvmActivity = `
CREATE OR REPLACE VIEW dvm_activity AS
WITH requesters AS
(
    SELECT id AS request_id, any(pubkey) AS author FROM events WHERE role = 'request' GROUP BY id
)
SELECT
    e.dvm AS dvm,
    min(e.created_at) AS first_seen_at,
    max(e.created_at) AS last_seen_at,
    uniqExactIf(e.id, e.role = 'result') AS results,
    uniqExactIf(e.id, e.role = 'feedback') AS feedback,
    uniqExactIf(e.request_id, e.request_id != '') AS jobs,
    uniqExactIf(e.request_id, e.role = 'result' AND e.request_id != '') AS jobs_delivered,
    arraySort(groupUniqArrayIf(e.job_kind, e.role = 'result')) AS result_kinds,
    uniqExactIf(if(q.author != '', q.author, e.customer), if(q.author != '', q.author, e.customer) != '') AS customers
FROM events AS e
LEFT JOIN requesters AS q ON q.request_id = e.request_id
WHERE e.role IN ('result', 'feedback') AND e.dvm != ''
GROUP BY e.dvm`;

const dvmDailySelect = `
SELECT
    toDate(created_at) AS day,
    dvm,
    role,
    job_kind,
    uniqExactState(id) AS events,
    uniqExactStateIf(request_id, request_id != '') AS jobs,
    uniqExactState(customer) AS customers,
    min(created_at) AS first_at,
    max(created_at) AS last_at
FROM events
WHERE role IN ('result', 'feedback') AND dvm != ''
GROUP BY day, dvm, role, job_kind`;

/*
 * The rollup is rebuilt from `events`: the view is replaced, then the table refilled. Its states are
 * duplicate-proof (uniqExact, min, max), so rows the new view adds while the refill runs count once.
 */
const dropDvmDailyView = 'DROP VIEW IF EXISTS dvm_daily_mv';
const dvmDailyView = `CREATE MATERIALIZED VIEW IF NOT EXISTS dvm_daily_mv TO dvm_daily AS${dvmDailySelect}`;
const clearDvmDaily = 'TRUNCATE TABLE IF EXISTS dvm_daily';
const refillDvmDaily = `INSERT INTO dvm_daily${dvmDailySelect}`;

export const m005OrderAndCustomers: Migration = {
  version: 5,
  name: 'chain depth cap shared with the job index; no job without an e tag; customers from requests',
  statements: [jobRoots, dvmActivity, dropDvmDailyView, dvmDailyView, clearDvmDaily, refillDvmDaily],
};
