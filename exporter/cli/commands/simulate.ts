import type { Command } from 'commander';
import { UsageError } from '../../base/errors.js';
import { redactText } from '../../base/redact.js';
import type { SimulatedItem, SimulationOptions } from '../../simulate/index.js';
import { formatLine, openOutput } from '../../simulate/output.js';
import type { PublishSummary } from '../../simulate/publish.js';
import { counted, formatElapsed, ProgressLine, ratePerSecond } from '../progress.js';

interface SimulateFlags {
  readonly seed?: string;
  readonly start?: string;
  readonly duration: string;
  readonly rate: string;
  readonly malformedShare: string;
  readonly duplicateShare?: string;
  readonly out?: string;
  readonly format: string;
  readonly publish?: string;
  readonly speed?: string;
  readonly json?: boolean;
  /** commander's --expiration / --no-expiration; undefined when neither is given. */
  readonly expiration?: boolean;
}

const DEFAULT_START = 1_767_225_600;

export function register(program: Command): void {
  program
    .command('simulate')
    .description('generate deterministic, signed NIP-90 DVM traffic: to JSON Lines, or published to a relay')
    .option('--seed <n>', 'integer seed: the same seed gives the same bytes', '1')
    .option(
      '--start <time>',
      'unix seconds, ISO 8601 or "now" for the first event (default 2026-01-01T00:00:00Z; with --publish: now, or now minus the duration without --speed)',
    )
    .option('--duration <d>', 'how much traffic: seconds, or 90s, 30m, 1h, 2d', '1h')
    .option('--rate <n>', 'job requests per minute (30, 30/min, 2/s, 600/h)', '30')
    .option(
      '--malformed-share <x>',
      'share of items that are malformed, forged or not DVM traffic, 0..1',
      '0.03',
    )
    .option('--duplicate-share <x>', 'share of events delivered twice, as by two relays, 0..1 (default 0.02)')
    .option('--out <file>', 'write to a file; - is stdout (the default, unless publishing)')
    .option('--format <format>', 'jsonl (bare events) or relay (["EVENT","sim",{...}] frames)', 'jsonl')
    .option('--publish <url>', 'publish to a relay (ws:// or wss://), waiting for its OK to every event')
    .option('--speed <n>', 'with --publish: N times real time (default: as fast as the relay acknowledges)')
    .option('--json', 'with --publish: print the summary as one JSON object')
    .option(
      '--expiration',
      'write NIP-40 expiration tags as nostrdvm does (the default, except when publishing past traffic)',
    )
    .option('--no-expiration', 'leave out expiration tags: relays refuse events whose expiration has passed')
    .action(async (flags: SimulateFlags) => {
      await runSimulate(flags);
    });
}

async function runSimulate(flags: SimulateFlags): Promise<void> {
  const format = parseFormat(flags.format);
  const speed = flags.speed === undefined ? undefined : parsePositive('--speed', flags.speed);
  if (speed !== undefined && flags.publish === undefined) throw new UsageError('--speed needs --publish');
  if (flags.json && flags.publish === undefined) throw new UsageError('--json needs --publish');
  const publishUrl = flags.publish === undefined ? undefined : parseRelayUrl(flags.publish);
  const durationSeconds = parseDuration(flags.duration);
  const nowSeconds = Math.floor(Date.now() / 1000);
  const defaultStart =
    publishUrl === undefined
      ? DEFAULT_START
      : speed === undefined
        ? nowSeconds - durationSeconds
        : nowSeconds;
  const options: SimulationOptions = {
    seed: parseSeed(flags.seed ?? '1'),
    start: flags.start === undefined ? defaultStart : parseStart(flags.start, nowSeconds),
    durationSeconds,
    requestsPerMinute: parseRate(flags.rate),
    malformedShare: parseShare('--malformed-share', flags.malformedShare),
    duplicateShare:
      flags.duplicateShare === undefined ? undefined : parseShare('--duplicate-share', flags.duplicateShare),
    // History published now would be refused by any relay that honours NIP-40, so it goes without.
    expirationTags: flags.expiration ?? !(publishUrl !== undefined && speed === undefined),
  };

  // Loaded here so other commands do not pay for the simulator's WebAssembly signer.
  const { simulate } = await import('../../simulate/index.js');
  const progress = new ProgressLine(flags.json ? { plainEveryMs: null } : {});
  const started = Date.now();
  let count = 0;
  let simulatedAt = options.start;
  const out = flags.out ?? (publishUrl === undefined ? '-' : undefined);
  const sink = out === undefined ? null : openOutput(out);
  const items = tap(simulate(options), (item) => {
    count++;
    simulatedAt = item.at;
    sink?.add(formatLine(item, format));
    if (publishUrl === undefined) {
      progress.update(
        () =>
          `simulate: ${count.toLocaleString('en-US')} lines, at ${isoSeconds(item.at)} (${ratePerSecond(count, Date.now() - started)}/s)`,
      );
    }
  });
  try {
    if (publishUrl === undefined) {
      for (const _ of items) {
        if (sink?.closed) break;
        const drained = sink?.drained();
        if (drained) await drained;
      }
      await sink?.finish();
      progress.summary(
        `simulate: ${counted(count, 'line')} to ${out === '-' ? 'stdout' : out} in ${formatElapsed(Date.now() - started)}`,
      );
    } else {
      const summary = await publish(items, publishUrl, speed, (sofar) =>
        progress.update(
          () =>
            `simulate: ${sofar.sent.toLocaleString('en-US')} sent, ${sofar.accepted.toLocaleString('en-US')} accepted, at ${isoSeconds(simulatedAt)}`,
        ),
      );
      await sink?.finish();
      progress.done();
      if (flags.json) process.stdout.write(`${JSON.stringify(summaryJson(summary))}\n`);
      else {
        process.stdout.write(formatPublishSummary(summary));
        progress.summary(
          `simulate: ${counted(summary.sent, 'event')} published in ${formatElapsed(Date.now() - started)}`,
        );
      }
    }
  } finally {
    progress.done();
  }
}

function isoSeconds(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

async function publish(
  items: Iterable<SimulatedItem>,
  url: string,
  speed: number | undefined,
  onProgress: (summary: PublishSummary) => void,
): Promise<PublishSummary> {
  const { publishItems, RelayUnreachableError, RelayConnectionLostError } = await import(
    '../../simulate/publish.js'
  );
  try {
    return await publishItems(items, { url, speed, onProgress });
  } catch (err) {
    if (err instanceof RelayUnreachableError || err instanceof RelayConnectionLostError) {
      process.stderr.write(`dvm-exporter: ${redactText(err.message)}\n`);
      process.exit(1);
    }
    throw err;
  }
}

function* tap<T>(source: Iterable<T>, visit: (item: T) => void): Generator<T> {
  for (const item of source) {
    visit(item);
    yield item;
  }
}

function formatPublishSummary(summary: PublishSummary): string {
  const rejected = Object.entries(summary.rejected);
  const total = rejected.reduce((sum, [, n]) => sum + n, 0);
  return [
    `sent        ${summary.sent}`,
    `accepted    ${summary.accepted}`,
    `duplicates  ${summary.duplicates}`,
    `rejected    ${total}${total ? ` (${rejected.map(([reason, n]) => `${reason}: ${n}`).join('; ')})` : ''}`,
    `skipped     ${summary.skipped} (not events)`,
    `failed      ${summary.failed} (no OK in time)`,
    '',
  ].join('\n');
}

function summaryJson(summary: PublishSummary): Record<string, unknown> {
  const { acceptedIds: _ids, ...counts } = summary;
  return counts;
}

export function parseSeed(text: string): number {
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--seed must be an integer, got "${text}"`);
  }
  return Number(text);
}

export function parseStart(text: string, nowSeconds: number): number {
  const trimmed = text.trim();
  if (trimmed === 'now') return nowSeconds;
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    if (Number.isSafeInteger(seconds)) return seconds;
  }
  // Only full dates: Date.parse accepts too many shapes to trust with a bare word.
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const ms = Date.parse(trimmed);
    if (Number.isFinite(ms) && ms >= 0) return Math.floor(ms / 1000);
  }
  throw new UsageError(`--start must be unix seconds, an ISO 8601 time or "now", got "${text}"`);
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 };

export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(text.trim());
  const seconds = match ? Math.round(Number(match[1]) * (UNIT_SECONDS[match[2] ?? ''] ?? 1)) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new UsageError(`--duration must be a positive time like 3600, 90s, 30m, 1h or 2d, got "${text}"`);
  }
  return seconds;
}

const PER_MINUTE: Readonly<Record<string, number>> = {
  '': 1,
  min: 1,
  m: 1,
  s: 60,
  sec: 60,
  h: 1 / 60,
  hour: 1 / 60,
};

export function parseRate(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(?:\/(min|m|s|sec|h|hour))?$/.exec(text.trim());
  const rate = match ? Number(match[1]) * (PER_MINUTE[match[2] ?? ''] ?? 1) : Number.NaN;
  if (!Number.isFinite(rate) || rate <= 0 || rate > 60_000) {
    throw new UsageError(
      `--rate must be requests per minute like 30, 30/min, 2/s or 600/h (at most 60000/min), got "${text}"`,
    );
  }
  return rate;
}

function parseShare(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw new UsageError(`${flag} must be a number from 0 up to (not including) 1, got "${text}"`);
  }
  return value;
}

function parsePositive(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag} must be a positive number, got "${text}"`);
  }
  return value;
}

function parseFormat(text: string): 'jsonl' | 'relay' {
  if (text === 'jsonl' || text === 'relay') return text;
  throw new UsageError(`--format must be jsonl or relay, got "${text}"`);
}

function parseRelayUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--publish must be a ws:// or wss:// URL, got "${text}"`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new UsageError(`--publish must be a ws:// or wss:// URL, got "${text}"`);
  }
  return text;
}
