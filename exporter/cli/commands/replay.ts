import { accessSync, constants, statSync } from 'node:fs';
import type { Command } from 'commander';
import { assembleReplay } from '../../app/replay-assembly.js';
import { configSecrets } from '../../app/secrets.js';
import { UsageError } from '../../base/errors.js';
import { createLogger } from '../../base/logger.js';
import type { IngestSummary } from '../../pipeline/summary.js';
import { writeMetricsFile } from '../../sinks/metrics/exposition.js';
import { replayFiles, SORTED_PHASE } from '../../sources/file-replay.js';
import { addPipelineOptions, configFromFlags, type PipelineFlags } from '../common-options.js';
import { counted, formatElapsed, ProgressLine, ratePerSecond } from '../progress.js';

interface ReplayFlags extends PipelineFlags {
  readonly json?: boolean;
  readonly metricsOut?: string;
}

export function register(program: Command): void {
  const command = program
    .command('replay')
    .description('run events from JSON Lines files through the exporter pipeline once, print a summary, exit')
    .argument(
      '<files...>',
      'JSONL of bare events or relay ["EVENT",sub,{...}] messages; - reads stdin; .gz is gunzipped',
    )
    .option('--json', 'print the summary as one JSON object')
    .option(
      '--metrics-out <file>',
      'write the Prometheus exposition after the replay (offline analysis, golden tests)',
    );
  addPipelineOptions(command).action(async (files: string[], flags: ReplayFlags) => {
    const summary = await replay(files, flags);
    process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
  });
}

export async function replay(files: readonly string[], flags: ReplayFlags): Promise<IngestSummary> {
  const config = configFromFlags(flags);
  for (const file of files) assertReadable(file);
  if (flags.metricsOut !== undefined) assertWritableFile(flags.metricsOut);
  const logger = createLogger(flags.logLevel ?? (flags.json ? 'warn' : config.logLevel), {
    secrets: configSecrets(config, process.env),
  });
  const assembly = await assembleReplay(config, { logger });
  // With --json, stderr stays empty off a terminal: scripts read the JSON and nothing else.
  const progress = new ProgressLine(flags.json ? { plainEveryMs: null } : {});
  const started = Date.now();
  let done = 0;
  let phaseStarted: number | null = null;
  try {
    await replayFiles(
      assembly.pipeline,
      files,
      ({ file, lines, finished }) => {
        // Reading counts every file's lines; the sorted phase counts the same lines again, from 0.
        if (file === SORTED_PHASE && phaseStarted === null) phaseStarted = Date.now();
        progress.update(() => {
          const total = file === SORTED_PHASE ? lines : done + lines;
          const name = file === '-' ? 'stdin' : file;
          return `replay ${name}: ${lines.toLocaleString('en-US')} lines (${ratePerSecond(total, Date.now() - (phaseStarted ?? started))} lines/s)`;
        });
        if (finished) done += lines;
      },
      { verifyPool: assembly.verifyPool },
    );
  } finally {
    progress.done();
    await assembly.close();
  }
  // After close, so the exposition includes what the sinks counted while flushing.
  if (flags.metricsOut) await writeMetricsFile(assembly.registry, flags.metricsOut);
  const totals = assembly.pipeline.summaryTotals();
  // With --json the JSON object is the summary, and stderr stays empty for scripts.
  if (!flags.json) {
    const elapsed = Date.now() - started;
    progress.summary(
      `replay: ${counted(totals.read, 'line')} from ${counted(files.length, 'input')} in ${formatElapsed(elapsed)} (${ratePerSecond(totals.read, elapsed)} lines/s), ${totals.accepted.toLocaleString('en-US')} accepted`,
    );
  }
  return totals;
}

function assertReadable(file: string): void {
  if (file === '-') return;
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

/** Refused before the replay, not after it: a directory in place of the file can never be written. */
function assertWritableFile(path: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // Absent: written (with its folders) after the replay.
  }
  if (isDirectory) throw new UsageError(`--metrics-out ${path} is a directory; give a file path`);
}

export function formatSummary(summary: IngestSummary): string {
  const list = (entries: [string, number][]) =>
    entries
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || '-';
  const rejected = Object.values(summary.rejected).reduce((a, b) => a + (b ?? 0), 0);
  return [
    `read        ${summary.read}`,
    `accepted    ${summary.accepted}`,
    `duplicates  ${summary.duplicates}`,
    `rejected    ${rejected}${rejected ? ` (${list(Object.entries(summary.rejected) as [string, number][])})` : ''}`,
    `roles       ${list(Object.entries(summary.roles))}`,
    `jobs        ${summary.jobs}`,
    '',
  ].join('\n');
}
