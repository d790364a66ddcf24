import { npubEncode } from 'nostr-tools/nip19';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../metrics/prometheus-server.js';
import { findTool } from '../metrics/tools.js';
import { type AlertPath, startAlertPath } from '../support/alert-path.js';

const prometheusBinary = findTool('prometheus');
const alertmanagerBinary = findTool('prometheus-alertmanager');

// 1/120: the shipped 30-minute windows are 15 s, `for: 5m` is 2.5 s, the answer timeout 5 s.
const SCALE = 1 / 120;

describe.skipIf(prometheusBinary === null || alertmanagerBinary === null)(
  'a DVM stops answering: Prometheus, Alertmanager, the exporter, a direct message',
  () => {
    let path: AlertPath;
    beforeAll(async () => {
      path = await startAlertPath({
        prometheusBinary: prometheusBinary!,
        alertmanagerBinary: alertmanagerBinary!,
        scale: SCALE,
      });
    }, 60_000);
    afterAll(async () => {
      await path?.stop();
    });

    const message = (pattern: RegExp) => async () => path.messages().find((m) => pattern.test(m.content));

    it('fires DvmDown, and the recipient unwraps a message naming the alert and the DVM; resolved when it answers again', async () => {
      await path.answering();
      path.dvm.behaviour = 'silent';
      const firing = await until('the firing message on the relay', message(/^FIRING: DvmDown/), 90_000);
      expect(firing.content).toContain(`DVM: Lighthouse ${npubEncode(path.dvm.pubkey)}`);
      expect(firing.content).toContain('DvmDown: DVM Lighthouse is down');
      expect(firing.content).toMatch(/Since: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
      expect(firing.content).toContain(`/d/dvm-detail/dvm-detail?var-dvm=${path.dvm.pubkey}`);

      path.dvm.behaviour = 'answer';
      const resolved = await until(
        'the resolved message on the relay',
        message(/^RESOLVED: DvmDown/),
        90_000,
      );
      expect(resolved.content).toContain(`DVM: Lighthouse ${npubEncode(path.dvm.pubkey)}`);
      expect(resolved.content).toMatch(/Was firing: .+ UTC to .+ UTC/);
      // One message per group and status: Prometheus re-sends the firing alert, Alertmanager does not repeat it.
      expect(path.messages().filter((m) => m.content.startsWith('FIRING: DvmDown'))).toHaveLength(1);
    }, 200_000);
  },
);
