import { describe, expect, it } from 'vitest';
import { announcement, heartbeat, key, result, T0 } from '../support/dvm-events.js';
import { MetricsHarness } from './harness.js';

const [A, B, C, X] = ['dvm-a', 'dvm-b', 'dvm-c', 'dvm-x'].map(key) as [string, string, string, string];
const RESULTS = 'dvm_job_results_total';

describe('dvm label cap', () => {
  it('labels the first DVMs up to the cap and folds the rest into __other__, counting each fold', async () => {
    const h = new MetricsHarness({ metrics: { dvmLabelCap: 2 } });
    h.feed(
      result({ dvm: A, requestId: null, at: T0, requestKind: 5300 }),
      result({ dvm: B, requestId: null, at: T0, requestKind: 5300 }),
      result({ dvm: C, requestId: null, at: T0, requestKind: 5300 }),
      result({ dvm: C, requestId: null, at: T0, requestKind: 5300 }),
    );
    expect(await h.labelValues(RESULTS, 'dvm')).toEqual(['__other__', A, B].sort());
    expect(await h.value(RESULTS, { kind: '5300', dvm: '__other__', encrypted: 'false' })).toBe(2);
    expect(await h.value('dvm_exporter_label_overflow_total', { metric: RESULTS })).toBe(2);
    await h.scrape();
    expect(await h.labelValues('dvm_info', 'dvm')).toEqual([A, B].sort());
  });

  it('never folds allowlisted DVMs, and does not count them against the cap', async () => {
    const h = new MetricsHarness({ metrics: { dvmLabelCap: 1, dvmAllowlist: [X] } });
    h.feed(
      result({ dvm: A, requestId: null, at: T0, requestKind: 5300 }),
      result({ dvm: X, requestId: null, at: T0, requestKind: 5300 }),
      result({ dvm: B, requestId: null, at: T0, requestKind: 5300 }),
    );
    expect(await h.labelValues(RESULTS, 'dvm')).toEqual(['__other__', A, X].sort());
  });

  it('removes the series of idle DVMs and frees their slot, but keeps allowlisted ones', async () => {
    const h = new MetricsHarness({ metrics: { dvmLabelCap: 1, dvmAllowlist: [X], dvmIdleSeconds: 3_600 } });
    h.feed(
      result({ dvm: A, requestId: null, at: T0, requestKind: 5300 }),
      result({ dvm: X, requestId: null, at: T0, requestKind: 5300 }),
    );
    h.at(3_599);
    await h.scrape();
    expect(await h.labelValues(RESULTS, 'dvm')).toEqual([A, X].sort());

    h.at(3_601);
    const scrape = await h.scrape();
    expect(await h.labelValues(RESULTS, 'dvm')).toEqual([X]);
    expect(scrape).not.toContain(A);
    expect(await h.value('dvm_exporter_idle_dvms_removed_total')).toBe(1);

    // The freed slot goes to the next DVM.
    h.feed(result({ dvm: B, requestId: null, at: T0 + 3_601, requestKind: 5300 }));
    expect(await h.labelValues(RESULTS, 'dvm')).toEqual([B, X].sort());
  });

  it('drops what an idle DVM wrote since the last read with its series, and starts a returning one afresh', async () => {
    const h = new MetricsHarness({ metrics: { dvmIdleSeconds: 3_600 } });
    h.feed(
      result({ dvm: A, requestId: null, at: T0, requestKind: 5300 }),
      result({ dvm: B, requestId: null, at: T0 + 3_000, requestKind: 5300 }),
    );
    // Forgotten without any read in between: its increment was never handed over.
    h.at(3_601);
    h.sink.sweep();
    h.feed(
      result({ dvm: A, requestId: null, at: T0 + 3_601, requestKind: 5300 }),
      result({ dvm: B, requestId: null, at: T0 + 3_601, requestKind: 5300 }),
    );
    expect(await h.value(RESULTS, { kind: '5300', dvm: A, encrypted: 'false' })).toBe(1);
    expect(await h.value(RESULTS, { kind: '5300', dvm: B, encrypted: 'false' })).toBe(2);
    expect(await h.value('dvm_exporter_idle_dvms_removed_total')).toBe(1);
  });

  it('keeps a DVM whose activity continues, whatever kind of event it is', async () => {
    const h = new MetricsHarness({ metrics: { dvmIdleSeconds: 3_600 } });
    h.feed(result({ dvm: A, requestId: null, at: T0, requestKind: 5300 }));
    h.at(3_000).feed(heartbeat(A, T0 + 3_000));
    h.at(6_000);
    await h.scrape();
    expect(await h.labelValues(RESULTS, 'dvm')).toEqual([A]);
  });

  it('does not label a DVM from an event already older than the idle time', async () => {
    const h = new MetricsHarness({ metrics: { dvmIdleSeconds: 86_400 } });
    h.feed(announcement(A, 'Ancient', T0 - 2 * 86_400), heartbeat(B, T0 - 2 * 86_400));
    await h.scrape();
    expect(await h.samples('dvm_info')).toEqual([]);
    expect(await h.samples('dvm_last_heartbeat_timestamp_seconds')).toEqual([]);
  });
});

describe('dvm_info', () => {
  it('carries the name of the newest announcement, one series per DVM', async () => {
    const h = new MetricsHarness();
    h.feed(
      announcement(A, 'Feeds v2', T0 + 10, 'second'),
      announcement(A, 'Feeds', T0, 'first'),
      announcement(B, null, T0),
      announcement(C, '  Multi\nline\tname  ', T0),
    );
    await h.scrape();
    expect(await h.samples('dvm_info')).toEqual([
      { labels: { dvm: A, name: 'Feeds v2' }, value: 1 },
      { labels: { dvm: B, name: B.slice(0, 12) }, value: 1 },
      { labels: { dvm: C, name: 'Multi line name' }, value: 1 },
    ]);
  });
});
