import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SCANNED = ['servers', 'fixtures', 'contracts', 'bin'];
/** Folders of servers/ that are not vendors. */
const NOT_VENDORS = new Set(['core', 'control', 'dashboard']);

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return /\.(m?ts|m?js)$/.test(d.name) && !d.name.endsWith('.d.ts') ? [path] : [];
  });
}

const rel = (abs: string): string => relative(ROOT, abs).split(sep).join('/');

/** A relative specifier as the file it names (`./x.js` is `./x.ts` in the source tree); bare ones stay as written. */
function target(from: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const abs = resolve(dirname(from), spec);
  const source = abs.replace(/\.(m?)js$/, '.$1ts');
  return rel(existsSync(source) ? source : abs);
}

/**
 * Every module specifier of every file: static imports, `import type`, `export … from` and dynamic
 * `import()`, as the TypeScript scanner sees them (type-only edges count: they tie files together too).
 */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of SCANNED.flatMap((d) => sourceFiles(join(ROOT, d)))) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    graph.set(rel(file), [...new Set(info.importedFiles.map((f) => target(file, f.fileName)))]);
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || graph.get(v)!.includes(v)) found.push(scc.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const isLocal = (spec: string): boolean => /^(servers|fixtures|contracts|bin|bench|test|openapi|dashboard)\//.test(spec) || spec.startsWith('.');
const folderOf = (file: string): string => file.split('/').slice(0, 2).join('/');

function edges(graph: Map<string, string[]>, from: (file: string) => boolean): Array<[string, string]> {
  return [...graph].filter(([file]) => from(file)).flatMap(([file, deps]) => deps.map((d): [string, string] => [file, d]));
}

describe('layering', () => {
  const graph = importGraph();

  it('finds the source files it checks', () => {
    expect(graph.has('servers/core/emulator.ts')).toBe(true);
    expect(graph.get('servers/index.ts')!.length).toBeGreaterThan(0);
  });

  it('has no import circles, type-only imports included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('keeps servers/core free of everything outside it (node and npm modules aside)', () => {
    const outside = edges(graph, (f) => f.startsWith('servers/core/')).filter(([, d]) => isLocal(d) && !d.startsWith('servers/core/'));
    expect(outside.map(([f, d]) => `${f} -> ${d}`)).toEqual([]);
  });

  it('keeps the dashboard, the composition and every vendor out of servers/core', () => {
    const vendors = readdirSync(join(ROOT, 'servers'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && !NOT_VENDORS.has(d.name))
      .map((d) => `servers/${d.name}`);
    expect(vendors.length).toBeGreaterThanOrEqual(5);
    const forbidden = ['servers/dashboard', 'servers/control', ...vendors];
    const bad = edges(graph, (f) => f.startsWith('servers/core/')).filter(([, d]) => forbidden.includes(folderOf(d)) || d === 'servers/registry.ts');
    expect(bad.map(([f, d]) => `${f} -> ${d}`)).toEqual([]);
  });

  it('lets no vendor import another vendor, the dashboard or the composition', () => {
    const bad = edges(graph, (f) => /^servers\/[^/]+\//.test(f) && !NOT_VENDORS.has(f.split('/')[1])).filter(([f, d]) => {
      if (!d.startsWith('servers/')) return false;
      const top = folderOf(d);
      return top !== folderOf(f) && top !== 'servers/core' && d !== 'servers/core';
    });
    expect(bad.map(([f, d]) => `${f} -> ${d}`)).toEqual([]);
  });

  it('detects a circle when there is one', () => {
    const toy = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'node:fs']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(toy)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
