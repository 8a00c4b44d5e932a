// Test child, the "host" of the attach suite (runs under unshare -m --propagation private): makes
// shared tmpfs sources on its scratch directory, starts "containers" (attach-support.ts) with
// volumes bound from them, and runs attach/detach against them with the route given as argv[2]
// ('caller' or 'nsenter'). Prints what the kernel's mountinfo shows on both sides, as JSON.
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { attach, detach, probeForeignPropagation, type Via } from '../../../src/attach/index.js';
import { withScratch } from '../../../src/process/scratch.js';
import { readMountinfo } from '../../../src/process/read-mountinfo.js';
import type { MountInfo } from '../../../src/mountinfo/types.js';
import * as sys from '../../../src/native/syscalls.js';
import { outcome, startContainer, type Container } from './attach-support.js';

const via = process.argv[2] as Via;
const tsx = createRequire(import.meta.url).resolve('tsx');
const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** The mounts at or below `path` in process `pid`'s view. */
function under(pid: number | 'self', path: string): MountInfo[] {
  return readMountinfo(pid).filter((entry) => entry.mountPoint === path || entry.mountPoint.startsWith(`${path}/`));
}

/** Runs a module of this directory with Node (and tsx), as `prefix` says (e.g. under unshare -Ur). */
function runModule(prefix: string[], name: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const [command, ...rest] = [...prefix, process.execPath, '--import', tsx, here(name), ...args] as [string, ...string[]];
  const run = spawnSync(command, rest, { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const result = await withScratch(async (dir) => {
  const { MS_SHARED } = sys.addon().constants;
  const containers: Container[] = [];
  let count = 0;
  /** A tmpfs at dir/name, made shared unless `private`. */
  const source = (name: string, shared = true) => {
    const path = `${dir}/${name}`;
    mkdirSync(path);
    sys.mount(name, path, 'tmpfs', 0, null);
    if (shared) sys.changePropagation(path, MS_SHARED);
    return path;
  };
  const hostMount = (path: string, name: string) => {
    mkdirSync(path, { recursive: true });
    sys.mount(name, path, 'tmpfs', 0, null);
  };
  const container = async (from: string, options: { rootless?: boolean } = {}) => {
    const started = await startContainer(`${dir}/rootfs-${++count}`, from, options);
    containers.push(started);
    return started;
  };

  // Slave: a host mount under the source reaches the container; a container mount does not come back.
  const slaveSource = source('slave');
  const slave = await container(slaveSource);
  const slaveAttach = await outcome(() => attach({ pid: slave.pid, source: slaveSource, target: '/data', via }));
  hostMount(`${slaveSource}/from-host`, 'from-host');
  const slaveInner = await slave.run('mkdir -p /data/from-container && mount -t tmpfs from-container /data/from-container');
  const attachedTwice = await outcome(() => attach({ pid: slave.pid, source: slaveSource, target: '/data', via }));

  // Shared: both ways.
  const sharedSource = source('shared');
  const shared = await container(sharedSource);
  const sharedAttach = await outcome(() => attach({ pid: shared.pid, source: sharedSource, target: '/data', mode: 'shared', via }));
  hostMount(`${sharedSource}/from-host`, 'from-host');
  const sharedInner = await shared.run('mkdir -p /data/from-container && mount -t tmpfs from-container /data/from-container');

  // Detach: mounts made after it, even below an earlier propagated mount, stay on the host.
  const detachSource = source('detach');
  const detached = await container(detachSource);
  const detachAttach = await outcome(() => attach({ pid: detached.pid, source: detachSource, target: '/data', via }));
  hostMount(`${detachSource}/before`, 'before');
  const detachResult = await outcome(() => detach({ pid: detached.pid, target: '/data', via }));
  hostMount(`${detachSource}/after`, 'after');
  hostMount(`${detachSource}/before/nested`, 'nested');

  // Refusals, each leaving the volume as it was.
  const refuseSource = source('refuse');
  mkdirSync(`${refuseSource}/sub`);
  symlinkSync('/', `${refuseSource}/escape`);
  const refuse = await container(refuseSource);
  const privateSource = source('private', false);
  const privateContainer = await container(privateSource);
  const gone = spawnSync('true').pid!;
  const refusals = {
    targetNotVolume: await outcome(() => attach({ pid: refuse.pid, source: refuseSource, target: '/data/sub', via })),
    targetMissing: await outcome(() => attach({ pid: refuse.pid, source: refuseSource, target: '/nowhere', via })),
    argumentsSwapped: await outcome(() => attach({ pid: refuse.pid, source: '/data', target: refuseSource, via })),
    targetLinkToRoot: await outcome(() => attach({ pid: refuse.pid, source: refuseSource, target: '/data/escape', via })),
    differentFilesystems: await outcome(() => attach({ pid: refuse.pid, source: refuseSource, target: '/other', via })),
    sourceNotMountRoot: await outcome(() => attach({ pid: refuse.pid, source: `${refuseSource}/sub`, target: '/data', via })),
    sourceNotShared: await outcome(() => attach({ pid: privateContainer.pid, source: privateSource, target: '/data', via })),
    processGone: await outcome(() => attach({ pid: gone, source: refuseSource, target: '/data', via })),
    detachNotVolume: await outcome(() => detach({ pid: refuse.pid, target: '/data/sub', via })),
    detachProcessGone: await outcome(() => detach({ pid: gone, target: '/data', via })),
  };

  // Symbolic links mean the same to the checks and to the calls: one resolution, used by both. The
  // source's link is followed as mount(8) follows it; the target's inside the container's root.
  const linkedSource = source('linked');
  symlinkSync(linkedSource, `${dir}/srclink`);
  const linked = await container(linkedSource);
  symlinkSync('data', `${dir}/rootfs-${count}/rellink`);
  symlinkSync('/data/sub', `${dir}/rootfs-${count}/sublink`);
  mkdirSync(`${linkedSource}/sub`);
  const links = {
    attachThroughSourceLink: await outcome(() => attach({ pid: linked.pid, source: `${dir}/srclink`, target: '/data', via })),
    detachThroughTargetLink: await outcome(() => detach({ pid: linked.pid, target: '/rellink', via })),
    attachThroughTargetLink: await outcome(() => attach({ pid: linked.pid, source: linkedSource, target: '/rellink', via })),
    targetLinkToNotAVolume: await outcome(() => detach({ pid: linked.pid, target: '/sublink', via })),
  };

  // A rootless container (its own user namespace): 'shared' refused, 'slave' works.
  const rootlessSource = source('rootless');
  const rootless = await container(rootlessSource, { rootless: true });
  const rootlessShared = await outcome(() => attach({ pid: rootless.pid, source: rootlessSource, target: '/data', mode: 'shared', via }));
  const rootlessSlave = await outcome(() => attach({ pid: rootless.pid, source: rootlessSource, target: '/data', via }));
  hostMount(`${rootlessSource}/from-host`, 'from-host');

  // Callers without the privilege: root without CAP_SYS_ADMIN, and root of a user namespace of its own.
  const unprivilegedSource = source('unprivileged');
  const unprivileged = await container(unprivilegedSource);
  const request = JSON.stringify({ pid: unprivileged.pid, source: unprivilegedSource, target: '/data', via });
  const withoutSysAdmin = runModule(['setpriv', '--bounding-set', '-sys_admin', '--'], 'attach-attempt.ts', [request]);
  const inUserNamespace = runModule(['unshare', '-Ur'], 'attach-attempt.ts', [request]);

  // 'auto' takes the route the probe allows.
  const autoSource = source('auto');
  const auto = await container(autoSource);
  const autoAttach = await outcome(() => attach({ pid: auto.pid, source: autoSource, target: '/data', via: 'auto' }));

  // A volume of this very namespace: attach works the same (the route has no foreign mount to change).
  const ownSource = source('own');
  mkdirSync(`${dir}/own-volume`);
  sys.mount(ownSource, `${dir}/own-volume`, null, sys.addon().constants.MS_BIND, null);
  sys.changePropagation(`${dir}/own-volume`, sys.addon().constants.MS_PRIVATE);
  const ownAttach = await outcome(() => attach({ pid: process.pid, source: ownSource, target: `${dir}/own-volume`, via }));
  hostMount(`${ownSource}/from-source`, 'from-source');

  // The helper refuses to act outside the namespace it was meant for.
  const strayHelper = runModule([], '../../../src/attach/enter-child.ts', ['mnt:[1]', `${dir}/slave`]);

  // The CLI, end to end.
  const cliSource = source('cli');
  const cliContainer = await container(cliSource);
  const cli = (args: string[]) => runModule([], 'attach-cli.ts', args);
  const cliRuns = {
    attach: cli(['attach', String(cliContainer.pid), cliSource, '/data', '--via', via, '--json']),
    again: cli(['attach', String(cliContainer.pid), cliSource, '/data', '--via', via]),
    detach: cli(['detach', String(cliContainer.pid), '/data', '--via', via]),
    badPid: cli(['attach', 'x1', cliSource, '/data']),
    badMode: cli(['attach', String(cliContainer.pid), cliSource, '/data', '--mode', 'both']),
  };

  const views = {
    slave: { host: under('self', slaveSource), container: under(slave.pid, '/data') },
    shared: { host: under('self', sharedSource), container: under(shared.pid, '/data') },
    detach: { host: under('self', detachSource), container: under(detached.pid, '/data') },
    refuse: { container: under(refuse.pid, '/data'), other: under(refuse.pid, '/other') },
    rootless: { host: under('self', rootlessSource), container: under(rootless.pid, '/data') },
    unprivileged: { container: under(unprivileged.pid, '/data') },
    cli: { container: under(cliContainer.pid, '/data') },
    own: { host: under('self', ownSource), volume: under('self', `${dir}/own-volume`) },
    linked: { host: under('self', linkedSource), container: under(linked.pid, '/data') },
  };
  for (const started of containers) started.stop();
  return {
    dir,
    probe: probeForeignPropagation(),
    slaveAttach, slaveInner, attachedTwice,
    sharedAttach, sharedInner,
    detachAttach, detachResult,
    refusals,
    links,
    rootlessShared, rootlessSlave,
    withoutSysAdmin,
    inUserNamespace,
    autoAttach,
    ownAttach,
    strayHelper,
    cli: cliRuns,
    views,
  };
});
process.stdout.write(JSON.stringify(result));
