// Sets of mount namespaces for the set round trips: the cases as scenarios that start
// namespaces, and random ones from the differential generator (every scenario starting, entering,
// ending and crossing namespaces). Each is run on a MountSystem, its namespaces dumped as one set.
import { formatFailure, type ScenarioResult } from '../../../src/scenario/run.js';
import { parse } from '../../../src/mountinfo/parse.js';
import { dumpSet } from '../../../src/restore/dump.js';
import type { TopologySet } from '../../../src/restore/topology.js';
import { scenarioOfSeed, scenarioText } from '../../differential/generator.js';

export const setScenarios: Record<string, string> = {
  'host and two containers sharing a volume, one a peer, one a slave': `
    mkdir vol app
    mount -t tmpfs vol vol
    mount --make-shared vol
    mount -t tmpfs app app
    unshare -m --propagation unchanged c1
    unshare -m --propagation slave c2
    nsenter -t c1 -m
    mkdir app/cache
    mount -t tmpfs cache app/cache
    exit
    nsenter -t c2 -m
    mkdir vol/c2only
    mount -t tmpfs c2only vol/c2only
    exit
    mkdir vol/shared
    mount -t tmpfs fromhost vol/shared
  `,
  'a container in its own user namespace: its copy a locked slave': `
    mkdir vol
    mount -t tmpfs vol vol
    mount --make-shared vol
    mkdir vol/a
    mount -t tmpfs a vol/a
    unshare -m -U --propagation unchanged c
    mkdir vol/later
    mount -t tmpfs later vol/later
  `,
  'two containers in one user namespace and one in another': `
    mkdir vol
    mount -t tmpfs vol vol
    mount --make-shared vol
    unshare -m -U --propagation unchanged c1
    nsenter -t c1 -U -m
    unshare -m --propagation unchanged c2
    exit
    unshare -m -U --propagation unchanged c3
  `,
  'three namespaces in one peer group, with different children in each': `
    mkdir g
    mount -t tmpfs g g
    mkdir g/a g/b g/c
    unshare -m n1
    unshare -m n2
    mount -t tmpfs a g/a
    mount --make-shared g
    nsenter -t n1 -m
    mount -t tmpfs b g/b
    exit
    nsenter -t n2 -m
    mount -t tmpfs c g/c
    exit
    mount --set-group g /proc/n1/cwd/g
    mount --set-group g /proc/n2/cwd/g
  `,
};

/** `count` random scenarios with namespaces, from seed `first` on: 15 to 30 operations each. */
export function randomSetScenarios(count: number, first = 1): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`random set seed ${first + i}`, scenarioText(scenarioOfSeed({ minOps: 15, maxOps: 30, namespaces: 100 }, first + i))]),
  );
}

/** The namespaces a run left running, dumped as one set under `under` (the scenario's directory). */
export function dumpRun(run: ScenarioResult, under: string, ownUser: string): TopologySet {
  const processes = run.namespaces.map((ns) => ({ name: ns.name, namespaceIds: ns.namespaceIds!(), entries: parse(ns.mountinfo()) }));
  return dumpSet(processes, { under, ownUser });
}

/** The lines of a run that failed, as text. */
export const failuresOf = (run: ScenarioResult): string[] => run.failures.map(formatFailure);

/** What a set holds: namespaces, mounts, user namespaces, and the ties that cross namespaces (groups with members in several, slaves of a group in another). */
export interface SetShape {
  namespaces: number;
  mounts: number;
  users: number;
  crossGroups: number;
  crossSlaves: number;
}

export function shapeOfSet(set: TopologySet): SetShape {
  const homes = new Map<number, Set<string>>();
  for (const ns of set.namespaces) for (const mount of ns.mounts) if (mount.group !== null) homes.set(mount.group, (homes.get(mount.group) ?? new Set()).add(ns.name));
  const crossSlaves = set.namespaces.flatMap((ns) => ns.mounts.filter((mount) => mount.master !== null && homes.has(mount.master) && !homes.get(mount.master)!.has(ns.name)));
  return {
    namespaces: set.namespaces.length,
    mounts: set.namespaces.reduce((sum, ns) => sum + ns.mounts.length, 0),
    users: new Set(set.namespaces.flatMap((ns) => (ns.user === null ? [] : [ns.user]))).size,
    crossGroups: [...homes.values()].filter((names) => names.size > 1).length,
    crossSlaves: crossSlaves.length,
  };
}
