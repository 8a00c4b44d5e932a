// Large topologies for benchmarks, built on the model (fast) and dumped: what a restore must rebuild.
import { ModelNamespace } from '../src/model/index.js';
import { parse } from '../src/mountinfo/parse.js';
import { dump } from '../src/restore/dump.js';
import type { Topology } from '../src/restore/topology.js';

/**
 * About `mounts` mounts under /s: superblocks of 100 mounts each — the tmpfs itself, binds of it and
 * of a subdirectory, stacked covers — joined into peer groups, slave groups, shared slaves and lone
 * slaves, with a few unbindable. Private while built, then set-group, as a container host might end up.
 */
export function mixedTopology(mounts = 10_000): Topology {
  const ns = new ModelNamespace({ mountMax: mounts * 2 });
  ns.mkdir('/s', { recursive: true });
  ns.mount('tmpfs', 'base', '/s');
  for (let sb = 0; sb * 100 < mounts - 1; sb++) {
    const root = `/s/sb${sb}`;
    ns.mkdir(root);
    ns.mount('tmpfs', `sb${sb}`, root);
    ns.mkdir(`${root}/sub`);
    const binds = Array.from({ length: 99 }, (_, i) => `/s/m${sb}_${i}`);
    binds.forEach((path, i) => {
      ns.mkdir(path);
      ns.bind(i % 3 === 0 ? `${root}/sub` : root, path);
    });
    ns.changePropagation(root, 'shared');
    binds.forEach((path, i) => {
      if (i % 3 !== 0 && i % 4 !== 3) ns.setGroup(root, path);
    });
    binds.forEach((path, i) => {
      if (i % 5 === 1) ns.changePropagation(path, 'slave');
      if (i % 10 === 1) ns.changePropagation(path, 'shared');
      if (i % 17 === 3) ns.changePropagation(path, 'unbindable');
    });
  }
  return dump(parse(ns.mountinfo()), '/s');
}
