import type { Migration } from './types.js';

/** DVM directory: the latest NIP-89 profile of each DVM, and what it did. */

/**
 * The newest announcement of each DVM (by created_at, then id), with the kinds of the newest
 * announcement under each of its `d` tags (a DVM may announce several services).
 */
const dvmProfiles = `
CREATE OR REPLACE VIEW dvm_profiles AS
SELECT
    dvm,
    argMax(latest.2, latest.1) AS announcement_id,
    max(latest.1).1 AS announced_at,
    argMax(latest.3, latest.1) AS d,
    argMax(latest.4, latest.1) AS name,
    argMax(latest.5, latest.1) AS picture,
    argMax(latest.6, latest.1) AS about,
    argMax(latest.7, latest.1) AS lud16,
    argMax(latest.8, latest.1) AS supports_encryption,
    argMax(latest.9, latest.1) AS accepts_nutzaps,
    argMax(latest.10, latest.1) AS amount,
    argMax(latest.11, latest.1) AS nip90_params,
    arraySort(groupUniqArrayArray(service_kinds)) AS kinds
FROM
(
    SELECT
        dvm,
        argMax(
            ((created_at, id), id, d, name, picture, about, lud16, supports_encryption, accepts_nutzaps, amount, nip90_params),
            (created_at, id)) AS latest,
        argMax(kinds, (created_at, id)) AS service_kinds
    FROM dvm_announcements
    GROUP BY dvm, d
)
GROUP BY dvm`;

/** What each DVM did, from its results and feedback (and heartbeats), whether it announced or not. */
const dvmActivity = `
CREATE OR REPLACE VIEW dvm_activity AS
SELECT
    dvm,
    min(created_at) AS first_seen_at,
    max(created_at) AS last_seen_at,
    uniqExactIf(id, role = 'result') AS results,
    uniqExactIf(id, role = 'feedback') AS feedback,
    uniqExact(request_id) AS jobs,
    uniqExactIf(request_id, role = 'result') AS jobs_delivered,
    arraySort(groupUniqArrayIf(job_kind, role = 'result')) AS result_kinds,
    uniqExactIf(customer, customer != '') AS customers
FROM events
WHERE role IN ('result', 'feedback') AND dvm != ''
GROUP BY dvm`;

const dvmHeartbeats = `
CREATE OR REPLACE VIEW dvm_heartbeats AS
SELECT
    pubkey AS dvm,
    max(created_at) AS last_heartbeat_at,
    argMax(status_text, (created_at, id)) AS last_status,
    uniqExact(id) AS heartbeats
FROM events
WHERE role = 'heartbeat'
GROUP BY pubkey`;

/** Every DVM seen either way: announced, responding or beating. */
const dvms = `
CREATE OR REPLACE VIEW dvms AS
WITH keys AS
(
    SELECT dvm FROM dvm_profiles
    UNION DISTINCT SELECT dvm FROM dvm_activity
    UNION DISTINCT SELECT dvm FROM dvm_heartbeats
)
SELECT
    k.dvm AS dvm,
    p.dvm != '' AS announced,
    p.name AS name,
    p.picture AS picture,
    p.about AS about,
    p.kinds AS announced_kinds,
    a.result_kinds AS result_kinds,
    a.results AS results,
    a.feedback AS feedback,
    a.jobs AS jobs,
    a.jobs_delivered AS jobs_delivered,
    a.customers AS customers,
    if(a.dvm = '', NULL, toNullable(a.first_seen_at)) AS first_seen_at,
    if(a.dvm = '', NULL, toNullable(a.last_seen_at)) AS last_seen_at,
    if(h.dvm = '', NULL, toNullable(h.last_heartbeat_at)) AS last_heartbeat_at
FROM keys AS k
LEFT JOIN dvm_profiles AS p ON p.dvm = k.dvm
LEFT JOIN dvm_activity AS a ON a.dvm = k.dvm
LEFT JOIN dvm_heartbeats AS h ON h.dvm = k.dvm`;

export const m003Dvms: Migration = {
  version: 3,
  name: 'DVM profiles, activity and heartbeats as views',
  statements: [dvmProfiles, dvmActivity, dvmHeartbeats, dvms],
};
