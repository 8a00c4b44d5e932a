// Test child (runs under unshare -m --propagation private, on a scratch tmpfs): a host set up the
// way systemd sets hosts up — `mount --make-rshared /` in this namespace — with a peer of the mount
// that holds the restore's places (a bind of its work directory elsewhere: whatever propagates out
// of the work shows up there). Restores on it through the API and the CLI, and reports what the
// peer saw after every call, what is left after a failure and after taking a restore down, a second
// restore into the same --into, and restores into a slave and into a private mount.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MountNamespace } from '../../../src/core/namespace.js';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { parse } from '../../../src/mountinfo/parse.js';
import { readStdin } from '../../../src/process/child.js';
import { withScratch } from '../../../src/process/scratch.js';
import { dump } from '../../../src/restore/dump.js';
import { restore, type RestoreOptions } from '../../../src/restore/restore.js';
import { loadTopology, type Topology } from '../../../src/restore/topology.js';
import { runScenario } from '../../../src/scenario/run.js';
import { runCli, type CliRun } from '../../hostile/support/cli.js';

export interface Attempt {
  ok: boolean;
  error?: { name: string; code?: string; message: string };
  held?: boolean;
}

const ns = new KernelNamespace();
const allowSyscalls = { env: { MOUNT_SET_GROUP_NO_SYSCALLS: '' } };

/** The mounts at or under `dir`, as "mount point, root, propagation" lines. */
function view(dir: string): string[] {
  return parse(ns.mountinfo())
    .filter((entry) => entry.mountPoint === dir || entry.mountPoint.startsWith(`${dir}/`))
    .map((entry) => `${entry.mountPoint} ${entry.root} ${entry.shared === undefined ? '' : `shared:${entry.shared}`}${entry.master === undefined ? '' : `master:${entry.master}`}`.trim());
}

/** `inner`, calling `after` after each of its calls that may change mounts. */
function observed(inner: MountNamespace, after: () => void): MountNamespace {
  const changes = new Set(['mount', 'mountAt', 'bind', 'bindAt', 'remountBind', 'changePropagation', 'setGroup', 'umount']);
  return new Proxy(inner, {
    get(target, name) {
      const value = Reflect.get(target, name, target) as unknown;
      if (typeof value !== 'function') return value;
      if (typeof name !== 'string' || !changes.has(name)) return value.bind(target);
      return (...args: unknown[]) => {
        try {
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        } finally {
          after();
        }
      };
    },
  });
}

function attempt(call: () => { places: { into: { hold: boolean } } }): Attempt {
  try {
    return { ok: true, held: call().places.into.hold };
  } catch (caught) {
    const error = caught as Error & { code?: string };
    return { ok: false, error: { name: error.name, code: error.code, message: error.message } };
  }
}

/** Takes a restore down as a user would (umount -R): the stack at --into, lazily, until nothing is mounted there. */
function takeDown(into: string): void {
  for (;;) {
    try {
      ns.umount(into, { lazy: true });
    } catch {
      return;
    }
  }
}

const script = await readStdin();
const result = await withScratch(async (dir) => {
  const source = join(dir, 'source');
  ns.mkdir(source);
  ns.mount('tmpfs', 'source', source);
  runScenario(ns, script, { cwd: source });
  const topology: Topology = dump(parse(ns.mountinfo()), source);
  const file = join(dir, 'topology.json');
  writeFileSync(file, JSON.stringify(topology));

  execFileSync('mount', ['--make-rshared', '/']);
  const [work, peer] = [join(dir, 'work'), join(dir, 'peer')];
  mkdirSync(work);
  mkdirSync(peer);
  ns.bind(work, peer);
  const beforeAll = ns.mountinfo();
  const peerBefore = view(peer);

  // 1. A restore on the shared host, watched from the peer after every call.
  const places: RestoreOptions = { into: join(work, 'x', 'dst'), staging: join(work, 'staging') };
  const seenAtPeer = new Set<string>();
  const restored = attempt(() => restore(observed(ns, () => view(peer).forEach((line) => seenAtPeer.add(line))), topology, places));
  const peerWhileRestored = view(peer);
  const intoWhileRestored = view(places.into);

  // 2. A second restore into the same --into.
  const twiceBefore = ns.mountinfo();
  const twice = attempt(() => restore(ns, topology, places));
  const twiceChanged = ns.mountinfo() !== twiceBefore;

  // 3. Taken down as a user would: everything as it was, the peer included.
  takeDown(places.into);
  const afterTakeDown = { same: ns.mountinfo() === beforeAll, peer: view(peer) };

  // 4. A restore that fails half-way on the shared host (its external cannot be bound): undone.
  const disk = { parent: null, mountPoint: '/', root: '/', mountOptions: 'rw,relatime', superOptions: 'rw', group: null, master: null, propagateFrom: null, unbindable: false };
  const onADisk = loadTopology({
    schema: 'mount-set-group/topology', version: 1, under: '/',
    mounts: [{ ...disk, id: 1, fsType: 'ext4', source: '/dev/disk', superblock: '8:99' }, { ...disk, id: 2, parent: 1, mountPoint: '/a', fsType: 'tmpfs', source: 't', superblock: '0:99' }],
  });
  const failing = attempt(() => restore(ns, onADisk, { ...places, externals: [{ superblock: '8:99', root: '/', path: join(work, 'no-such-external') }] }));
  const afterFailure = { same: ns.mountinfo() === beforeAll, peer: view(peer) };

  // 5. The CLI on the shared host: the decision in --dry-run, the restore, its second run refused.
  const cliPlaces = ['--into', join(work, 'cli', 'dst'), '--staging', join(work, 'cli-staging')];
  const cli: Record<string, CliRun> = {
    dryRun: await runCli(['restore', file, ...cliPlaces, '--dry-run']),
    restore: await runCli(['restore', file, ...cliPlaces], allowSyscalls),
    again: await runCli(['restore', file, ...cliPlaces], allowSyscalls),
  };
  const peerAfterCli = view(peer);
  takeDown(join(work, 'cli', 'dst'));

  // 6. --into in a slave mount (of a shared tmpfs): held too, nothing reaches the master.
  const master = join(dir, 'master');
  mkdirSync(master);
  ns.mount('tmpfs', 'master', master);
  const slave = join(dir, 'slave');
  mkdirSync(slave);
  ns.bind(master, slave);
  ns.changePropagation(slave, 'slave');
  const masterBefore = view(master);
  const intoSlave = attempt(() => restore(ns, topology, { into: join(slave, 'dst'), staging: join(slave, 'staging') }));
  const masterAfter = view(master);

  // 7. --into in a private mount on the shared host: built in place.
  const privateMount = join(dir, 'private');
  mkdirSync(privateMount);
  ns.mount('tmpfs', 'private', privateMount);
  ns.changePropagation(privateMount, 'private');
  const intoPrivate = attempt(() => restore(ns, topology, { into: join(privateMount, 'dst'), staging: join(privateMount, 'staging') }));
  const privateView = view(join(privateMount, 'dst'));

  return {
    mounts: topology.mounts.length,
    peer, into: places.into,
    peerBefore, seenAtPeer: [...seenAtPeer].sort(), peerWhileRestored, intoWhileRestored,
    restored, twice, twiceChanged, afterTakeDown, failing, afterFailure,
    cli, peerAfterCli,
    intoSlave, masterBefore, masterAfter,
    intoPrivate, privateView,
  };
});
process.stdout.write(JSON.stringify(result));
