import type { Migration } from './types.js';

/**
 * A chain step's parent is its first `job` input (in tag order) that is a job: a stored request, or a
 * placeholder, a request id that only stored responses name (the `jobs` view's `request_seen = 0`
 * rows). The job index links a step to such a placeholder (exporter/jobs/chain-links.ts), so its
 * traces and exemplars root the step there; migration 2 only took stored requests, and SQL rooted
 * the same step at itself: two trace ids for one chain. `job_roots` reads this view by name, so its
 * walk (and depth cap) needs no change.
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
    SELECT id FROM events WHERE role = 'request'
    UNION ALL
    SELECT request_id FROM events
    WHERE role IN ('feedback', 'result') AND request_id != '' AND status != 'pong')
GROUP BY child`;

export const m006PlaceholderParents: Migration = {
  version: 6,
  name: 'chain parents include placeholder jobs, as the job index links them',
  statements: [jobChainParents],
};
