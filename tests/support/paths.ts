import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Real signed events written by others: `shared/` lies beside the repository (as in CI's clone). */
export const REAL_EVENTS_DIR = join(REPO_ROOT, '..', 'shared', 'fixtures', 'real-events');
