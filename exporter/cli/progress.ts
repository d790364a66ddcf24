export interface ProgressOptions {
  /** A terminal: one line redrawn in place. Otherwise plain lines, far apart, for logs. */
  readonly tty?: boolean;
  readonly nowMs?: () => number;
  readonly write?: (text: string) => void;
  /** Off a terminal, the gap between two progress lines; null for none (machine-read output). */
  readonly plainEveryMs?: number | null;
}

/** Redraws on a terminal at most this often. */
const TTY_EVERY_MS = 1000;
/** Off a terminal (CI logs, a pipe to a file): a line now and then shows a long job is alive. */
export const PLAIN_EVERY_MS = 10_000;

/**
 * Progress of long CLI work on stderr: on a terminal one line redrawn at most once a second, elsewhere
 * a plain line every ten seconds (short jobs print none), and a one-line summary at the end.
 */
export class ProgressLine {
  private readonly tty: boolean;
  private readonly nowMs: () => number;
  private readonly write: (text: string) => void;
  private readonly everyMs: number | null;
  private lastDraw: number;
  private drawn = false;

  constructor(options: ProgressOptions = {}) {
    this.tty = options.tty ?? process.stderr.isTTY === true;
    this.nowMs = options.nowMs ?? Date.now;
    this.write = options.write ?? ((text) => process.stderr.write(text));
    this.everyMs = this.tty
      ? TTY_EVERY_MS
      : options.plainEveryMs === undefined
        ? PLAIN_EVERY_MS
        : options.plainEveryMs;
    // Off a terminal the first line waits a full interval; on one the first update draws at once.
    this.lastDraw = this.tty ? Number.NEGATIVE_INFINITY : this.nowMs();
  }

  /** `render` runs only when a line is due, so callers may format freely. */
  update(render: () => string): void {
    if (this.everyMs === null) return;
    const now = this.nowMs();
    if (now - this.lastDraw < this.everyMs) return;
    this.lastDraw = now;
    if (this.tty) {
      this.drawn = true;
      this.write(`\r\x1b[K${render()}`);
    } else {
      this.write(`${render()}\n`);
    }
  }

  /** Clears the redrawn line, leaving the terminal as it was. */
  done(): void {
    if (this.tty && this.drawn) this.write('\r\x1b[K');
    this.drawn = false;
  }

  /** Ends the progress with one line that stays. */
  summary(line: string): void {
    this.done();
    this.write(`${line}\n`);
  }
}

/** "16.2 s" or "3 min 4 s": how long a job took, for summaries. */
export function formatElapsed(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/** Items per second over `ms`, rounded, for progress lines. */
export function ratePerSecond(count: number, ms: number): string {
  return Math.round(count / Math.max(ms / 1000, 0.001)).toLocaleString('en-US');
}

/** "1 line", "7,129 lines". */
export function counted(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
