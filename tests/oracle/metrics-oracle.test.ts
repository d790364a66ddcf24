import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXCLUDED_KINDS } from '../../exporter/model/exclusions.js';
import { JOB_KIND_NAMES } from '../../exporter/model/kinds.js';
import { type ParsedSample, parseExposition } from '../metrics/exposition-parse.js';
import { DvmDashOracle, ORACLE_EXCLUDED_KINDS, ORACLE_KNOWN_KINDS } from './dvmdash-oracle.js';
import { deal, realFixtureFiles, replayExposition, simulatorLines, writeParts } from './support.js';

/**
 * The metrics exposition of `replay` against the brute-force oracle, on simulator traffic and on the
 * real fixtures, in several orders: the order of lines and files must change nothing.
 */

type Counts = Record<string, number>;

/** Sums `name`'s samples by the given labels, joined by a space; zero samples left out. */
function sumBy(samples: readonly ParsedSample[], name: string, labels: readonly string[]): Counts {
  const out: Counts = {};
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = labels.map((l) => s.labels[l] ?? '').join(' ');
    out[key] = (out[key] ?? 0) + s.value;
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== 0));
}

const nonZero = (counts: Counts) => Object.fromEntries(Object.entries(counts).filter(([, v]) => v !== 0));

/** Every job metric whose value must not depend on arrival order, from an exposition. */
function jobMetrics(exposition: string) {
  const s = parseExposition(exposition);
  return {
    requests: sumBy(s, 'dvm_job_requests_total', ['kind']),
    results: sumBy(s, 'dvm_job_results_total', ['kind', 'dvm']),
    feedback: sumBy(s, 'dvm_job_feedback_total', ['kind', 'dvm']),
    durationCount: sumBy(s, 'dvm_job_duration_seconds_count', ['kind', 'dvm']),
    durationSum: sumBy(s, 'dvm_job_duration_seconds_sum', ['kind', 'dvm']),
    firstResponseCount: sumBy(s, 'dvm_job_first_response_seconds_count', ['kind', 'dvm']),
    firstResponseSum: sumBy(s, 'dvm_job_first_response_seconds_sum', ['kind', 'dvm']),
    earned: sumBy(s, 'dvm_payment_earned_millisats_total', ['dvm']),
    unanswered: sumBy(s, 'dvm_job_requests_unanswered_total', [])[''] ?? 0,
    jobsEnded: sumBy(s, 'dvm_jobs_ended_total', [])[''] ?? 0,
  };
}

function oracleMetrics(oracle: DvmDashOracle) {
  const latency = oracle.latencies({ withPongs: true });
  return {
    requests: oracle.requestsByKind(),
    results: oracle.resultsByKindAndDvm(),
    feedback: oracle.feedbackByKindAndDvm(),
    durationCount: latency.result,
    durationSum: nonZero(latency.resultSum),
    firstResponseCount: latency.response,
    firstResponseSum: nonZero(latency.responseSum),
    earned: oracle.earnedByDvm(),
    unanswered: oracle.unanswered(),
    jobsEnded: oracle.jobs(),
  };
}

/**
 * The exposition minus what describes the process rather than the input: build info, process and
 * Node.js metrics, and the exporter's own timings.
 */
function inputDescribed(exposition: string): string {
  return exposition
    .split('\n')
    .filter(
      (line) =>
        /^dvm_(?!exporter_build_info)/.test(line) && !/_seconds(_bucket|_sum|_count)?\{?.*stage=/.test(line),
    )
    .sort()
    .join('\n');
}

describe('the oracle', () => {
  it('keeps its own copy of the documented kind policy, equal to the exporter’s', () => {
    expect([...ORACLE_KNOWN_KINDS].sort()).toEqual([...JOB_KIND_NAMES.keys()].sort());
    expect([...ORACLE_EXCLUDED_KINDS].sort()).toEqual(EXCLUDED_KINDS.map((e) => e.kind).sort());
  });
});

describe('replay metrics against the oracle, in any order', () => {
  for (const seed of [1, 2, 3]) {
    it(`simulator seed ${seed}: sorted, reversed and shuffled over several files give the oracle's figures`, async () => {
      const lines = simulatorLines(seed);
      const oracle = await DvmDashOracle.of(lines);
      const expected = oracleMetrics(oracle);
      expect(Object.keys(expected.durationCount).length).toBeGreaterThan(3);
      expect(Object.keys(expected.earned).length).toBeGreaterThan(0);

      const sorted = await replayExposition(writeParts([lines]));
      expect(jobMetrics(sorted)).toEqual(expected);
      const reference = inputDescribed(sorted);
      expect(inputDescribed(await replayExposition(writeParts([[...lines].reverse()])))).toEqual(reference);
      await fc.assert(
        fc.asyncProperty(
          fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }),
          fc.integer({ min: 1, max: 3 }),
          async (order, files) => {
            const exposition = await replayExposition(writeParts(deal(order, files)));
            expect(inputDescribed(exposition)).toEqual(reference);
          },
        ),
        { numRuns: 1, seed },
      );
    }, 240_000);
  }

  it('the real fixtures, files in either order, lines reversed or shuffled, give the oracle’s figures', async () => {
    const files = realFixtureFiles();
    const all = files.flatMap((f) => f.lines);
    const expected = oracleMetrics(await DvmDashOracle.of(all));
    expect(Object.values(expected.results).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const sorted = await replayExposition(writeParts(files.map((f) => f.lines)));
    expect(jobMetrics(sorted)).toEqual(expected);
    const reference = inputDescribed(sorted);
    const orders = [
      files.map((f) => f.lines).reverse(),
      files.map((f) => [...f.lines].reverse()),
      [[...all].reverse()],
      deal([...all].sort(), 2),
    ];
    for (const parts of orders)
      expect(inputDescribed(await replayExposition(writeParts(parts)))).toEqual(reference);
  }, 120_000);
});
