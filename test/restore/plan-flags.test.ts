// What a restore plan does for per-mount flags, and what it costs: the staging mount of each
// superblock carries the flags most of its mounts show, so binds inherit them; only a mount whose
// flags differ gets a bind remount, and only after every bind. (That the result is exact is the
// round trips' to show, on the kernel: round-trip.test.ts.)
import { describe, expect, it } from 'vitest';
import { ModelNamespace } from '../../src/model/index.js';
import { parse } from '../../src/mountinfo/parse.js';
import { formatStep } from '../../src/restore/apply.js';
import { dump } from '../../src/restore/dump.js';
import { flagsShown, planRestore, type Plan } from '../../src/restore/plan.js';
import type { Topology } from '../../src/restore/topology.js';
import { runScenario } from '../../src/scenario/run.js';

const places = { into: '/into', staging: '/staging' };

/** The topology a scenario builds under /s on a model. */
function topologyOf(script: string): Topology {
  const ns = new ModelNamespace();
  ns.mkdir('/s');
  expect(runScenario(ns, script, { cwd: '/s' }).failures).toEqual([]);
  return dump(parse(ns.mountinfo()), '/s');
}

/** The printed steps of `plan` whose command starts with `prefix`. */
const stepsLike = (plan: Plan, prefix: string): string[] => plan.steps.map(formatStep).filter((step) => step.startsWith(prefix));

describe('restore plan: per-mount flags', () => {
  it("mountinfo's per-mount options become the flags that set them exactly, atime named", () => {
    expect(flagsShown('rw,relatime')).toEqual({ flags: ['relatime'], unknown: [] });
    expect(flagsShown('ro,nosuid,nodev,noexec,noatime,nodiratime,nosymfollow')).toEqual({
      flags: ['ro', 'nosuid', 'nodev', 'noexec', 'noatime', 'nodiratime', 'nosymfollow'],
      unknown: [],
    });
    expect(flagsShown('rw,nosuid')).toEqual({ flags: ['nosuid', 'strictatime'], unknown: [] });
    expect(flagsShown('rw,nodev,relatime,idmapped')).toEqual({ flags: ['nodev', 'relatime'], unknown: ['idmapped'] });
  });

  it('binds that inherit the flags of their staging mount cost no remount', () => {
    const plan = planRestore(topologyOf('mount -t tmpfs -o nosuid,nodev t .\nmkdir a b\nmount --bind . a\nmount --bind . b'), places);
    expect(stepsLike(plan, 'mount -t tmpfs -o nosuid,nodev,relatime,rw t ')).toHaveLength(1);
    expect(stepsLike(plan, 'mount -o remount')).toEqual([]);
  });

  it('each mount whose flags differ from the most common ones of its superblock gets one remount, after every bind', () => {
    const plan = planRestore(
      topologyOf('mount -t tmpfs -o noexec t .\nmkdir a b c\nmount --bind . a\nmount --bind . b\nmount --bind . c\nmount -o remount,bind,ro a\nmount -o remount,bind,nosuid,noatime none c'),
      places,
    );
    expect(plan.problems).toEqual([]);
    expect(stepsLike(plan, 'mount -o remount')).toEqual([
      'mount -o remount,bind,ro,noexec,relatime none /into/a',
      'mount -o remount,bind,nosuid,noatime none /into/c',
    ]);
    const printed = plan.steps.map(formatStep);
    const lastBind = printed.findLastIndex((step) => step.startsWith('mount --bind /staging/sb') && step.includes('/into'));
    expect(printed.findIndex((step) => step.startsWith('mount -o remount'))).toBeGreaterThan(lastBind);
  });

  it('read-only is never given to a staging mount, whose binds must still take mount points', () => {
    const plan = planRestore(topologyOf('mount -t tmpfs t .\nmkdir a\nmount --bind . a\nmount -o remount,bind,ro .\nmount -o remount,bind,ro a'), places);
    expect(stepsLike(plan, 'mount -t tmpfs -o relatime,rw t ')).toHaveLength(1);
    expect(stepsLike(plan, 'mount -o remount')).toHaveLength(2);
  });

  it("an external superblock's staging bind is set to the common flags once, since the dump cannot say what the bind gives", () => {
    const topology = topologyOf('mkdir a b\nmount --bind . a\nmount --bind . b\nmount -o remount,bind,nodev none a\nmount -o remount,bind,nodev none b');
    const { superblock } = topology.mounts[0]!;
    const plan = planRestore({ ...topology, mounts: topology.mounts.map((m) => ({ ...m, fsType: 'ext4' })) }, { ...places, externals: [{ superblock, root: '/', path: '/srv' }] });
    expect(stepsLike(plan, 'mount -o remount')).toEqual(['mount -o remount,bind,nodev,relatime none /staging/sb1']);
  });

  it('a per-mount option no flag sets is a problem, found before anything is done', () => {
    const topology = topologyOf('mount -t tmpfs t .');
    const mounts = topology.mounts.map((m) => ({ ...m, mountOptions: 'rw,relatime,idmapped' }));
    expect(planRestore({ ...topology, mounts }, places).problems).toContainEqual(expect.stringMatching(/shows the per-mount option 'idmapped', which a restore cannot set/));
  });
});

describe('restore plan: filesystems a new mount would reconfigure', () => {
  /** A one-mount topology of `fsType` (a kernel would show such a mount under a dumped directory). */
  const single = (fsType: string): Topology => ({
    schema: 'mount-set-group/topology',
    version: 2,
    under: '/s',
    mounts: [{ id: 1, parent: null, mountPoint: '/', root: '/', fsType, source: fsType, superblock: '0:9', mountOptions: 'rw,relatime', superOptions: 'rw', group: null, master: null, propagateFrom: null, unbindable: false, file: false }],
  });

  it.each(['debugfs', 'tracefs', 'pstore', 'cgroup2', 'securityfs', 'configfs', 'sysfs', 'mqueue', 'cgroup', 'ext4'])('%s is never mounted afresh: it asks for --external', (fsType) => {
    const plan = planRestore(single(fsType), places);
    expect(plan.problems).toEqual([expect.stringMatching(/--external 0:9=PATH/)]);
    expect(stepsLike(plan, `mount -t ${fsType}`)).toEqual([]);
  });

  it.each(['tmpfs', 'ramfs', 'proc', 'devpts', 'hugetlbfs', 'bpf'])('%s is mounted afresh', (fsType) => {
    const plan = planRestore(single(fsType), places);
    expect(plan.problems).toEqual([]);
    expect(stepsLike(plan, `mount -t ${fsType}`).filter((step) => step.endsWith(` ${fsType} /staging/sb1`))).toHaveLength(1);
  });

  it('debugfs bound from a named external mount restores', () => {
    const plan = planRestore(single('debugfs'), { ...places, externals: [{ superblock: '0:9', root: '/', path: '/sys/kernel/debug' }] });
    expect(plan.problems).toEqual([]);
    expect(stepsLike(plan, 'mount --bind /sys/kernel/debug ')).toHaveLength(1);
  });
});
