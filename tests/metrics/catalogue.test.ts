import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB_KIND_NAMES } from '../../exporter/model/kinds.js';
import { METRIC } from '../../exporter/sinks/metrics/names.js';
import { REPO_ROOT } from '../support/paths.js';
import { worstCaseTotal } from './cardinality.js';

const DOC = readFileSync(join(REPO_ROOT, 'docs', 'metrics.md'), 'utf8');
const RULES = readFileSync(join(REPO_ROOT, 'provisioning', 'prometheus', 'rules', 'dvm-alerts.yml'), 'utf8');
const METRIC_NAME = /'((?:dvm|nostr)_[a-z0-9_]+)'/g;

/** Metric names written as literals in the exporter's modules that register prom-client metrics. */
function registeredLiterals(): string[] {
  const dir = join(REPO_ROOT, 'exporter');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const names = new Set<string>();
  for (const file of files) {
    const source = readFileSync(join(dir, file), 'utf8');
    if (!source.includes("from 'prom-client'")) continue;
    for (const [, name] of source.matchAll(METRIC_NAME)) {
      // Only names registered as metrics: a `name:` option, or the first argument of a metric helper.
      const at = source.indexOf(`'${name}'`);
      const before = source.slice(Math.max(0, at - 40), at);
      if (/(name:|(counter|gauge|histogram)\w*\()\s*$/i.test(before)) names.add(name!);
    }
  }
  return [...names].sort();
}

describe('the metric catalogue (docs/metrics.md)', () => {
  it('documents every metric the exporter registers', () => {
    const names = [...Object.values(METRIC), ...registeredLiterals()];
    expect(names.length).toBeGreaterThan(Object.values(METRIC).length);
    const missing = names.filter((name) => !DOC.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('documents only metrics the alert rules can rely on', () => {
    const documented = new Set([...DOC.matchAll(/`((?:dvm|nostr)_[a-z0-9_]+)`/g)].map((m) => m[1]));
    const used = new Set([...RULES.matchAll(/\b((?:dvm|nostr)_[a-z0-9_]+)\b/g)].map((m) => m[1]!));
    expect([...used].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('quotes the worst-case series count of the default configuration', () => {
    const total = worstCaseTotal({ dvmLabelCap: 200, allowlistSize: 0 });
    expect(DOC).toContain(`**≈ ${(Math.round(total / 100) * 100).toLocaleString('en-US')}**`);
    expect(DOC).toContain(`${JOB_KIND_NAMES.size} known job kinds`);
  });
});
