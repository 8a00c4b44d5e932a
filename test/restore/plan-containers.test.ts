// What a restore plan does with what real containers hold (the runc suite restores one for real:
// test/containers/runc.test.ts): filesystems whose new mount would hand back a live superblock,
// mounts of files, read-only superblocks, and mounts tied to a live peer group of the host. Each
// topology is built on the model and dumped, or written as a dump of a container shows it.
import { describe, expect, it } from 'vitest';
import { ModelNamespace } from '../../src/model/index.js';
import { parse } from '../../src/mountinfo/parse.js';
import { formatStep } from '../../src/restore/apply.js';
import { dump } from '../../src/restore/dump.js';
import { externalOption, externalsIn } from '../../src/restore/externals.js';
import { planRestore, type Plan, type PlanOptions } from '../../src/restore/plan.js';
import { restore } from '../../src/restore/restore.js';
import { loadTopology, type Topology, type TopologyMount } from '../../src/restore/topology.js';
import { runScenario } from '../../src/scenario/run.js';
import { lookInModel, modelHost } from '../support/model-host.js';

const places = { into: '/into', staging: '/staging' };

/** A mount as a container's dump shows it; `fields` override. */
function mount(fields: Partial<TopologyMount> & { id: number }): TopologyMount {
  return {
    parent: null, mountPoint: '/', root: '/', fsType: 'tmpfs', source: 't', superblock: '0:1', mountOptions: 'rw,relatime',
    superOptions: 'rw', group: null, master: null, propagateFrom: null, unbindable: false, file: false, ...fields,
  };
}

const topologyOf = (mounts: TopologyMount[]): Topology => loadTopology({ schema: 'mount-set-group/topology', version: 2, under: '/', mounts });

/** The printed steps of a plan. */
const printed = (plan: Plan): string[] => plan.steps.map(formatStep);

/** A runc container's namespace in brief: its root a slave of the host's group 1, /proc masked with a file of /dev, a read-only sysfs. */
const container = topologyOf([
  mount({ id: 10, root: '/c1/rootfs', source: 'host', superblock: '0:40', master: 1 }),
  mount({ id: 11, parent: 10, mountPoint: '/proc', fsType: 'proc', source: 'proc', superblock: '0:43' }),
  mount({ id: 12, parent: 10, mountPoint: '/dev', source: 'tmpfs', superblock: '0:44', superOptions: 'rw,mode=755' }),
  mount({ id: 13, parent: 11, mountPoint: '/proc/keys', root: '/null', source: 'tmpfs', superblock: '0:44', superOptions: 'rw,mode=755', file: true }),
  mount({ id: 14, parent: 10, mountPoint: '/sys', fsType: 'sysfs', source: 'sysfs', superblock: '0:47', mountOptions: 'ro,nosuid,relatime', superOptions: 'ro' }),
  mount({ id: 15, parent: 14, mountPoint: '/sys/fs/cgroup/cpu', root: '/c1', fsType: 'cgroup', source: 'cgroup', superblock: '0:29', superOptions: 'rw,cpu' }),
  mount({ id: 16, parent: 11, mountPoint: '/proc/acpi', source: 'tmpfs', superblock: '0:49', mountOptions: 'ro,relatime', superOptions: 'ro' }),
]);

const externals = [
  { superblock: '0:47', root: '/', path: '/ext/sys', fsType: 'sysfs', readOnly: true },
  { superblock: '0:29', root: '/', path: '/sys/fs/cgroup/cpu', fsType: 'cgroup', readOnly: false },
];
const ties = [{ group: 1, path: '/run/c', root: '/', fsType: 'tmpfs', readOnly: false }];
const containerPlaces: PlanOptions = { ...places, externals, ties };

describe("restore plan: a container's filesystems", () => {
  it('sysfs and cgroup v1 are never mounted afresh, nor anything made in them: each problem says why and what to name', () => {
    const plan = planRestore(container, { ...places, ties });
    expect(plan.problems).toEqual([
      expect.stringMatching(/^superblock 0:47 \(sysfs sysfs\) is not created afresh: a new mount of sysfs is the one superblock of the mounting process's network namespace;.*nsenter --net=\/proc\/PID\/ns\/net.*--external 0:47=PATH$/),
      expect.stringMatching(/^superblock 0:29 \(cgroup cgroup\) is not created afresh: .*a directory made is a real cgroup.*No available mount of it holds '\/c1': name one with --external 0:29=PATH$/),
    ]);
    expect(printed(plan).filter((step) => /^(mount -t (sysfs|cgroup)|mkdir -p \/staging\/sb\d+\/c1)/.test(step))).toEqual([]);
  });

  it('with the externals named, nothing is made in them: they are bound, made private at once, and bound from', () => {
    const plan = planRestore(container, containerPlaces);
    expect(plan.problems).toEqual([]);
    const steps = printed(plan);
    for (const path of ['/ext/sys', '/sys/fs/cgroup/cpu', '/run/c']) {
      const bind = steps.findIndex((step) => step.startsWith(`mount --bind ${path} /staging/sb`));
      expect(bind, path).toBeGreaterThan(0);
      expect(steps[bind + 1], path).toBe(`mount --make-private ${steps[bind]!.split(' ').at(-1)}`);
    }
    expect(steps.filter((step) => /^(mkdir -p|touch) (\/ext|\/sys|\/run|\/staging\/sb(1|4|5)\/)/.test(step))).toEqual([]);
    expect(steps).toContain('mount --bind /staging/sb5/c1 /into/sys/fs/cgroup/cpu');
  });

  it('a read-only superblock is made read-only from its first mount; a named one must be read-only as the dump says', () => {
    expect(printed(planRestore(container, containerPlaces))).toContain('mount -t tmpfs -o relatime,ro tmpfs /staging/sb6');
    const writable = externals.map((external) => ({ ...external, readOnly: false }));
    expect(planRestore(container, { ...containerPlaces, externals: writable }).problems).toEqual([
      'superblock 0:47 (sysfs sysfs) is read-only, but the mount named at /ext/sys shows a read-write superblock: name a mount of the dumped superblock 0:47',
    ]);
    const wrongType = [{ ...externals[0]!, fsType: 'tmpfs' }, externals[1]!];
    expect(planRestore(container, { ...containerPlaces, externals: wrongType }).problems).toEqual(['superblock 0:47 (sysfs sysfs): the mount named at /ext/sys is of tmpfs, not sysfs']);
  });

  it('a read-only superblock that starts empty cannot take the directories its mounts need: reported', () => {
    const topology = topologyOf([mount({ id: 1, superOptions: 'ro' }), mount({ id: 2, parent: 1, mountPoint: '/a', superblock: '0:2' })]);
    expect(planRestore(topology, places).problems).toEqual([
      'superblock 0:1 (tmpfs t) is read-only and starts empty, but its mounts need directories or files made in it, which a restore cannot make in a read-only superblock',
    ]);
  });
});

describe('restore plan: mounts of files', () => {
  it('a file root is made an empty file in its staging superblock, a file mount point an empty file, and the file bound onto it', () => {
    const steps = printed(planRestore(container, containerPlaces));
    const touchRoot = steps.indexOf('touch /staging/sb3/null');
    const touchPoint = steps.indexOf('touch /into/proc/keys');
    expect(touchRoot).toBeGreaterThan(steps.indexOf('mount -t tmpfs -o relatime,rw,mode=755 tmpfs /staging/sb3'));
    expect(touchPoint).toBeGreaterThan(steps.indexOf('mount --bind /staging/sb2 /into/proc'));
    expect(steps[touchPoint + 1]).toBe('mount --bind /staging/sb3/null /into/proc/keys');
    expect(steps).not.toContain('mkdir -p /into/proc/keys');
    expect(steps).not.toContain('mkdir -p /staging/sb3/null');
  });

  it('a version 1 document says nothing of files: its mounts are restored on directories, as before', () => {
    const { file: _, ...fields } = mount({ id: 1, root: '/null' });
    const topology = loadTopology({ schema: 'mount-set-group/topology', version: 1, under: '/', mounts: [fields] });
    expect(topology.mounts[0]!.file).toBeNull();
    expect(printed(planRestore(topology, places))).toContain('mkdir -p /staging/sb1/null');
  });

  it('dump looks at each mount point it can reach, and leaves unknown a mount covered from above', () => {
    const ns = new ModelNamespace();
    ns.mkdir('/s/d', { recursive: true });
    expect(runScenario(ns, 'mount -t tmpfs t d\ntouch d/f f\nmount --bind d/f f\nmkdir c\nmount -t tmpfs u c\ntouch c/g\nmount --bind d/f c/g\nmount -t tmpfs cover c', { cwd: '/s' }).failures).toEqual([]);
    const files = dump(parse(ns.mountinfo()), '/s', lookInModel(ns)).mounts.map((m) => [m.mountPoint, m.file]);
    expect(files).toEqual([['/d', false], ['/f', true], ['/c', false], ['/c/g', null], ['/c', false]]);
  });
});

describe('restore plan: ties to live peer groups', () => {
  it('without a tie, a slave of a group outside the dump is a problem that names --tie', () => {
    expect(planRestore(container, { ...places, externals }).problems).toContainEqual(expect.stringMatching(/mount 10 at '\/' is a slave of peer group 1, which has no member in the dump;.*--tie 1=PATH$/));
  });

  it("a tied slave's superblock is bound from the live member, and it becomes the group's slave as attach makes a volume one", () => {
    const steps = printed(planRestore(container, containerPlaces));
    expect(steps).toContain('mount --bind /staging/sb1/c1/rootfs /into');
    expect(steps.slice(-3)).toEqual(['mount --set-group /run/c /into', 'mount --make-slave /into', 'umount -l /staging']);
  });

  it('tied peers join the live group directly; a tie no mount of the dump is tied to, or whose root holds too little, is a problem', () => {
    const peers = topologyOf([mount({ id: 1, group: 7, root: '/a' }), mount({ id: 2, parent: 1, mountPoint: '/b', root: '/a', group: 7 })]);
    const steps = printed(planRestore(peers, { ...places, ties: [{ group: 7, path: '/live', root: '/' }] }));
    expect(steps.filter((step) => step.startsWith('mount --set-group'))).toEqual(['mount --set-group /live /into', 'mount --set-group /live /into/b']);
    expect(steps.filter((step) => step.startsWith('mount --make-shared'))).toEqual([]);
    expect(planRestore(peers, { ...places, ties: [{ group: 7, path: '/live', root: '/' }, { group: 8, path: '/other', root: '/' }] }).problems).toEqual([
      '--tie 8=/other names peer group 8, which no mount of the dump is a member or a slave of',
    ]);
    expect(planRestore(peers, { ...places, ties: [{ group: 7, path: '/live', root: '/z' }] }).problems).toEqual([
      "superblock 0:1 (tmpfs t): the mount named at /live shows its '/z', which does not hold '/a'",
    ]);
  });

  it('the container restores exactly on a model host holding the externals and the live group', () => {
    const host = modelHost(container, externals, ties);
    host.mkdir('/into');
    const { restored } = restore(host, container, { ...containerPlaces, superOptions: 'rw' });
    const shape = (mounts: TopologyMount[]) => Object.fromEntries(mounts.map((m) => [m.mountPoint, [m.fsType, m.root, m.master === null ? '' : 'slave', m.file]]));
    expect(shape(dump(parse(host.mountinfo()), '/into', lookInModel(host)).mounts)).toEqual(shape(container.mounts));
    expect(restored.mounts).toHaveLength(container.mounts.length);
  });
});

describe('restore: mounts of this namespace that could be named with --external', () => {
  it('one per superblock not made afresh, the widest root that holds every dumped root, outside the excluded places', () => {
    const entries = parse([
      '30 1 0:47 / /ext/sys ro,relatime - sysfs sysfs ro',
      '31 1 0:29 /c1 /into/cpu ro,relatime - cgroup cgroup rw,cpu',
      '32 1 0:29 /other /sys/fs/cgroup/other rw,relatime - cgroup cgroup rw,cpu',
      '33 1 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
      '34 1 0:44 / /dev rw - tmpfs tmpfs rw',
      '',
    ].join('\n'));
    const found = externalsIn(entries, container, ['/into']);
    expect(found.map(externalOption)).toEqual(['--external 0:47=/ext/sys', '--external 0:29=/sys/fs/cgroup/cpu']);
    expect(found[0]).toMatchObject({ fsType: 'sysfs', readOnly: true });
  });
});
