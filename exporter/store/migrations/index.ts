import { m001Tables } from './m001-tables.js';
import { m002Jobs } from './m002-jobs.js';
import { m003Dvms } from './m003-dvms.js';
import { m004Rollups } from './m004-rollups.js';
import { m005OrderAndCustomers } from './m005-order-and-customers.js';
import { m006PlaceholderParents } from './m006-placeholder-parents.js';
import { m007PartCleanup } from './m007-part-cleanup.js';
import type { Migration } from './types.js';

export type { Migration };

/** The schema, in order. Append new steps; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  m001Tables,
  m002Jobs,
  m003Dvms,
  m004Rollups,
  m005OrderAndCustomers,
  m006PlaceholderParents,
  m007PartCleanup,
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
