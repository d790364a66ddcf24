import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type LineItem, readLines } from '../../exporter/sources/line-reader.js';

async function collect(chunks: string[], max = 100): Promise<LineItem[]> {
  const items: LineItem[] = [];
  for await (const item of readLines(Readable.from(chunks.map((c) => Buffer.from(c))), max)) items.push(item);
  return items;
}

describe('readLines', () => {
  it('splits lines across chunk boundaries and keeps a last line without newline', async () => {
    expect(await collect(['{"a":', '1}\n{"b"', ':2}\n', '{"c":3}'])).toEqual([
      { line: '{"a":1}' },
      { line: '{"b":2}' },
      { line: '{"c":3}' },
    ]);
  });

  it('reports a line longer than the limit by size instead of holding it', async () => {
    const long = 'x'.repeat(250);
    expect(await collect(['ok\n', long.slice(0, 120), long.slice(120), '\nnext\n'], 100)).toEqual([
      { line: 'ok' },
      { oversizedBytes: 250 },
      { line: 'next' },
    ]);
  });

  it('reports an oversized last line without newline', async () => {
    expect(await collect(['a\n', 'y'.repeat(300)], 100)).toEqual([{ line: 'a' }, { oversizedBytes: 300 }]);
  });

  it('keeps multi-byte characters split across chunks intact', async () => {
    const bytes = Buffer.from('{"c":"⚡ zap"}\n');
    const items: LineItem[] = [];
    const stream = Readable.from([bytes.subarray(0, 8), bytes.subarray(8)]);
    for await (const item of readLines(stream, 100)) items.push(item);
    expect(items).toEqual([{ line: '{"c":"⚡ zap"}' }]);
  });
});
