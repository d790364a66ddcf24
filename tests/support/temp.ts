import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/*
 * Temporary folders that go away after the test file that made them. Importing this module registers
 * one afterAll on the importing file (vitest evaluates modules per test file); registered first, it
 * runs after the file's own afterAll hooks (vitest runs after-hooks as a stack), so stores and
 * servers are closed before their folders are removed.
 */
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder `<system temp>/<prefix>XXXXXX`, removed after the current test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
