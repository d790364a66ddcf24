/**
 * Run in a child process by sql-memory.test.ts: opens an embedded store, measures its resident size
 * at rest, sends ad-hoc queries the limits refuse, and measures it again. Prints one JSON line.
 */

import { readOnlySql } from '../../../exporter/sql/readonly-sql.js';
import { Store } from '../../../exporter/store/store.js';

const gc = (globalThis as { gc?: () => void }).gc;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return process.memoryUsage().rss;
};

const store = await Store.open({ kind: 'embedded', path: process.argv[2] as string }, { create: true });
await store.migrate();
const sql = await readOnlySql(store);
await sql.query('SELECT count() FROM events');
const idle = await settle();
const refusals: string[] = [];
let peak = idle;
for (const query of process.argv.slice(3)) {
  const outcome = await sql.query(query).then(
    () => 'answered',
    (error: Error) => `${error.name}: ${error.message}`,
  );
  refusals.push(outcome);
  peak = Math.max(peak, process.memoryUsage().rss);
}
const after = await settle();
await store.close();
process.stdout.write(`${JSON.stringify({ idle, peak, after, refusals })}\n`);
