import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

// The import direction between rooms, as docs/architecture.md declares it (its "Rooms" table is the source).

type Rules = ReadonlyMap<string, ReadonlySet<string>>;

function roomsTable(markdown: string): Rules {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Rooms'));
  if (!section) throw new Error('docs/architecture.md has no "Rooms" section');
  const rules = new Map<string, Set<string>>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const room = /^`([a-z/-]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!room) continue;
    const allowed = [...(cells[3] ?? '').matchAll(/`([a-z/-]+)`/g)].map((m) => m[1]!);
    rules.set(room, new Set(allowed));
  }
  return rules;
}

/** The room of a path relative to exporter/: the longest declared folder that contains it. */
function roomOf(path: string, rules: Rules): string | null {
  let best: string | null = null;
  for (const room of rules.keys()) {
    if (path.startsWith(`${room}/`) && (best === null || room.length > best.length)) best = room;
  }
  return best;
}

/** Every relative module specifier of a file: static, type-only, re-exports, `import()` and `import('x').T`. */
function relativeSpecifiers(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    let spec: ts.Expression | undefined;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      spec = node.moduleSpecifier;
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      spec = node.argument.literal;
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      spec = node.arguments[0];
    }
    if (spec && ts.isStringLiteralLike(spec) && spec.text.startsWith('.')) out.push(spec.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Violations for files given as (path relative to exporter/, source text). */
function checkImports(files: ReadonlyMap<string, string>, rules: Rules): string[] {
  const problems: string[] = [];
  for (const [file, text] of files) {
    const from = roomOf(file, rules);
    if (from === null) {
      problems.push(`${file}: not in a room declared in docs/architecture.md`);
      continue;
    }
    for (const spec of relativeSpecifiers(file, text)) {
      const target = normalize(join(dirname(file), spec));
      const to = target.startsWith('..') ? null : roomOf(target, rules);
      if (to === from) continue;
      if (to === null) problems.push(`${file}: imports '${spec}', outside every room`);
      else if (!rules.get(from)!.has(to))
        problems.push(`${file}: imports '${spec}' (${from} may not import ${to})`);
    }
  }
  return problems;
}

const EXPORTER = join(REPO_ROOT, 'exporter');
const rules = roomsTable(readFileSync(join(REPO_ROOT, 'docs/architecture.md'), 'utf8'));

function exporterFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(EXPORTER, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(ts|mts|js|mjs)$/.test(entry.name)) continue;
    const abs = join(entry.parentPath, entry.name);
    files.set(relative(EXPORTER, abs).split('\\').join('/'), readFileSync(abs, 'utf8'));
  }
  return files;
}

describe('import direction', () => {
  it('every relative import of exporter/ points to a room its row allows', () => {
    const files = exporterFiles();
    expect(files.size).toBeGreaterThan(100);
    expect(checkImports(files, rules)).toEqual([]);
  });

  it('the table names only declared rooms and its allowances have no cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const visit = (room: string, path: readonly string[]): void => {
      if (state.get(room) === 'done') return;
      expect(state.get(room), `cycle: ${[...path, room].join(' -> ')}`).not.toBe('open');
      state.set(room, 'open');
      for (const other of rules.get(room) ?? []) {
        expect(rules.has(other), `${room} lists unknown room ${other}`).toBe(true);
        visit(other, [...path, room]);
      }
      state.set(room, 'done');
    };
    for (const room of rules.keys()) visit(room, []);
  });

  it('reports an import against the flow with its file and specifier', () => {
    const files = new Map([
      ['sinks/metrics/x.ts', "import type { AssemblyContext } from '../../app/assemble.js';"],
      ['pipeline/y.ts', "export { a } from '../sources/a.js';\ntype T = import('../cli/errors.js').E;"],
      ['jobs/z.ts', "const m = await import('../model/kinds.js');"],
      ['stray.ts', ''],
    ]);
    expect(checkImports(files, rules)).toEqual([
      "sinks/metrics/x.ts: imports '../../app/assemble.js' (sinks/metrics may not import app)",
      "pipeline/y.ts: imports '../sources/a.js' (pipeline may not import sources)",
      "pipeline/y.ts: imports '../cli/errors.js' (pipeline may not import cli)",
      'stray.ts: not in a room declared in docs/architecture.md',
    ]);
  });
});
