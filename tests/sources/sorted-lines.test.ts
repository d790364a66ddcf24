import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LineItem } from '../../exporter/sources/line-reader.js';
import { sortedLines } from '../../exporter/sources/sorted-lines.js';

const hexId = (n: number) => n.toString(16).padStart(64, '0');
const bare = (createdAt: number, n: number) =>
  JSON.stringify({ id: hexId(n), created_at: createdAt, kind: 1 });
const framed = (createdAt: number, n: number) => `["EVENT","sub",${bare(createdAt, n)}]`;

async function collect(files: readonly string[], runBytes: number, tmp: string): Promise<LineItem[]> {
  const out: LineItem[] = [];
  for await (const item of sortedLines(files, 4096, { runBytes, tmpDir: tmp })) out.push(item);
  return out;
}

function writeFiles(dir: string, parts: readonly (readonly string[])[]): string[] {
  return parts.map((lines, i) => {
    const path = join(dir, `part-${i}.jsonl`);
    writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
    return path;
  });
}

describe('sortedLines', () => {
  it('yields event lines by created_at then id, non-event lines first, and cleans up its runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvm-sort-'));
    const tmp = mkdtempSync(join(tmpdir(), 'dvm-sort-tmp-'));
    const files = writeFiles(dir, [
      [bare(30, 1), 'not json', framed(10, 2), '["EOSE","sub"]', bare(10, 1)],
      ['', bare(20, 3), 'x'.repeat(5000)],
    ]);
    // A run of about one line at a time: every line spills, and the merge puts them back in order.
    for (const runBytes of [1, 1 << 20]) {
      const items = await collect(files, runBytes, tmp);
      const lines = items.map((item) => ('line' in item ? item.line : `oversized ${item.oversizedBytes}`));
      expect(lines).toEqual([
        'not json',
        '["EOSE","sub"]',
        '',
        'oversized 5000',
        bare(10, 1),
        framed(10, 2),
        bare(20, 3),
        bare(30, 1),
      ]);
      expect(readdirSync(tmp)).toEqual([]);
    }
  });

  it('gives the same sequence for every order of the same lines, spread over any files', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'dvm-sort-tmp-'));
    // More lines than runs merged in one pass (64), so a run of one line exercises the multi-pass merge.
    const lines = Array.from({ length: 90 }, (_, i) => (i % 3 === 0 ? framed : bare)(1000 + (i % 7), i));
    lines.push(lines[5]!, bare(1003, 5));
    const reference = await collect(
      writeFiles(mkdtempSync(join(tmpdir(), 'dvm-sort-')), [lines]),
      1 << 20,
      tmp,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(1, 300, 1 << 20),
        async (order, fileCount, runBytes) => {
          const parts = Array.from({ length: fileCount }, (_, f) =>
            order.filter((_, i) => i % fileCount === f),
          );
          const files = writeFiles(mkdtempSync(join(tmpdir(), 'dvm-sort-')), parts);
          expect(await collect(files, runBytes, tmp)).toEqual(reference);
        },
      ),
      { numRuns: 25 },
    );
  });
});
