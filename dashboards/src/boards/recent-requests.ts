import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard } from '../lib/dashboard.js';
import { eventsTable } from '../lib/events-table.js';
import { UNITS } from '../lib/panels.js';
import { DASHBOARD_UIDS } from '../lib/uids.js';

/** DVMDash's /recent/ page: the newest requests, at most three per kind, and how each went. */

const newestPerKind = `
    SELECT r.*, s.dvms AS dvms, s.results AS results, s.outcome AS outcome
    FROM
    (
        SELECT * FROM events FINAL
        WHERE role = 'request'
        ORDER BY created_at DESC, id DESC
        LIMIT 3 BY kind
        LIMIT 2000
    ) AS r
    LEFT JOIN
    (
        SELECT job_id, count() AS dvms, sum(result_count) AS results,
               multiIf(countIf(result_count > 0) > 0, 'delivered', countIf(final_status = 'error') = count(), 'error',
                       'waiting') AS outcome
        FROM job_responses_base
        GROUP BY job_id
    ) AS s ON s.job_id = r.id`;

export function recentRequests(): DashboardBuilder {
  const d = dashboard({
    uid: DASHBOARD_UIDS.recentRequests,
    title: 'DVM recent requests',
    description: 'The newest job requests, at most three of every kind, with the DVMs that answered.',
  });
  d.withPanel(
    eventsTable({
      title: 'Latest 3 requests of every kind',
      description:
        'Newest first. DVMs: how many DVMs answered (feedback or result); Results: results delivered. ' +
        'Click a request to debug its job, a trace id to see its trace.',
      from: newestPerKind,
      order: 'newest first',
      limit: 2000,
      height: 24,
      extra: [
        { column: { field: 'dvms', header: 'DVMs', unit: UNITS.count, width: 70 } },
        { column: { field: 'results', header: 'Results', unit: UNITS.count, width: 80 } },
        {
          sql: "if(dvms = 0, 'unanswered', outcome) AS state",
          column: { field: 'state', header: 'State', width: 100 },
        },
      ],
    }),
  );
  return d;
}
