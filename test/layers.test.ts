// The folder graph of src/ (src/README.md): every import of every module points to its own folder or
// to one its row allows, and the pure layers reach no node:* module and no package by any path.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const srcDir = new URL('../src/', import.meta.url).pathname;

interface Layer {
  pure: boolean;
  mayImport: Set<string>;
}

/** The table of src/README.md: folder -> whether it is pure, and the folders it may import. */
function readLayers(): Map<string, Layer> {
  const layers = new Map<string, Layer>();
  for (const line of readFileSync(join(srcDir, 'README.md'), 'utf8').split('\n')) {
    const row = /^\| `([^`]+?)\/?` \| (.*) \| (.*) \|$/.exec(line);
    if (!row) continue;
    const allowed = [...row[3]!.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
    layers.set(row[1]!, { pure: row[2]!.startsWith('*pure*'), mayImport: new Set(allowed) });
  }
  return layers;
}

/** Every .ts module under src/, as a path relative to src/. */
function modules(dir = srcDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modules(path);
    return entry.name.endsWith('.ts') ? [relative(srcDir, path)] : [];
  });
}

/** What a module imports: static and dynamic imports, re-exports, and modules it starts as children by URL. */
function importsOf(module: string): string[] {
  const text = readFileSync(join(srcDir, module), 'utf8');
  const specifiers = [
    ...text.matchAll(/^(?:import|export)\s[^'";]*?\sfrom\s+['"]([^'"\s]+)['"]/gm),
    ...text.matchAll(/^import\s+['"]([^'"\s]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...text.matchAll(/\bnew URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url/g),
    ...text.matchAll(/\bsiblingModule\(\s*import\.meta\.url\s*,\s*['"]([^'"]+)['"]/g),
  ].map((match) => match[1]!);
  return specifiers.map((specifier) => {
    if (/^[a-z@]/.test(specifier) && !specifier.includes('/') && !specifier.startsWith('node:') && text.includes(`siblingModule(import.meta.url, '${specifier}')`)) {
      return posix.join(dirname(module), `${specifier}.ts`);
    }
    if (!specifier.startsWith('.')) return specifier;
    return posix.normalize(posix.join(dirname(module), specifier)).replace(/\.js$/, '.ts');
  });
}

/** The modules of src/ a module needs at run time: its imports less the type-only ones. */
function runtimeImportsOf(module: string): string[] {
  const text = readFileSync(join(srcDir, module), 'utf8');
  return [...text.matchAll(/^(?:import|export)\s(?!type\s)[^'";]*?\sfrom\s+['"](\.[^'"\s]+)['"]/gm)]
    .map((match) => posix.normalize(posix.join(dirname(module), match[1]!)).replace(/\.js$/, '.ts'));
}

/** The cycles of a module graph, each as the chain of modules that closes it (depth first). */
export function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (module: string): void => {
    path.push(module);
    for (const target of graph.get(module) ?? []) {
      if (path.includes(target)) found.push([...path.slice(path.indexOf(target)), target].join(' -> '));
      else if (!done.has(target)) visit(target);
    }
    path.pop();
    done.add(module);
  };
  for (const module of graph.keys()) if (!done.has(module)) visit(module);
  return found;
}

/** The folder (layer) a module belongs to: its top folder under src/, or '.' for src/*.ts. */
function layerOf(module: string): string {
  return module.includes('/') ? module.slice(0, module.indexOf('/')) : '.';
}

const isExternal = (target: string): boolean => !target.endsWith('.ts');

/** The imports that break the table: a folder importing one its row does not allow. */
export function layerViolations(graph: Map<string, string[]>, layers: Map<string, Layer>): string[] {
  const violations: string[] = [];
  for (const [module, targets] of graph) {
    const from = layerOf(module);
    for (const target of targets.filter((t) => !isExternal(t))) {
      const to = layerOf(target);
      if (to !== from && !layers.get(from)?.mayImport.has(to)) violations.push(`${module} -> ${target} (${from} may not import ${to})`);
    }
  }
  return violations;
}

/** The node:* modules and packages a pure layer's module reaches through any chain of imports. */
export function impurities(graph: Map<string, string[]>, layers: Map<string, Layer>): string[] {
  const found: string[] = [];
  for (const module of graph.keys()) {
    if (!layers.get(layerOf(module))?.pure) continue;
    const seen = new Set<string>([module]);
    const chain = new Map<string, string>();
    const queue = [module];
    while (queue.length > 0) {
      const at = queue.shift()!;
      for (const target of graph.get(at) ?? []) {
        if (seen.has(target)) continue;
        seen.add(target);
        chain.set(target, at);
        if (isExternal(target)) {
          const path = [target];
          for (let step = at; step !== module; step = chain.get(step)!) path.unshift(step);
          found.push(`${module} reaches ${[module, ...path].join(' -> ')}`);
        } else queue.push(target);
      }
    }
  }
  return found;
}

const layers = readLayers();
const graph = new Map(modules().map((module) => [module, importsOf(module)]));

describe('the layers of src/ (src/README.md)', () => {
  it('the table names every folder of src/, and the pure ones', () => {
    const folders = new Set([...graph.keys()].map(layerOf));
    expect([...folders].sort()).toEqual([...layers.keys()].sort());
    expect([...layers].filter(([, layer]) => layer.pure).map(([name]) => name)).toEqual(['core', 'mountinfo', 'model']);
  });

  it('the table has no cycle: its folders can be ordered so that each imports only earlier ones', () => {
    const placed = new Set<string>();
    while (placed.size < layers.size) {
      const next = [...layers].find(([name, layer]) => !placed.has(name) && [...layer.mayImport].every((to) => placed.has(to)));
      expect(next, `a cycle among ${[...layers.keys()].filter((name) => !placed.has(name)).join(', ')}`).toBeDefined();
      placed.add(next![0]);
    }
  });

  it('every import in src/ points to its own folder or to one its row allows', () => {
    expect(graph.size).toBeGreaterThan(80);
    expect(layerViolations(graph, layers)).toEqual([]);
  });

  it('core, mountinfo and model reach no node:* module and no package, by any path', () => {
    expect(impurities(graph, layers)).toEqual([]);
  });

  it('no module needs itself at run time: the imports that are not type-only form no cycle, within a folder too', () => {
    const runtime = new Map([...graph.keys()].map((module) => [module, runtimeImportsOf(module)]));
    expect(cycles(runtime)).toEqual([]);
    runtime.set('model/lists.ts', ['model/types.ts']);
    runtime.set('model/types.ts', ['model/lists.ts']);
    expect(cycles(runtime)).toEqual([expect.stringMatching(/^model\/(lists|types)\.ts -> model\/(types|lists)\.ts -> model\/\1\.ts$/)]);
  });

  it('would catch the back-edges of the old layout, direct or through another module', () => {
    const backEdges = new Map(graph);
    backEdges.set('native/probe.ts', ['process/child.ts']);
    backEdges.set('kernel/worker.ts', ['scenario/run.ts']);
    backEdges.set('set-group/explain.ts', ['kernel/namespace.ts']);
    expect(layerViolations(backEdges, layers).sort()).toEqual([
      'kernel/worker.ts -> scenario/run.ts (kernel may not import scenario)',
      'native/probe.ts -> process/child.ts (native may not import process)',
      'set-group/explain.ts -> kernel/namespace.ts (set-group may not import kernel)',
    ]);
    const impure = new Map(graph);
    impure.set('core/errors.ts', [...(graph.get('core/errors.ts') ?? []), 'node:os']);
    expect(impurities(impure, layers)).toContain('model/syscalls.ts reaches model/syscalls.ts -> model/mounts.ts -> core/errors.ts -> node:os');
  });
});
