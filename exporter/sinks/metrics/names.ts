/**
 * Names of every metric the metrics sink exposes. The `dvm_*` names and labels are a contract: the
 * dashboards, the alert rules in provisioning/prometheus/rules and outside checks query them, and
 * docs/metrics.md catalogues each one.
 */

/** Job timestamps have one-second resolution, and jobs can take hours (payment, queues, chains). */
export const DURATION_BUCKETS: readonly number[] = Object.freeze([
  1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 7200,
]);

export const METRIC = {
  // Jobs
  requests: 'dvm_job_requests_total',
  requestsTargeted: 'dvm_job_requests_targeted_total',
  requestsUnanswered: 'dvm_job_requests_unanswered_total',
  results: 'dvm_job_results_total',
  feedback: 'dvm_job_feedback_total',
  duration: 'dvm_job_duration_seconds',
  firstResponse: 'dvm_job_first_response_seconds',
  jobsEnded: 'dvm_jobs_ended_total',
  jobsInFlight: 'dvm_jobs_in_flight',
  oldestInFlight: 'dvm_oldest_in_flight_job_age_seconds',
  jobsInProgress: 'dvm_jobs_in_progress',
  oldestInProgress: 'dvm_oldest_in_progress_job_age_seconds',
  // Payments
  paymentRequested: 'dvm_payment_requested_millisats_total',
  paymentEarned: 'dvm_payment_earned_millisats_total',
  paymentUnfulfilled: 'dvm_job_payment_requests_unfulfilled_total',
  // DVMs
  info: 'dvm_info',
  up: 'dvm_up',
  state: 'dvm_state',
  lastSeen: 'dvm_last_seen_timestamp_seconds',
  lastResult: 'dvm_last_result_timestamp_seconds',
  lastHeartbeat: 'dvm_last_heartbeat_timestamp_seconds',
  // The exporter itself
  buildInfo: 'dvm_exporter_build_info',
  accepted: 'dvm_exporter_accepted_events_total',
  duplicates: 'dvm_exporter_duplicate_events_total',
  rejected: 'dvm_exporter_rejected_events_total',
  backfill: 'dvm_exporter_backfill_events_total',
  late: 'dvm_exporter_late_events_total',
  orphans: 'dvm_exporter_orphan_events_total',
  kindMismatch: 'dvm_exporter_kind_mismatch_events_total',
  clockSkew: 'dvm_exporter_clock_skew_events_total',
  implausibleAmounts: 'dvm_exporter_implausible_amounts_total',
  jobsTracked: 'dvm_exporter_jobs_tracked',
  jobsOpen: 'dvm_exporter_jobs_open',
  jobPlaceholders: 'dvm_exporter_job_placeholders',
  jobEvictions: 'dvm_exporter_job_evictions_total',
  jobLimitOverflow: 'dvm_exporter_job_limit_overflow_total',
  dedupEntries: 'dvm_exporter_dedup_cache_entries',
  trackedDvms: 'dvm_exporter_tracked_dvms',
  labelOverflow: 'dvm_exporter_label_overflow_total',
  idleDvmsRemoved: 'dvm_exporter_idle_dvms_removed_total',
  trackingOverflow: 'dvm_exporter_tracking_overflow_total',
  sinkErrors: 'dvm_exporter_sink_errors_total',
  relayPublishes: 'dvm_exporter_relay_publishes_total',
  notifications: 'dvm_exporter_notifications_total',
  probes: 'dvm_exporter_probes_total',
  probeRefusals: 'dvm_exporter_probe_refusals_total',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];
