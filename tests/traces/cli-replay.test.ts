import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NostrEvent } from '../../exporter/model/nostr-event.js';
import { scenarioEvents } from '../../exporter/simulate/index.js';
import { runCli } from '../support/cli.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { tempDir } from '../support/temp.js';

/* The built CLI, configured only through the standard OpenTelemetry variables. */

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await OtlpReceiver.start();
});
afterAll(async () => {
  await receiver.close();
});

describe('dvm-exporter replay with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  it('sends one well-formed trace per job chain, named after the root request, with the headers given', async () => {
    const items = [...scenarioEvents('three-step-chain'), ...scenarioEvents('branching-chain')];
    const file = join(tempDir('dvm-traces-cli-'), 'events.jsonl');
    writeFileSync(file, `${items.map((item) => item.line).join('\n')}\n`);
    const { code, stderr } = await runCli(['replay', '--json', '--no-store', file], {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-scope-orgid=dvm',
      },
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(receiver.problems).toEqual([]);
    const spans = receiver.spans();
    const requests = items.filter((i) => i.note === 'request').map((i) => i.event as NostrEvent);
    const [audio, , , subject, backdrop] = requests;
    // The three-step chain is one trace; the branching chain has two roots (subject and backdrop).
    expect(new Set(spans.map((s) => s.traceId))).toEqual(
      new Set([audio!, subject!, backdrop!].map((r) => r.id.slice(0, 32))),
    );
    expect(spans.filter((s) => s.name.startsWith('dvm.job'))).toHaveLength(requests.length);
    expect(spans.every((s) => s.resource['service.name'] === 'dvm-exporter')).toBe(true);
    expect(receiver.requestHeaders.every((h) => h['x-scope-orgid'] === 'dvm')).toBe(true);
  });
});
