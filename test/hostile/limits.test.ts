// Limits: fs.mount-max on the model (ENOSPC, nothing created), trees 10,000 mounts deep (nested
// directories, built as mountinfo since no absolute path reaches them, and a stack on one directory) and a peer group of 10,000, through everything that
// walks a tree: the model, parse, normalize, show (tree and DOT), dump, plan and restore. Nothing
// here may overflow the stack; the deepest nesting restore accepts is bounded by PATH_MAX.
import { beforeAll, describe, expect, it } from 'vitest';
import { renderDot } from '../../src/cli/format/dot.js';
import { renderTree } from '../../src/cli/format/tree.js';
import { assertInvariants, ModelNamespace } from '../../src/model/index.js';
import { normalize, parse, render } from '../../src/mountinfo/index.js';
import type { MountInfo } from '../../src/mountinfo/types.js';
import { dump } from '../../src/restore/dump.js';
import { planRestore } from '../../src/restore/plan.js';
import { restore } from '../../src/restore/restore.js';
import { loadTopology, TopologyError, type Topology } from '../../src/restore/topology.js';
import { runScenario } from '../../src/scenario/run.js';

const DEPTH = 10_000;

/** The dump of `/d` in `entries` (or in `ns`), through JSON and the loader as restore reads it. */
function dumped(source: ModelNamespace | MountInfo[]): Topology {
  const entries = Array.isArray(source) ? source : parse(source.mountinfo());
  return loadTopology(JSON.parse(JSON.stringify(dump(entries, '/d'))));
}

/** Restores `topology` on a fresh model and returns how many mounts it rebuilt (restore checks it exactly). */
function restoreOnModel(topology: Topology): number {
  const ns = new ModelNamespace();
  ns.mkdir('/r');
  restore(ns, topology, { into: '/r', staging: '/staging' });
  return parse(ns.mountinfo()).filter((entry) => entry.mountPoint.startsWith('/r')).length;
}

/** The number of lines of `text`, counted without splitting it (show's table of 10,000 nested mounts is 400 MB). */
function lineCount(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** Every walk of the table gets through it: render and parse, normalize in tree order, show and DOT. */
function expectEveryWalk(entries: MountInfo[]): void {
  expect(parse(render(entries))).toHaveLength(entries.length);
  expect(normalize(entries, { order: 'tree' })).toHaveLength(entries.length);
  expect(lineCount(renderTree(entries))).toBe(entries.length + 1);
  expect(lineCount(renderDot(entries))).toBeGreaterThan(entries.length);
}

describe('fs.mount-max on the model', () => {
  it('an rbind that would pass it: ENOSPC, and not one of its copies is made', () => {
    const ns = new ModelNamespace({ mountMax: 6 });
    runScenario(ns, 'mkdir a b\nmount -t tmpfs t a\nmkdir a/x a/y\nmount -t tmpfs x a/x\nmount -t tmpfs y a/y', { cwd: '/' });
    const before = ns.mountinfo();
    const { failures } = runScenario(ns, 'mount --rbind a b', { cwd: '/' });
    expect(failures.map((f) => f.code)).toEqual(['ENOSPC']);
    expect(ns.mountinfo()).toBe(before);
    assertInvariants(ns);
  });

  it('a mount whose propagation would pass it: ENOSPC, no peer receives a copy', () => {
    const ns = new ModelNamespace({ mountMax: 6 });
    runScenario(ns, 'mkdir a b c\nmount -t tmpfs t a\nmkdir a/x\nmount --make-shared a\nmount --bind a b\nmount --bind a c', { cwd: '/' });
    const before = ns.mountinfo();
    const { failures } = runScenario(ns, 'mount -t tmpfs x a/x', { cwd: '/' });
    expect(failures.map((f) => f.code)).toEqual(['ENOSPC']);
    expect(ns.mountinfo()).toBe(before);
    assertInvariants(ns);
  });

  it('exactly at the limit (the namespace root counts) is allowed; one more is ENOSPC', () => {
    const ns = new ModelNamespace({ mountMax: 3 });
    const { failures } = runScenario(ns, 'mkdir a b c\nmount -t tmpfs a a\nmount -t tmpfs b b\nmount -t tmpfs c c', { cwd: '/' });
    expect(failures.map((f) => [f.line, f.code])).toEqual([[4, 'ENOSPC']]);
    expect(ns.mountCount).toBe(3);
  });
});

/**
 * The mountinfo of `depth` tmpfs mounts nested under /d (/d/a, /d/a/a, ...), as the kernel shows
 * them when they were mounted through relative paths: deeper than any absolute path can name.
 */
function nestedEntries(depth: number): MountInfo[] {
  const entry = (id: number, parentId: number, mountPoint: string): MountInfo => ({
    id, parentId, major: 0, minor: id, root: '/', mountPoint, mountOptions: 'rw,relatime', unbindable: false,
    otherOptional: [], fsType: 'tmpfs', source: `t${id}`, superOptions: 'rw',
  });
  const entries = [entry(1, 0, '/'), entry(2, 1, '/d')];
  for (let i = 0, path = '/d'; i < depth; i++) entries.push(entry(i + 3, i + 2, (path += '/a')));
  return entries;
}

/** A model with `depth` tmpfs mounts nested under /d: /d/a, /d/a/a, ... (mounted by absolute paths, within PATH_MAX). */
function nested(depth: number): ModelNamespace {
  const ns = new ModelNamespace();
  let path = '/d';
  ns.mkdir(path);
  ns.mount('tmpfs', 'd', path);
  for (let i = 0; i < depth; i++) {
    path += '/a';
    ns.mkdir(path);
    ns.mount('tmpfs', `t${i}`, path);
  }
  return ns;
}

describe(`${DEPTH} nested mounts (/d/a/a/...)`, () => {
  const entries = nestedEntries(DEPTH);

  it('the model holds the deepest nesting an absolute path reaches (2,046 under /d), refuses one more with ENAMETOOLONG, and its invariants hold', () => {
    const ns = nested(2_046);
    expect(ns.mountCount).toBe(2_046 + 2);
    expect(() => ns.mkdir(`/d${'/a'.repeat(2_047)}`)).toThrow(expect.objectContaining({ code: 'ENAMETOOLONG' }));
    assertInvariants(ns);
  });

  it('parse, render, normalize, show and DOT walk them without recursion', () => {
    expectEveryWalk(entries);
  });

  it('dump refuses them for restore with a TopologyError: mount points past PATH_MAX cannot be restored', () => {
    expect(() => dumped(entries)).toThrow(TopologyError);
    expect(() => dumped(entries)).toThrow(/is longer than 4096 characters/);
  });

  it('2,000 nested, the deepest within PATH_MAX, plan and restore exactly on the model', () => {
    const topology = dumped(nested(2_000));
    expect(planRestore(topology, { into: '/r', staging: '/staging' }).problems).toEqual([]);
    expect(restoreOnModel(topology)).toBe(2_001);
  });
});

describe(`${DEPTH} mounts stacked on one directory (each the parent of the next)`, () => {
  const ns = new ModelNamespace();
  beforeAll(() => {
    ns.mkdir('/d');
    for (let i = 0; i < DEPTH; i++) ns.mount('tmpfs', `t${i}`, '/d');
  });

  it('parse, render, normalize, show and DOT walk them without recursion', () => {
    assertInvariants(ns);
    expectEveryWalk(parse(ns.mountinfo()));
  });

  it('plan and restore rebuild them exactly, covered ones through pins', () => {
    const topology = dumped(ns);
    const plan = planRestore(topology, { into: '/r', staging: '/staging' });
    expect(plan.problems).toEqual([]);
    expect(plan.steps.filter((step) => step.op === 'pin')).toHaveLength(DEPTH - 1);
    expect(restoreOnModel(topology)).toBe(DEPTH);
  });
});

describe(`a peer group of ${DEPTH} mounts`, () => {
  const ns = new ModelNamespace();
  beforeAll(() => {
    runScenario(ns, 'mkdir d\nmount -t tmpfs t d\nmkdir d/s\nmount -t tmpfs p d/s\nmkdir d/s/x\nmount --make-shared d/s', { cwd: '/' });
    for (let i = 0; i < DEPTH; i++) {
      ns.mkdir(`/d/p${i}`);
      ns.bind('/d/s', `/d/p${i}`);
    }
  });

  it('a mount under one member propagates to all of them', () => {
    ns.mount('tmpfs', 'child', '/d/s/x');
    const entries = parse(ns.mountinfo());
    expect(entries.filter((entry) => entry.source === 'child')).toHaveLength(DEPTH + 1);
    assertInvariants(ns);
  });

  it('parse, render, normalize, show and DOT walk the group', () => {
    expectEveryWalk(parse(ns.mountinfo()));
  });

  it('plan and restore rebuild the group exactly', () => {
    expect(restoreOnModel(dumped(ns))).toBe(2 * DEPTH + 3);
  });
});
