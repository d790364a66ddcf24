/**
 * DVMDash v0.1's fourteen global cards, each defined once: the Overview dashboard shows these queries,
 * the documented `global-stats` example is built from them, and the tests check their answers against
 * an independent count from the raw events. Where the project deliberately counts differently from
 * DVMDash, `description` (the card's description on the dashboard) says how.
 *
 * Single-value cards answer one row with one column, `value`.
 */
export interface Card {
  readonly title: string;
  readonly description: string;
  readonly sql: string;
}

const allTime = (role: 'request' | 'result', what: string) =>
  `SELECT ${what} AS value FROM events_daily WHERE role = '${role}'`;

const createdWithin = (role: 'request' | 'result', window: string) =>
  `SELECT uniqExact(id) AS value FROM events WHERE role = '${role}' AND created_at >= now() - INTERVAL ${window}`;

export const CARDS = {
  requests: {
    title: 'DVM requests',
    description: 'All-time count of job requests (kinds 5000-5999), each event once.',
    sql: allTime('request', 'uniqExactMerge(events)'),
  },
  results: {
    title: 'DVM results',
    description: 'All-time count of job results (kinds 6000-6999), each event once.',
    sql: allTime('result', 'uniqExactMerge(events)'),
  },
  requestKinds: {
    title: 'Request kinds seen',
    description: 'Distinct request kinds ever seen.',
    sql: allTime('request', 'uniqExact(kind)'),
  },
  resultKinds: {
    title: 'Result kinds seen',
    description: 'Distinct result kinds ever seen.',
    sql: allTime('result', 'uniqExact(kind)'),
  },
  dvmPubkeys: {
    title: 'DVM pubkeys seen',
    description:
      'Keys that published a job result or announced a DVM (NIP-89 kind 31990). DVMDash read only the first k tag ' +
      'of an announcement; here any k tag in 5000-5999 makes it a DVM announcement.',
    sql: 'SELECT count() AS value FROM dvms WHERE results > 0 OR announced',
  },
  dvmProfiles: {
    title: 'DVM profiles seen',
    description:
      'DVMs with a NIP-89 announcement (kind 31990 with a k tag in 5000-5999). DVMDash also required the newest ' +
      "announcement's content to parse as JSON; here every announcing DVM counts.",
    sql: 'SELECT count() AS value FROM dvm_profiles',
  },
  uniqueUsers: {
    title: 'Unique users',
    description: 'Distinct authors of job requests, all time.',
    sql: allTime('request', 'uniqExactMerge(authors)'),
  },
  satsPaid: {
    title: 'Total sats paid to DVMs',
    description:
      'Estimate: a DVM that asked for payment on a job and then delivered a result is taken as paid, once per job ' +
      'and DVM, with the invoice amount when the bolt11 decodes (DVMDash read only the amount tag) and the amount ' +
      'tag otherwise. 0 when nothing was earned.',
    sql: 'SELECT coalesce(sum(earned_msat), 0) / 1000 AS value FROM job_responses',
  },
  requests24h: {
    title: 'Requests, 24 h',
    description: 'Requests created in the last 24 hours.',
    sql: createdWithin('request', '1 DAY'),
  },
  results24h: {
    title: 'Results, 24 h',
    description: 'Results created in the last 24 hours.',
    sql: createdWithin('result', '1 DAY'),
  },
  requestsWeek: {
    title: 'Requests, 1 week',
    description: 'Requests created in the last 7 days.',
    sql: createdWithin('request', '7 DAY'),
  },
  resultsWeek: {
    title: 'Results, 1 week',
    description: 'Results created in the last 7 days.',
    sql: createdWithin('result', '7 DAY'),
  },
  mostPopularDvm: {
    title: 'Most popular DVM',
    description:
      'The DVM that completed the most jobs (a result for a request that was seen, as DVMDash joined them), all ' +
      'time; ties go to the smaller key.',
    sql: `
SELECT r.dvm AS dvm, any(p.name) AS name, count() AS jobs_completed
FROM job_responses AS r
LEFT JOIN dvm_profiles AS p ON p.dvm = r.dvm
WHERE r.result_count > 0 AND r.request_seen = 1
GROUP BY r.dvm
ORDER BY jobs_completed DESC, dvm
LIMIT 1`,
  },
  mostPopularKind: {
    title: 'Most popular kind',
    description:
      'The request kind with the most distinct requesting users (as DVMDash counted it), all time; ties go to the ' +
      'kind with more requests, then the smaller kind.',
    sql: `
SELECT kind, uniqExact(pubkey) AS customers, uniqExact(id) AS requests
FROM events
WHERE role = 'request'
GROUP BY kind
ORDER BY customers DESC, requests DESC, kind
LIMIT 1`,
  },
} as const satisfies Record<string, Card>;

export type CardId = keyof typeof CARDS;

/** The single-value cards, in the columns of the `global-stats` example. */
const GLOBAL_COLUMNS = [
  ['requests', 'requests'],
  ['results', 'results'],
  ['requestKinds', 'request_kinds'],
  ['resultKinds', 'result_kinds'],
  ['dvmPubkeys', 'dvm_pubkeys'],
  ['dvmProfiles', 'dvm_profiles'],
  ['uniqueUsers', 'unique_users'],
  ['satsPaid', 'sats_paid'],
] as const satisfies readonly (readonly [CardId, string])[];

/** Every all-time single-value card as one row: the `global-stats` example. */
export const GLOBAL_STATS_SQL = `
SELECT
${GLOBAL_COLUMNS.map(([id, column]) => `    (${CARDS[id].sql}) AS ${column}`).join(',\n')}`;
