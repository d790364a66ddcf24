import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATION, simulate } from '../../exporter/simulate/index.js';
import { render } from '../../exporter/sinks/metrics/exposition.js';
import { REPO_ROOT } from '../support/paths.js';
import { SimExporter } from './sim-exporter.js';
import { findTool, run } from './tools.js';

const PROMETHEUS_DIR = join(REPO_ROOT, 'provisioning', 'prometheus');
const RULES_DIR = join(PROMETHEUS_DIR, 'rules');
const promtool = findTool('promtool');

describe.skipIf(promtool === null)('promtool', () => {
  const tool = promtool ?? 'promtool';

  it('finds the alert rules valid', async () => {
    const checked = await run(tool, ['check', 'rules', join(RULES_DIR, 'dvm-alerts.yml')]);
    expect(checked.stdout + checked.stderr).toContain('SUCCESS');
    expect(checked.code).toBe(0);
  });

  it('passes the alert rule unit tests', async () => {
    const tested = await run(tool, ['test', 'rules', 'dvm-alerts.test.yml'], { cwd: RULES_DIR });
    expect(tested.stdout + tested.stderr).toContain('SUCCESS');
    expect(tested.code).toBe(0);
  });

  it('finds the compose scrape config valid, rule file included', async () => {
    const checked = await run(tool, ['check', 'config', 'prometheus.yml'], { cwd: PROMETHEUS_DIR });
    expect(checked.stdout + checked.stderr).toContain('1 rule files found');
    expect(checked.code).toBe(0);
  });

  describe('on the exposition of an hour of simulated traffic', () => {
    let text = '';
    beforeAll(async () => {
      const options = { ...DEFAULT_SIMULATION, durationSeconds: 3_600, requestsPerMinute: 10 };
      const exporter = await SimExporter.start({
        mode: 'run',
        start: options.start,
        items: simulate(options),
        defaultMetrics: true,
      });
      exporter.feedUntil(options.start + options.durationSeconds);
      text = await render(exporter.registry, 'prometheus');
    }, 120_000);

    it('has every contract metric, and promtool check metrics finds nothing to fix', async () => {
      for (const family of [
        'dvm_job_requests_total',
        'dvm_job_results_total',
        'dvm_job_feedback_total',
        'dvm_job_duration_seconds_bucket',
        'dvm_job_first_response_seconds_bucket',
        'dvm_payment_requested_millisats_total',
        'dvm_payment_earned_millisats_total',
        'dvm_last_seen_timestamp_seconds',
        'dvm_last_result_timestamp_seconds',
        'dvm_jobs_in_flight',
        'dvm_oldest_in_flight_job_age_seconds',
        'dvm_info',
        'dvm_exporter_build_info',
        'process_cpu_seconds_total',
      ]) {
        expect(text, family).toMatch(new RegExp(`^${family}[{ ]`, 'm'));
      }
      const checked = await run(tool, ['check', 'metrics'], { input: text });
      expect(checked.stdout + checked.stderr).toBe('');
      expect(checked.code).toBe(0);
    });
  });
});
