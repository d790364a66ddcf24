import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSecretKey } from 'nostr-tools/pure';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type RunningExporter, startExporter } from '../../exporter/app/run-assembly.js';
import { configSchema } from '../../exporter/config/schema.js';
import { findTool } from '../metrics/tools.js';
import { quietLogger, TEST_TUNING, tempDir } from '../sources/support/harness.js';
import { REPO_ROOT } from '../support/paths.js';
import { PrometheusServer, until } from '../support/prometheus.js';
import { startTestRelay, type TestRelay } from '../support/relay.js';
import { TestDvm } from '../support/test-dvm.js';

const prometheusBinary = findTool('prometheus');
const shipped = parse(readFileSync(join(REPO_ROOT, 'provisioning/prometheus/prometheus.yml'), 'utf8'));

describe.skipIf(prometheusBinary === null)(
  'Prometheus scraping /probe through the shipped dvm-probe job',
  () => {
    const dir = tempDir('probe-prom');
    let relay: TestRelay;
    let answering: TestDvm;
    let silent: TestDvm;
    let exporter: RunningExporter;
    let prometheus: PrometheusServer;

    beforeAll(async () => {
      relay = await startTestRelay();
      answering = await TestDvm.start({ relayUrl: relay.url, behaviour: 'answer' });
      silent = await TestDvm.start({ relayUrl: relay.url, behaviour: 'silent' });
      exporter = await startExporter(
        configSchema.parse({
          listen: '127.0.0.1:0',
          dataDir: dir.path,
          logLevel: 'silent',
          ingest: { relays: [relay.url] },
          clickhouse: { enabled: false },
          probe: {
            secretKey: Buffer.from(generateSecretKey()).toString('hex'),
            minIntervalSeconds: 0,
            modules: { 'text-generation': { kind: 5050, inputs: [['say ok', 'text']], timeoutSeconds: 1.5 } },
          },
        }),
        { logger: quietLogger(), tuning: TEST_TUNING },
      );
      // The shipped job as it is, but for where the exporter listens, the targets file and a test pace.
      const job = structuredClone(
        shipped.scrape_configs.find((j: { job_name: string }) => j.job_name === 'dvm-probe'),
      );
      const targets = join(dir.path, 'targets.yml');
      await writeFile(targets, JSON.stringify([{ targets: [answering.pubkey, silent.pubkey] }]));
      job.file_sd_configs = [{ files: [targets], refresh_interval: '1s' }];
      job.scrape_interval = '3s';
      job.scrape_timeout = '2500ms';
      const address = job.relabel_configs.find(
        (r: { target_label: string }) => r.target_label === '__address__',
      );
      address.replacement = new URL(exporter.http.url).host;
      prometheus = await PrometheusServer.start({
        binary: prometheusBinary!,
        target: new URL(exporter.http.url).host,
        ruleFiles: [],
        scrapeConfigs: [job],
      });
    }, 60_000);
    afterAll(async () => {
      await prometheus?.stop();
      await exporter?.stop();
      answering?.stop();
      silent?.stop();
      await relay?.stop();
      dir.remove();
    });

    it('labels each probe with its DVM and module, success 1 for the DVM that answers and 0 for the silent one', async () => {
      const value = (dvm: string) => prometheus.scalar(`probe_success{job="dvm-probe",dvm="${dvm}"}`);
      const [ok, down] = await until(
        'both targets probed',
        async () => {
          const pair = [await value(answering.pubkey), await value(silent.pubkey)];
          return pair.every((v) => v !== undefined) ? pair : undefined;
        },
        45_000,
      );
      expect(ok).toBe(1);
      expect(down).toBe(0);
      const samples = await prometheus.query(
        `probe_result_seconds{job="dvm-probe",dvm="${answering.pubkey}"}`,
      );
      expect(samples[0]?.metric).toMatchObject({ instance: answering.pubkey, module: 'text-generation' });
      expect(samples[0]?.value).toBeGreaterThan(0);
      expect(await prometheus.scalar(`up{job="dvm-probe",dvm="${silent.pubkey}"}`)).toBe(1);
    });
  },
);
