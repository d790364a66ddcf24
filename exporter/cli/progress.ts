/**
 * A one-line progress report on stderr, redrawn at most once a second, and only on a terminal:
 * piped output and CI logs stay clean.
 */
export class ProgressLine {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly enabled = process.stderr.isTTY === true,
    private readonly nowMs: () => number = Date.now,
  ) {}

  update(render: () => string): void {
    if (!this.enabled) return;
    const now = this.nowMs();
    if (now - this.lastDraw < 1000) return;
    this.lastDraw = now;
    this.drawn = true;
    process.stderr.write(`\r\x1b[K${render()}`);
  }

  done(): void {
    if (this.enabled && this.drawn) process.stderr.write('\r\x1b[K');
  }
}
