import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Real signed events written by others, kept in the repository so a fresh clone tests the same data. */
export const REAL_EVENTS_DIR = join(REPO_ROOT, 'tests', 'fixtures', 'real-events');
