// Property-based fuzzing of the three parsers of outside input: mountinfo text, scenario scripts and
// topology documents. Whatever comes in, only their typed errors come out (MountinfoParseError; a
// scenario's per-line failures, ERR_SCENARIO_* or an errno name; TopologyError, and the restore's
// own refusals), each input is handled within a time bound, and what is accepted behaves: parsed
// mountinfo renders back to the same entries, a model stays consistent, and a plan touches nothing
// outside --into and its staging directory. FUZZ_RUNS=N runs N inputs a property (default 1000).
import { constants } from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertInvariants, ModelNamespace } from '../../src/model/index.js';
import { MountinfoParseError, parse, render } from '../../src/mountinfo/index.js';
import type { MountInfo } from '../../src/mountinfo/types.js';
import { pathsOf } from '../../src/restore/apply.js';
import { planRestore } from '../../src/restore/plan.js';
import { restore, RestoreMismatchError, RestoreRefusedError } from '../../src/restore/restore.js';
import { RestoreStepError } from '../../src/restore/apply.js';
import { isAtOrUnder, loadTopology, TopologyError, type Topology } from '../../src/restore/topology.js';
import { runScenario } from '../../src/scenario/run.js';

const numRuns = Number(process.env.FUZZ_RUNS ?? 1000);
/** The longest any one input may take, generous for a loaded machine: a hang or a blow-up, not a slow run. */
const PER_INPUT_MS = 5_000;

/** Runs `body` and fails the property if it took longer than PER_INPUT_MS. */
function timed<T>(body: () => T): T {
  const started = performance.now();
  const result = body();
  const took = performance.now() - started;
  if (took > PER_INPUT_MS) throw new Error(`took ${Math.round(took)} ms`);
  return result;
}

/** `body()`, or undefined when it throws one of `expected`; anything else is rethrown and fails. */
function onlyTyped<T>(body: () => T, ...expected: (abstract new (...args: never[]) => Error)[]): T | undefined {
  try {
    return body();
  } catch (error) {
    if (expected.some((type) => error instanceof type)) return undefined;
    throw error;
  }
}

describe('mountinfo parser', () => {
  const piece = fc.constantFrom('a', 'b c', 'tab\there', 'new\nline', 'back\\slash', '#hash', 'é', '\u00ff', '日本', '');
  const path = fc.array(piece, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`);
  const optional = fc.record({
    shared: fc.option(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { nil: undefined }),
    master: fc.option(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { nil: undefined }),
    propagateFrom: fc.option(fc.integer({ min: 1, max: 99 }), { nil: undefined }),
    unbindable: fc.boolean(),
    otherOptional: fc.array(fc.constantFrom('future:1', 'x'), { maxLength: 2 }),
  });
  const entry = fc.tuple(
    fc.record({
      parentId: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      major: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      minor: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      root: path,
      mountPoint: path,
      mountOptions: fc.constantFrom('rw', 'ro,relatime', 'rw,nosuid,nodev'),
      fsType: fc.constantFrom('tmpfs', 'fuse.sshfs', 'my#fs', 'a b'),
      source: piece,
      superOptions: fc.constantFrom('rw', 'rw,size=1024k', 'ro,errors=continue x'),
    }),
    optional,
  ).map(([fields, extra]): Omit<MountInfo, 'id'> => {
    const e: Omit<MountInfo, 'id'> = { ...fields, unbindable: extra.unbindable, otherOptional: extra.otherOptional };
    if (extra.shared !== undefined) e.shared = extra.shared;
    if (extra.master !== undefined) e.master = extra.master;
    if (extra.propagateFrom !== undefined) e.propagateFrom = extra.propagateFrom;
    return e;
  });
  /** Text the kernel could have written: rendered entries with unique ids. */
  const valid = fc.array(entry, { minLength: 1, maxLength: 8 }).map((entries) => render(entries.map((e, i) => ({ ...e, id: i + 1 }))));
  const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'insert', 'truncate'), char: fc.constantFrom(' ', '-', '\\', '\n', ':', '0', '9', 'x', '\t', '\0', '\u00e9') });
  /** Valid text with a few characters deleted, inserted, or cut off. */
  const mutated = fc.tuple(valid, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([text, edits]) =>
    edits.reduce((t, { at, kind, char }) => {
      const i = t.length === 0 ? 0 : at % t.length;
      if (kind === 'delete') return t.slice(0, i) + t.slice(i + 1);
      if (kind === 'insert') return t.slice(0, i) + char + t.slice(i);
      return t.slice(0, i);
    }, text),
  );
  const mountinfoish = fc.string({ unit: fc.constantFrom(...'0123456789 :-/\\\nsharedmtpo_rw'.split('')), maxLength: 300 });
  const anything = fc.string({ unit: 'binary', maxLength: 300 });

  it('anything: entries that render back to themselves, or a MountinfoParseError', () => {
    fc.assert(
      fc.property(fc.oneof(valid, mutated, mountinfoish, anything), (text) => {
        const entries = timed(() => onlyTyped(() => parse(text), MountinfoParseError));
        if (entries !== undefined) expect(parse(render(entries))).toEqual(entries);
      }),
      { numRuns },
    );
  });
});

describe('scenario language on the model', () => {
  const word = fc.constantFrom('a', 'b', 'a/b', 'c/d/e', '..', '../..', '../a', '/', '/w', '/w/a', '.', "'a b'", '"x;y"', 'a/../b', "''", '$X', '`id`', ';', '-z', '#', 'é', 'a\tb', '\0', '-p', '-l', '-o', 'size=1m');
  const command = fc.constantFrom(
    'mkdir', 'mkdir -p', 'cd', 'mount -t tmpfs t', 'mount -t ramfs r', 'mount -t ext4 /dev/sda1', 'mount -o ro -t tmpfs t',
    'mount --bind', 'mount --rbind', 'mount --move', 'mount --set-group', 'mount --make-shared', 'mount --make-rshared',
    'mount --make-slave', 'mount --make-rslave', 'mount --make-private', 'mount --make-rprivate', 'mount --make-unbindable',
    'umount', 'umount -l', 'mount', 'rm -rf', '#',
  );
  const line = fc.tuple(command, fc.array(word, { maxLength: 3 }), fc.constantFrom('', '\r')).map(([c, args, end]) => `${[c, ...args].join(' ')}${end}`);
  const script = fc.oneof(
    { weight: 4, arbitrary: fc.array(line, { minLength: 1, maxLength: 25 }).map((lines) => lines.join('\n')) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 400 }) },
  );
  const setting = fc.record({ confined: fc.boolean(), mountMax: fc.option(fc.integer({ min: 2, max: 40 }), { nil: undefined }) });
  const errnoNames = new Set(Object.keys(constants.errno));

  it('every line runs or fails with ERR_SCENARIO_SYNTAX, ERR_SCENARIO_PATH or an errno name; the model stays consistent', () => {
    fc.assert(
      fc.property(script, setting, (text, { confined, mountMax }) => {
        const ns = new ModelNamespace(mountMax === undefined ? {} : { mountMax });
        ns.mkdir('/w/a', { recursive: true });
        const { failures } = timed(() => runScenario(ns, text, confined ? { cwd: '/w', confineTo: '/w' } : { cwd: '/w' }));
        for (const { code } of failures) expect(code === 'ERR_SCENARIO_SYNTAX' || code === 'ERR_SCENARIO_PATH' || errnoNames.has(code)).toBe(true);
        if (!confined) expect(failures.some((f) => f.code === 'ERR_SCENARIO_PATH')).toBe(false);
        assertInvariants(ns);
      }),
      { numRuns },
    );
  });
});

describe('topology loader, planner and restore', () => {
  const pick = <T>(...values: T[]) => fc.constantFrom(...values);
  /** `arbitrary` about `percent` of the time, else null. */
  const sometimes = <T>(arbitrary: fc.Arbitrary<T>, percent: number) =>
    fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(null) }, { weight: percent, arbitrary });
  /** The fs type of each superblock: fresh tmpfs and ramfs, and a disk available as an external. */
  const fsTypes: Record<string, string> = { '0:1': 'tmpfs', '0:2': 'tmpfs', '0:3': 'ramfs', '8:1': 'ext4' };
  /** One mount of a tree: its parent picked among the mounts before it, its point under the parent's. */
  const spec = fc.record({
    parent: fc.nat(),
    segment: pick('', 'a', 'b', 'a/b', 'etc'),
    root: pick('/', '/', '/x', '/x/y'),
    superblock: pick('0:1', '0:2', '0:3', '8:1'),
    group: sometimes(fc.integer({ min: 1, max: 4 }), 50),
    master: sometimes(fc.integer({ min: 1, max: 4 }), 30),
    propagateFrom: sometimes(fc.integer({ min: 1, max: 4 }), 3),
    unbindable: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  });
  type Spec = { root: string; superblock: string; group: number | null; master: number | null; propagateFrom: number | null; unbindable: boolean };

  /**
   * Sharing the kernel could show, mostly: a group's members take its first member's superblock and
   * master, and a master must be a group with members. Left alone in a tenth of the trees.
   */
  function coherent(mounts: (Spec & Record<string, unknown>)[]): void {
    const first = new Map<number, Spec>();
    for (const mount of mounts) {
      if (mount.group === null) continue;
      const leader = first.get(mount.group) ?? mount;
      first.set(mount.group, leader);
      Object.assign(mount, { superblock: leader.superblock, master: leader.master, fsType: fsTypes[leader.superblock] });
    }
    for (const mount of mounts) if (mount.master !== null && (!first.has(mount.master) || mount.master === mount.group)) mount.master = null;
  }

  /** Well-formed trees (stacks, groups, slaves, externals): they load, most restore, some are refused by the plan. */
  const tree = fc.tuple(fc.array(spec, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 9 })).map(([specs, raw]) => {
    const mounts: (Spec & Record<string, unknown>)[] = [];
    specs.forEach(({ parent, segment, ...fields }, i) => {
      const above = i === 0 || parent % (i + 1) === i ? undefined : mounts[parent % i]!;
      const point = above === undefined ? '/' : segment === '' ? (above.mountPoint as string) : `${above.mountPoint === '/' ? '' : above.mountPoint}/${segment}`;
      const fsType = fsTypes[fields.superblock]!;
      mounts.push({ id: i + 10, parent: above?.id ?? null, mountPoint: point, fsType, source: fsType === 'ext4' ? '/dev/sda1' : 't', mountOptions: 'rw,relatime', superOptions: 'rw', ...fields });
    });
    if (raw !== 0) coherent(mounts);
    return mounts as Record<string, unknown>[];
  });
  const hostileValue = pick<unknown>('../../etc', 'etc', '/a/', '/a/../..', '', '\0', '/a\0b', 'x'.repeat(5000), null, -1, 1.5, 2 ** 31, Number.MAX_SAFE_INTEGER, true, {}, [], '8:1:2');
  const field = pick('id', 'parent', 'mountPoint', 'root', 'fsType', 'superblock', 'group', 'master', 'propagateFrom', 'unbindable', '__proto__', 'extra');
  /** A well-formed tree with one field of one mount given a hostile value, removed (undefined), or added. */
  const mutatedTree = fc.tuple(tree, fc.nat(), field, fc.option(hostileValue, { nil: undefined })).map(([mounts, at, key, value]) => {
    const target = mounts[at % mounts.length]!;
    if (value === undefined) delete target[key];
    else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    return mounts;
  });
  const documentOf = (mounts: unknown[]) => ({ schema: 'mount-set-group/topology', version: 1, under: '/', mounts });
  const document = fc.oneof(
    { weight: 6, arbitrary: tree.map(documentOf) },
    { weight: 3, arbitrary: mutatedTree.map(documentOf) },
    { weight: 1, arbitrary: fc.jsonValue() },
    { weight: 1, arbitrary: fc.record({ schema: pick('mount-set-group/topology', 'x'), version: fc.jsonValue({ maxDepth: 0 }), under: fc.jsonValue({ maxDepth: 0 }), mounts: fc.jsonValue() }) },
  );
  const places = { into: '/into', staging: '/staging', externals: [{ superblock: '8:1', root: '/', path: '/ext' }] };

  /** Every path a plan step touches lies under --into or staging; a bind may also read the external. */
  function expectConfined(topology: Topology): void {
    const plan = planRestore(topology, places);
    for (const step of plan.steps) {
      for (const path of pathsOf(step)) {
        const inside = isAtOrUnder(path, places.into) || isAtOrUnder(path, places.staging);
        expect(inside || (step.op === 'bind' && path === step.source && isAtOrUnder(path, '/ext'))).toBe(true);
      }
    }
  }

  it('any JSON: a topology whose plan stays under --into and staging and whose restore refuses in typed errors, or a TopologyError', () => {
    fc.assert(
      fc.property(document, (value) => {
        timed(() => {
          const topology = onlyTyped(() => loadTopology(JSON.parse(JSON.stringify(value))), TopologyError);
          if (topology === undefined) return;
          expectConfined(topology);
          const ns = new ModelNamespace();
          ns.mkdir('/ext', { recursive: true });
          ns.mkdir('/into');
          onlyTyped(() => restore(ns, topology, { ...places, superOptions: 'rw' }), RestoreRefusedError, RestoreStepError, RestoreMismatchError);
        });
      }),
      { numRuns },
    );
  });
});
