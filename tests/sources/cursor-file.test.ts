import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCursorStore } from '../../exporter/sources/cursor-file.js';
import { Backoff } from '../../exporter/sources/relay/backoff.js';
import { tempDir } from './support/harness.js';

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

function freshPath(): { dir: string; path: string } {
  const d = tempDir('cursor');
  dirs.push(d);
  return { dir: d.path, path: join(d.path, 'state', 'cursors.json') };
}

describe('cursor file', () => {
  it('starts empty, then round-trips cursors and recent ids through a new store', async () => {
    const { path } = freshPath();
    const first = new FileCursorStore(path);
    expect(await first.load()).toEqual(new Map());
    await first.save(
      new Map([
        ['wss://b.example', 1_700_000_100],
        ['wss://a.example', 1_700_000_000],
      ]),
      new Map([['ab'.repeat(32), 1_700_000_050]]),
    );
    const second = new FileCursorStore(path);
    expect(await second.load()).toEqual(
      new Map([
        ['wss://a.example', 1_700_000_000],
        ['wss://b.example', 1_700_000_100],
      ]),
    );
    expect(await second.loadRecentIds()).toEqual(new Map([['ab'.repeat(32), 1_700_000_050]]));
  });

  it('replaces the file whole, leaving no temporary file behind', async () => {
    const { dir, path } = freshPath();
    const store = new FileCursorStore(path);
    for (let i = 0; i < 5; i++) await store.save(new Map([['wss://r', i]]));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 1, relays: { 'wss://r': 4 } });
    expect(readdirSync(join(dir, 'state'))).toEqual(['cursors.json']);
  });

  it('moves an unreadable file aside, says so, and starts without cursors', async () => {
    const { dir, path } = freshPath();
    await new FileCursorStore(path).save(new Map([['wss://r', 1]]));
    writeFileSync(path, '{"version":1,"relays":{"wss://r":"yesterday"}}');
    const warnings: string[] = [];
    const store = new FileCursorStore(path, (m) => warnings.push(m));
    expect(await store.load()).toEqual(new Map());
    expect(warnings[0]).toMatch(/not valid/);
    expect(readdirSync(join(dir, 'state')).some((f) => f.startsWith('cursors.json.unreadable-'))).toBe(true);
  });
});

describe('reconnect backoff', () => {
  it('doubles from the minimum up to the maximum, never below half the nominal delay', () => {
    const low = new Backoff(1, 30, () => 0);
    expect(Array.from({ length: 7 }, () => low.next())).toEqual([0.5, 1, 2, 4, 8, 15, 15]);
    const high = new Backoff(1, 30, () => 0.999_999);
    expect(Math.max(...Array.from({ length: 10 }, () => high.next()))).toBeLessThanOrEqual(30);
    low.reset();
    expect(low.next()).toBe(0.5);
  });
});
