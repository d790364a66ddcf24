import { describe, expect, it } from 'vitest';
import { formatElapsed, PLAIN_EVERY_MS, ProgressLine } from '../../exporter/cli/progress.js';

function recorder(tty: boolean) {
  let now = 0;
  const written: string[] = [];
  const progress = new ProgressLine({ tty, nowMs: () => now, write: (text) => written.push(text) });
  return {
    progress,
    written,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('progress of long CLI work', () => {
  it('on a terminal redraws one line at most once a second and clears it before the summary', () => {
    const { progress, written, advance } = recorder(true);
    progress.update(() => 'a');
    advance(400);
    progress.update(() => 'b');
    advance(600);
    progress.update(() => 'c');
    progress.summary('done');
    expect(written).toEqual(['\r\x1b[Ka', '\r\x1b[Kc', '\r\x1b[K', 'done\n']);
  });

  it('off a terminal prints nothing for short work, then a plain line per interval, and always the summary', () => {
    const { progress, written, advance } = recorder(false);
    let renders = 0;
    const render = () => `line ${++renders}`;
    progress.update(render);
    advance(PLAIN_EVERY_MS - 1);
    progress.update(render);
    expect(written).toEqual([]);
    expect(renders).toBe(0);
    advance(1);
    progress.update(render);
    advance(PLAIN_EVERY_MS / 2);
    progress.update(render);
    advance(PLAIN_EVERY_MS / 2);
    progress.update(render);
    progress.summary('done');
    // No escape codes in logs.
    expect(written).toEqual(['line 1\n', 'line 2\n', 'done\n']);
  });

  it('off a terminal prints no progress at all for machine-read output', () => {
    let now = 0;
    const written: string[] = [];
    const progress = new ProgressLine({
      tty: false,
      plainEveryMs: null,
      nowMs: () => now,
      write: (text) => written.push(text),
    });
    for (let i = 0; i < 5; i++) {
      now += PLAIN_EVERY_MS;
      progress.update(() => 'line');
    }
    progress.done();
    expect(written).toEqual([]);
  });

  it('says how long a job took', () => {
    expect(formatElapsed(16_240)).toBe('16.2 s');
    expect(formatElapsed(184_400)).toBe('3 min 4 s');
  });
});
