import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectGolden, UPDATING_GOLDEN } from '../support/golden.js';
import { tempDir } from '../support/temp.js';

describe.skipIf(UPDATING_GOLDEN)('golden files', () => {
  it('a missing golden fails and is not written', () => {
    const path = join(tempDir('dvm-golden-'), 'missing.json');
    expect(() => expectGolden(path, '{}\n')).toThrow(/missing.json is missing: `npm run golden` writes it/);
    expect(existsSync(path)).toBe(false);
  });
});
