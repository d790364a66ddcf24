import { join } from 'node:path';
import { redactUrl } from '../base/redact.js';
import type { Config } from '../config/schema.js';

/** Where the history lives: the embedded engine in a directory, or a ClickHouse server. */
export type StoreTarget =
  | { readonly kind: 'embedded'; readonly path: string }
  | { readonly kind: 'server'; readonly url: string };

/** The embedded store sits in its own folder of the data directory, beside other local state. */
export function embeddedStorePath(dataDir: string): string {
  return join(dataDir, 'clickhouse');
}

export function storeTargetOf(config: Pick<Config, 'dataDir' | 'clickhouse'>): StoreTarget {
  return config.clickhouse.url
    ? { kind: 'server', url: config.clickhouse.url }
    : { kind: 'embedded', path: embeddedStorePath(config.dataDir) };
}

/** For logs and messages: never shows a password. */
export function describeTarget(target: StoreTarget): string {
  if (target.kind === 'embedded') return `embedded store ${target.path}`;
  return `ClickHouse server ${redactUrl(target.url)}`;
}
