import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from './paths.js';

/** `UPDATE_GOLDEN=1` (`npm run golden`) rewrites golden files instead of comparing with them. */
export const UPDATING_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/**
 * Compares `actual` with the committed golden file. Only an explicit update writes it: a missing
 * golden fails, so deleting one can never make a test pass.
 */
export function expectGolden(path: string, actual: string): void {
  if (UPDATING_GOLDEN) {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`golden file ${relative(REPO_ROOT, path)} is missing: \`npm run golden\` writes it`);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
