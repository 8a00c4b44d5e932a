// Sets of mount namespaces, dumped as one document (version 3) and restored each in a new mount
// namespace, the ties between them (peer groups and masters that span namespaces) joined with
// set-group across namespaces: the cases and random sets from the differential generator,
// built on the kernel and restored on the kernel and on the model, and built and restored on the
// model. restoreSet dumps its result back and fails on any difference: no failure is an exact round trip.
import { beforeAll, describe, expect, it } from 'vitest';
import { assertInvariants, ModelSystem } from '../../src/model/index.js';
import { RestoreStepError } from '../../src/restore/apply.js';
import { compareTopologySets, restoreSet } from '../../src/restore/restore-set.js';
import { loadTopologySet, type TopologySet } from '../../src/restore/topology.js';
import { runScenario } from '../../src/scenario/run.js';
import { MODEL_DIR, modelSystem } from '../differential/sides.js';
import { kernelSuite, kernelUnavailable } from '../support/kernel.js';
import { runPrivateSync } from '../../src/process/child.js';
import { dumpRun, failuresOf, randomSetScenarios, setScenarios, shapeOfSet, type SetShape } from './support/sets.js';

/** What each of the cases must hold once dumped, or it would not test what it says. */
const expectedShapes: Record<string, Partial<SetShape>> = {
  'host and two containers sharing a volume, one a peer, one a slave': { namespaces: 3, users: 0, crossGroups: 2, crossSlaves: 2 },
  'a container in its own user namespace: its copy a locked slave': { namespaces: 2, users: 1, crossGroups: 0, crossSlaves: 3 },
  'two containers in one user namespace and one in another': { namespaces: 4, users: 2, crossSlaves: 3 },
  'three namespaces in one peer group, with different children in each': { namespaces: 3, users: 0, crossGroups: 1 },
};

/** A scenario built on a model system, dumped as a set. */
function modelSet(text: string): { set: TopologySet; failures: string[] } {
  const system = modelSystem();
  const run = runScenario(system, text, { cwd: MODEL_DIR, confineTo: MODEL_DIR });
  return { set: dumpRun(run, MODEL_DIR, system.init.namespaceIds().user), failures: failuresOf(run) };
}

const restoreOnModel = (set: TopologySet, system = new ModelSystem()) => restoreSet(system, set, { into: '/restored', staging: '/staging', superOptions: 'rw' });

describe('sets of namespaces on the model', () => {
  it.each(Object.keys(setScenarios))('%s: built, dumped as a set, restored exactly', (name) => {
    const { set, failures } = modelSet(setScenarios[name]!);
    expect(failures).toEqual([]);
    expect(shapeOfSet(set)).toMatchObject(expectedShapes[name]!);
    const system = new ModelSystem();
    const result = restoreOnModel(set, system);
    assertInvariants(system);
    expect(compareTopologySets(set, result.restored, 'rw')).toBeUndefined();
    expect(result.namespaces.map((ns) => ns.name)).toEqual(set.namespaces.map((ns) => ns.name));
    /* each namespace is a new one, in a user namespace of its own where the document names one */
    const ids = result.namespaces.map((ns) => ns.holder.namespaceIds());
    expect(new Set(ids.map((id) => id.mount)).size).toBe(set.namespaces.length);
    expect(ids.filter((id) => id.user !== system.init.namespaceIds().user).length).toBe(set.namespaces.filter((ns) => ns.user !== null).length);
  });

  it('a set the restore could not reproduce is a difference naming the namespace: a slave cut from its master', () => {
    const { set } = modelSet(setScenarios['host and two containers sharing a volume, one a peer, one a slave']!);
    const cut = structuredClone(set);
    const slave = cut.namespaces[2]!.mounts.find((mount) => mount.master !== null)!;
    slave.master = null;
    expect(compareTopologySets(set, cut)).toMatch(/^namespace 'c2': mountinfo differs/);
    expect(compareTopologySets(set, { ...set, namespaces: set.namespaces.map((ns) => ({ ...ns, user: 'u9' })) })).toMatch(/user namespaces differ/);
  });

  it('all or nothing: a step refused half-way undoes every namespace and ends every process it started', () => {
    const { set } = modelSet(setScenarios['three namespaces in one peer group, with different children in each']!);
    const broken = structuredClone(set);
    broken.namespaces[2]!.mounts.at(-1)!.fsType = 'ramfs'; // a superblock this model cannot mount: refused once the others are made
    const system = new ModelSystem({ filesystems: ['tmpfs'] });
    const before = system.init.mountinfo();
    const tasks = system.kernel.tasks.size;
    expect(() => restoreOnModel(broken, system)).toThrow(RestoreStepError);
    expect(system.init.mountinfo()).toBe(before);
    expect([...system.kernel.tasks.values()].filter((task) => task.alive).length).toBe(1);
    expect(system.kernel.tasks.size).toBeGreaterThan(tasks + set.namespaces.length); // holders and agents were started, and ended
    expect(() => system.init.pin('/staging')).toThrow(/ENOENT/);
    expect(() => system.init.pin('/restored')).toThrow(/ENOENT/);
    assertInvariants(system);
  });

  it.each(Object.entries(randomSetScenarios(40, 1001)))('%s: built, dumped as a set, restored exactly', (_, text) => {
    const { set } = modelSet(text);
    const system = new ModelSystem();
    restoreOnModel(set, system);
    assertInvariants(system);
  });
});

describe('documents: a set is version 3; versions 1 and 2 load as a set of one', () => {
  const mount = { id: 1, parent: null, mountPoint: '/', root: '/', fsType: 'tmpfs', source: 't', superblock: '0:1', mountOptions: 'rw', superOptions: 'rw', group: 1, master: null, propagateFrom: null, unbindable: false };
  it.each([1, 2])('version %i', (version) => {
    const document = { schema: 'mount-set-group/topology', version, under: '/srv', mounts: [version === 1 ? mount : { ...mount, file: false }] };
    const set = loadTopologySet(document);
    expect(set.version).toBe(3);
    expect(set.namespaces).toEqual([{ name: 'ns', user: null, under: '/srv', mounts: [{ ...mount, file: version === 1 ? null : false }] }]);
  });

  it('a set dumped on the model loads as itself, and a mount id in two namespaces is refused', () => {
    const { set } = modelSet(setScenarios['a container in its own user namespace: its copy a locked slave']!);
    expect(loadTopologySet(JSON.parse(JSON.stringify(set)))).toEqual(set);
    const twice = structuredClone(set);
    twice.namespaces[1]!.mounts[0]!.id = twice.namespaces[0]!.mounts[0]!.id;
    expect(() => loadTopologySet(twice)).toThrow(/is also a mount of namespace 'host' \(mount ids are system-wide\)/);
  });
});

type Outcome = { ok: boolean; error?: string };
type Result = { failures: string[]; shape: SetShape; kernel: Outcome; model: Outcome };

/** The random sets of this suite: fixed seeds (npm run round-trips:sets runs as many as asked). */
const randomScenarios = randomSetScenarios(12);

describe.skipIf(kernelUnavailable)(kernelSuite('sets of namespaces on the kernel'), () => {
  let results: Record<string, Result>;
  beforeAll(() => {
    const child = runPrivateSync(new URL('./children/sets.ts', import.meta.url), [], { input: JSON.stringify({ ...setScenarios, ...randomScenarios }), timeout: 300_000 });
    if (child.status !== 0) throw new Error(`sets child failed (${child.status ?? child.signal}): ${child.stderr}`);
    results = JSON.parse(child.stdout) as Record<string, Result>;
  }, 300_000);

  it.each(Object.keys(setScenarios))('%s: built without a failing line, and holds what it says', (name) => {
    expect(results[name]!.failures).toEqual([]);
    expect(results[name]!.shape).toMatchObject(expectedShapes[name]!);
  });

  it.each(Object.keys({ ...setScenarios, ...randomScenarios }))('%s: restored exactly on the kernel and on the model', (name) => {
    expect(results[name]!.kernel.error).toBeUndefined();
    expect(results[name]!.model.error).toBeUndefined();
  });

  it('the random sets hold several namespaces, user namespaces and ties across namespaces', () => {
    const shapes = Object.keys(randomScenarios).map((name) => results[name]!.shape);
    expect(shapes.filter((shape) => shape.namespaces > 1).length).toBeGreaterThanOrEqual(6);
    expect(shapes.filter((shape) => shape.users > 0).length).toBeGreaterThanOrEqual(3);
    expect(shapes.filter((shape) => shape.crossGroups + shape.crossSlaves > 0).length).toBeGreaterThanOrEqual(1);
  });
});
