// Hostile topology documents for restore: schema violations are TopologyError (code ERR_TOPOLOGY,
// `at` naming the field); documents that are well-formed but cannot be restored exactly are refused
// by the plan (RestoreRefusedError) before anything is done; every path a plan touches lies under
// --into or the staging directory, whatever the document says; and a dry run prints exactly the
// steps a restore applies.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelNamespace } from '../../src/model/index.js';
import { parse } from '../../src/mountinfo/parse.js';
import { dump } from '../../src/restore/dump.js';
import { pathsOf } from '../../src/restore/apply.js';
import { planRestore } from '../../src/restore/plan.js';
import { restore, RestoreRefusedError } from '../../src/restore/restore.js';
import { isAtOrUnder, loadTopology, TopologyError, type TopologyMount } from '../../src/restore/topology.js';
import { runScenario } from '../../src/scenario/run.js';
import { restoreScenarios } from '../restore/scenarios.js';
import { runCli } from './support/cli.js';
import { mountOperations, RecordingNamespace } from './support/recording.js';

const scratch = mkdtempSync(join(tmpdir(), 'hostile-topology-'));
afterAll(() => rmSync(scratch, { recursive: true }));

/** A tmpfs mount of the document; `fields` override. */
function mount(fields: Partial<TopologyMount> & { id: number }): TopologyMount {
  return {
    parent: null, mountPoint: '/', root: '/', fsType: 'tmpfs', source: 't', superblock: '0:1',
    mountOptions: 'rw', superOptions: 'rw', group: null, master: null, propagateFrom: null, unbindable: false, file: null, ...fields,
  };
}

function document(mounts: unknown[], top: Record<string, unknown> = {}): Record<string, unknown> {
  return { schema: 'mount-set-group/topology', version: 2, under: '/', mounts, ...top };
}

function topologyError(value: unknown): TopologyError {
  try {
    loadTopology(value);
  } catch (error) {
    if (error instanceof TopologyError) return error;
    throw error;
  }
  throw new Error('loaded');
}

describe('schema violations: TopologyError ERR_TOPOLOGY at the field', () => {
  const root = mount({ id: 1 });
  it.each([
    ['an array', [], 'document'],
    ['null', null, 'document'],
    ['a string', 'mounts', 'document'],
    ['another schema', document([], { schema: 'findmnt' }), 'schema'],
    ['version 3', document([], { version: 3 }), 'version'],
    ['version "1"', document([], { version: '1' }), 'version'],
    ['no version', { schema: 'mount-set-group/topology', under: '/', mounts: [] }, 'version'],
    ['an unknown top-level field', document([], { comment: 'x' }), 'comment'],
    ['a relative under', document([], { under: 'srv' }), 'under'],
    ['mounts as an object', document([], { mounts: { 0: root } }), 'mounts'],
    ['more than 1,000,000 mounts', document(new Array(1_000_001).fill(null)), 'mounts'],
    ['a mount that is an array', document([[1]]), 'mounts[0]'],
    ['a missing field', document([{ ...root, root: undefined }]), 'mounts[0].root'],
    ['an unknown field', document([{ ...root, extra: 1 }]), 'mounts[0].extra'],
    ['a negative id', document([{ ...root, id: -1 }]), 'mounts[0].id'],
    ['a fractional id', document([{ ...root, id: 1.5 }]), 'mounts[0].id'],
    ['an id of 2^31', document([{ ...root, id: 2 ** 31 }]), 'mounts[0].id'],
    ['an id as a string', document([{ ...root, id: '1' }]), 'mounts[0].id'],
    ['a mount point ../../etc', document([{ ...root, mountPoint: '../../etc' }]), 'mounts[0].mountPoint'],
    ['a relative mount point', document([{ ...root, mountPoint: 'etc' }]), 'mounts[0].mountPoint'],
    ['a mount point that climbs: /a/../../etc', document([{ ...root, mountPoint: '/a/../../etc' }]), 'mounts[0].mountPoint'],
    ['a mount point with //', document([{ ...root, mountPoint: '/a//b' }]), 'mounts[0].mountPoint'],
    ['a mount point with a trailing /', document([{ ...root, mountPoint: '/a/' }]), 'mounts[0].mountPoint'],
    ['a mount point with .', document([{ ...root, mountPoint: '/./a' }]), 'mounts[0].mountPoint'],
    ['a mount point with NUL', document([{ ...root, mountPoint: '/a\0/../../etc' }]), 'mounts[0].mountPoint'],
    ['a mount point longer than PATH_MAX', document([{ ...root, mountPoint: `/${'a'.repeat(4096)}` }]), 'mounts[0].mountPoint'],
    ['a root with ..', document([{ ...root, root: '/../..' }]), 'mounts[0].root'],
    ['a superblock that is not MAJOR:MINOR', document([{ ...root, superblock: '8:1:2' }]), 'mounts[0].superblock'],
    ['an fs type that is a number', document([{ ...root, fsType: 7 }]), 'mounts[0].fsType'],
    ['a fractional group', document([{ ...root, group: 1.5 }]), 'mounts[0].group'],
    ['unbindable as a string', document([{ ...root, unbindable: 'yes' }]), 'mounts[0].unbindable'],
    ['__proto__ as a field', JSON.parse(`{"schema":"mount-set-group/topology","version":2,"under":"/","mounts":[${JSON.stringify(root).slice(0, -1)},"__proto__":{"id":2}}]}`), 'mounts[0].__proto__'],
    ['toString as a field', document([{ ...root, toString: 'x' }]), 'mounts[0].toString'],
  ])('%s: at %s', (_what, value, at) => {
    const error = topologyError(value);
    expect(error).toMatchObject({ code: 'ERR_TOPOLOGY', at });
    expect(error.message).toMatch(new RegExp(`^topology ${at.replace(/[[\].]/g, '\\$&')}: `));
  });

  it.each([
    ['a parent that is not in the document', [mount({ id: 1 }), mount({ id: 2, parent: 9, mountPoint: '/a' })], 'mounts[1].parent', /names mount 9/],
    ['a mount that is its own parent', [mount({ id: 1, parent: 1 })], 'mounts[0].parent', /form a cycle/],
    ['parents in a cycle', [mount({ id: 1, parent: 3 }), mount({ id: 2, parent: 1 }), mount({ id: 3, parent: 2 })], 'mounts[0].parent', /form a cycle/],
    ['duplicate ids', [mount({ id: 1 }), mount({ id: 1, mountPoint: '/a' })], 'mounts[1].id', /appears twice/],
    ['a child outside its parent\'s mount point', [mount({ id: 1, mountPoint: '/a' }), mount({ id: 2, parent: 1, mountPoint: '/b' })], 'mounts[1].mountPoint', /not under its parent's/],
    ['two mounts of one parent on one point (a stack must be a chain)', [mount({ id: 1 }), mount({ id: 2, parent: 1, mountPoint: '/a' }), mount({ id: 3, parent: 1, mountPoint: '/a' })], 'mounts[2]', /a second mount on '\/a'/],
  ])('%s: at %s', (_what, mounts, at, problem) => {
    const error = topologyError(document(mounts));
    expect(error).toMatchObject({ code: 'ERR_TOPOLOGY', at });
    expect(error.message).toMatch(problem);
  });

  it('a parent cycle 100,000 mounts long is found, without recursion', () => {
    const mounts = Array.from({ length: 100_000 }, (_, i) => mount({ id: i + 1, parent: ((i + 1) % 100_000) + 1 }));
    expect(topologyError(document(mounts)).message).toMatch(/form a cycle/);
  });
});

describe('well-formed documents that cannot be restored exactly: refused by the plan, nothing done', () => {
  const into = '/restored';
  const staging = '/staging';
  it.each([
    ['a slave of a group with no member in the dump', [mount({ id: 1, master: 7 })], /slave of peer group 7, which has no member in the dump/],
    ['propagate_from (a master the dump could not see)', [mount({ id: 1, master: 1, propagateFrom: 2 }), mount({ id: 2, mountPoint: '/a', group: 1 })], /propagate_from/],
    ['unbindable and shared', [mount({ id: 1, group: 1, unbindable: true })], /both unbindable and shared/],
    ['a peer group over two superblocks', [mount({ id: 1, group: 1 }), mount({ id: 2, mountPoint: '/a', group: 1, superblock: '0:2' })], /spans several superblocks/],
    ['members of one group with different masters', [mount({ id: 1, group: 2 }), mount({ id: 2, mountPoint: '/a', group: 1, master: 2 }), mount({ id: 3, mountPoint: '/b', group: 1 })], /name different masters/],
    ['groups that are each other\'s masters', [mount({ id: 1, group: 1, master: 2 }), mount({ id: 2, mountPoint: '/a', group: 2, master: 1 })], /propagation cycle/],
    ['a group that is its own master', [mount({ id: 1, group: 1, master: 1 })], /propagation cycle/],
    ['a disk filesystem with no --external', [mount({ id: 1, fsType: 'ext4', source: '/dev/sda1', superblock: '8:1' })], /is not created afresh.*--external 8:1=PATH/],
  ])('%s', (_what, mounts, problem) => {
    const topology = loadTopology(document(mounts));
    expect(planRestore(topology, { into, staging }).problems).toContainEqual(expect.stringMatching(problem));
    const ns = new ModelNamespace();
    const before = ns.mountinfo();
    expect(() => restore(ns, topology, { into, staging })).toThrow(RestoreRefusedError);
    expect(ns.mountinfo()).toBe(before);
  });
});

describe('a plan touches nothing outside --into and the staging directory', () => {
  it('absolute mount points (/etc, /) land under --into, not at the host\'s /etc', () => {
    const topology = loadTopology(document([mount({ id: 1 }), mount({ id: 2, parent: 1, mountPoint: '/etc', superblock: '0:2' })]));
    const plan = planRestore(topology, { into: '/srv/r', staging: '/srv/s' });
    expect(plan.problems).toEqual([]);
    for (const path of plan.steps.flatMap(pathsOf)) {
      expect(isAtOrUnder(path, '/srv/r') || isAtOrUnder(path, '/srv/s')).toBe(true);
    }
    expect(plan.steps).toContainEqual(expect.objectContaining({ op: 'bind', target: '/srv/r/etc' }));
  });
});

describe('--dry-run prints exactly the mount operations a restore makes', () => {
  it.each(Object.keys(restoreScenarios))('%s', async (name) => {
    const source = new ModelNamespace();
    source.mkdir('/src', { recursive: true });
    source.mount('tmpfs', name, '/src');
    expect(runScenario(source, restoreScenarios[name]!, { cwd: '/src' }).failures).toEqual([]);
    const topology = dump(parse(source.mountinfo()), '/src');
    const file = join(scratch, `${name}.json`);
    writeFileSync(file, JSON.stringify(topology));

    const dryRun = await runCli(['restore', file, '--into', '/into', '--staging', '/staging', '--backend', 'model', '--dry-run']);
    expect(dryRun.stderr).toBe('');
    expect(dryRun.status).toBe(0);
    const printed = dryRun.stdout.trim().split('\n').slice(1);

    const applied = new RecordingNamespace(new ModelNamespace());
    applied.inner.mkdir('/into', { recursive: true });
    restore(applied, loadTopology(JSON.parse(JSON.stringify(topology))), { into: '/into', staging: '/staging', superOptions: 'rw' });
    expect(applied.calls).toEqual(mountOperations(printed));
  });
});
