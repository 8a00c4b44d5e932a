// Test child (runs under unshare -m --propagation private): a real runc container, and what the
// command line does with it. Everything lives on the scratch tmpfs: a shared directory S (as
// systemd makes a host's /) holding the bundle (a busybox-static rootfs), runc's state and the
// container's volumes — /data (an rbind of the tmpfs S/vol), and, as `docker -v` makes them from
// plain paths of a host filesystem (the shared tmpfs S/conf), /etc/app.conf (a file) and /srv (a
// directory), all rprivate — and a private place for restores.
//
// Reports, as JSON: whether runc could start a container here (and if not, why); attach and detach
// end to end (what `runc exec` reads in the volumes), two attaches at once, file and plain-directory
// volumes; the container's dump; restores of it — refused without the externals and ties it needs,
// exact with them on the kernel and on a model host, and after the container is gone — with what
// the host's /sys/fs/cgroup, /sys and /proc held before and after them; and whether the
// container's own mountinfo changed.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { attach, detach } from '../../../src/attach/index.js';
import { parse } from '../../../src/mountinfo/parse.js';
import { withScratch } from '../../../src/process/scratch.js';
import { externalOption, externalsIn, tiesIn } from '../../../src/restore/externals.js';
import type { External, Tie } from '../../../src/restore/plan.js';
import { restore } from '../../../src/restore/restore.js';
import { loadTopology, type Topology } from '../../../src/restore/topology.js';
import { modelHost } from '../../support/model-host.js';
import { outcome, type Outcome } from '../../kernel/children/attach-support.js';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Snapshot {
  cgroup: string[];
  sys: string[];
  proc: string[];
}

export interface RuncSession {
  /** Why runc could not start a container here; the rest is absent then. */
  cannotStart?: string;
  name: string;
  pid: number;
  /** The container's mountinfo when it had started. */
  mountinfo: string;
  attach: Run;
  /** What `runc exec cat` read of a file on a host mount made under the source after attach. */
  readAfterAttach: Run;
  detach: Run;
  /** The same for a host mount made after detach (it must not arrive). */
  readAfterDetach: Run;
  /** Two attaches of /data at once (API, caller route), and the detach after them. */
  concurrent: [Outcome<unknown>, Outcome<unknown>];
  detachConcurrent: Outcome<unknown>;
  /** A file volume bound from a plain file of S/conf: attach naming the file (refused), naming S/conf, and what the container reads after a file is mounted on the host's file. */
  fileByPath: Run;
  file: Run;
  readFile: Run;
  /** A directory volume bound from a plain directory of S/conf, likewise, with a host mount made under the directory. */
  directoryByPath: Run;
  directory: Run;
  readDirectory: Run;
  conf: string;
  dump: Run;
  topology: Topology;
  /** Restores: a dry run without externals or ties, one with them, the restore itself. */
  dryRunBare: Run;
  dryRun: Run;
  restore: Run;
  /** The restored mounts, dumped from this namespace. */
  restored: Topology;
  externals: External[];
  ties: Tie[];
  model: { ok: true; mountCalls: number } | { ok: false; error: string };
  /** What the host held around the restores, and the container's mountinfo before and after them. */
  before: Snapshot;
  after: Snapshot;
  mountinfoBefore: string;
  mountinfoAfter: string;
  /** After runc delete: a restore of the same dump, with the same externals. */
  restoreGone: Run;
  afterGone: Snapshot;
  /** Paths under the cgroup hierarchies named after the container, after it is gone and its dump restored. */
  cgroupsLeft: string[];
}

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const main = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

const run = (command: string, args: readonly string[]): Run => {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? (result.error?.message ?? '') };
};
const cli = (...args: string[]): Run => run(process.execPath, ['--import', tsx, main, ...args]);
const sh = (command: string, ...args: string[]): string => execFileSync(command, args, { encoding: 'utf8' });

/** The applets the tests use, as symlinks to a static busybox. */
const applets = ['sh', 'sleep', 'cat', 'ls', 'test', 'true'];

function makeBundle(bundle: string, volume: string, conf: string): void {
  const rootfs = join(bundle, 'rootfs');
  for (const dir of ['bin', 'data', 'proc', 'dev', 'sys', 'etc', 'tmp']) mkdirSync(join(rootfs, dir), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  for (const applet of applets) symlinkSync('busybox', join(rootfs, 'bin', applet));
  sh('runc', 'spec', '--bundle', bundle);
  const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
  config.process.terminal = false;
  config.process.args = ['sleep', '600']; // a container left behind by a crash ends by itself
  config.mounts.push(
    { destination: '/data', type: 'bind', source: volume, options: ['rbind', 'rprivate'] },
    { destination: '/etc/app.conf', type: 'bind', source: join(conf, 'app.conf'), options: ['rbind', 'rprivate'] },
    { destination: '/srv', type: 'bind', source: join(conf, 'dir'), options: ['rbind', 'rprivate'] },
  );
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config, null, 2));
}

/** Directories of the host's cgroup hierarchies (three levels), /sys (two) and /proc's non-process entries. */
function snapshot(): Snapshot {
  const walk = (dir: string, depth: number): string[] => {
    if (depth === 0) return [];
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    return names.flatMap((name) => [join(dir, name), ...walk(join(dir, name), depth - 1)]);
  };
  const hierarchies = parse(readFileSync('/proc/self/mountinfo', 'utf8')).filter((e) => /^cgroup2?$/.test(e.fsType) && e.mountPoint.startsWith('/sys/fs/cgroup'));
  return {
    cgroup: hierarchies.flatMap((e) => walk(e.mountPoint, 3)).sort(),
    sys: walk('/sys', 2).sort(),
    proc: readdirSync('/proc').filter((name) => !/^\d+$/.test(name)).sort(),
  };
}

const result = await withScratch(async (dir): Promise<RuncSession | { cannotStart: string }> => {
  if (!existsSync('/bin/busybox')) return { cannotStart: 'busybox-static is not installed (/bin/busybox)' };
  const shared = join(dir, 'S');
  const place = join(dir, 'place');
  mkdirSync(shared);
  mkdirSync(place);
  sh('mount', '-t', 'tmpfs', 'host', shared);
  sh('mount', '--make-shared', shared);
  const volume = join(shared, 'vol');
  const bundle = join(shared, 'bundle');
  const state = join(shared, 'state');
  const conf = join(shared, 'conf');
  mkdirSync(volume);
  sh('mount', '-t', 'tmpfs', 'volume', volume);
  mkdirSync(conf);
  sh('mount', '-t', 'tmpfs', 'conf', conf);
  mkdirSync(join(conf, 'dir'));
  writeFileSync(join(conf, 'app.conf'), 'version 1\n');
  writeFileSync(join(conf, 'app-2.conf'), 'version 2\n');
  makeBundle(bundle, volume, conf);

  const name = `mount-set-group-test-${process.pid}`;
  const runc = (...args: string[]) => run('runc', ['--root', state, ...args]);
  const started = runc('run', '-d', '--bundle', bundle, '--pid-file', join(shared, 'pid'), name);
  if (started.status !== 0) return { cannotStart: `runc run failed (${started.status}): ${started.stderr.trim()}` };
  let gone = false;
  const removeContainer = () => {
    if (gone) return;
    runc('kill', name, 'KILL');
    for (let i = 0; i < 50 && runc('delete', name).status !== 0; i++) spawnSync('sleep', ['0.1']);
    gone = true;
  };
  try {
    const pid = Number(readFileSync(join(shared, 'pid'), 'utf8'));
    const mountinfo = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');

    // attach and detach, end to end (the target spelled the long way: it is echoed normalized)
    const attached = cli('attach', String(pid), `${volume}/`, '/data/../data');
    mkdirSync(join(volume, 'new'));
    sh('mount', '-t', 'tmpfs', 'arrives', join(volume, 'new'));
    writeFileSync(join(volume, 'new', 'hello'), 'hello from the host\n');
    const readAfterAttach = runc('exec', name, 'cat', '/data/new/hello');
    const detached = cli('detach', String(pid), '/data');
    mkdirSync(join(volume, 'late'));
    sh('mount', '-t', 'tmpfs', 'late', join(volume, 'late'));
    writeFileSync(join(volume, 'late', 'hello'), 'too late\n');
    const readAfterDetach = runc('exec', name, 'cat', '/data/late/hello');
    const concurrent = await Promise.all([outcome(() => attach({ pid, source: volume, target: '/data', via: 'caller' })), outcome(() => attach({ pid, source: volume, target: '/data', via: 'caller' }))]);
    const detachConcurrent = await outcome(() => detach({ pid, target: '/data' }));

    // volumes bound from a plain file and a plain directory: attached with the mount that holds them
    const fileByPath = cli('attach', String(pid), join(conf, 'app.conf'), '/etc/app.conf');
    const fileVolume = cli('attach', String(pid), conf, '/etc/app.conf');
    sh('mount', '--bind', join(conf, 'app-2.conf'), join(conf, 'app.conf'));
    const readFile = runc('exec', name, 'cat', '/etc/app.conf');
    const directoryByPath = cli('attach', String(pid), join(conf, 'dir'), '/srv');
    const directoryVolume = cli('attach', String(pid), conf, '/srv');
    mkdirSync(join(conf, 'dir', 'new'));
    sh('mount', '-t', 'tmpfs', 'arrives', join(conf, 'dir', 'new'));
    writeFileSync(join(conf, 'dir', 'new', 'hello'), 'hello in /srv\n');
    const readDirectory = runc('exec', name, 'cat', '/srv/new/hello');

    // dump, and restores of the dump
    const file = join(place, 'container.json');
    const dump = cli('dump', '--pid', String(pid), '-o', file);
    const topology = loadTopology(JSON.parse(readFileSync(file, 'utf8')));
    const into = join(place, 'into');
    const staging = join(place, 'staging');
    const external = join(place, 'external');
    for (const fsDir of ['sys', 'mqueue']) mkdirSync(join(external, fsDir), { recursive: true });
    // the container's sysfs and mqueue are its network and IPC namespaces' own: mounted from inside them
    sh('nsenter', `--net=/proc/${pid}/ns/net`, 'mount', '-t', 'sysfs', '-o', 'ro,nosuid,nodev,noexec', 'sysfs', join(external, 'sys'));
    sh('nsenter', `--ipc=/proc/${pid}/ns/ipc`, 'mount', '-t', 'mqueue', '-o', 'nosuid,nodev,noexec', 'mqueue', join(external, 'mqueue'));
    const externals = externalsIn(parse(readFileSync('/proc/self/mountinfo', 'utf8')), topology, [shared, into, staging]);
    // the live groups the container's mounts are slaves of: S's (its root), S/conf's (the volumes bound from it), and those of host mounts that reached it
    const ties = tiesIn(parse(readFileSync('/proc/self/mountinfo', 'utf8')), topology, [into, staging]);
    const named = [...externals.flatMap((e) => externalOption(e).split(' ')), ...ties.flatMap((t) => ['--tie', `${t.group}=${t.path}`])];
    const places = ['--into', into, '--staging', staging];

    const before = snapshot();
    const mountinfoBefore = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    const dryRunBare = cli('restore', file, ...places, '--dry-run');
    const dryRun = cli('restore', file, ...places, ...named, '--dry-run');
    mkdirSync(into);
    const restored = cli('restore', file, ...places, ...named);
    const restoredTopology = JSON.parse(cli('dump', '--under', into).stdout) as Topology;
    const after = snapshot();
    const mountinfoAfter = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    run('umount', ['-R', into]);

    let model: RuncSession['model'];
    try {
      const host = modelHost(topology, externals, ties);
      host.mkdir(into, { recursive: true });
      model = { ok: true, mountCalls: restore(host, topology, { into, staging, externals, ties, superOptions: 'rw' }).counts.mountCalls };
    } catch (error) {
      model = { ok: false, error: (error as Error).message };
    }

    removeContainer();
    const restoreGone = cli('restore', file, ...places, ...named);
    const afterGone = snapshot();
    const cgroupsLeft = afterGone.cgroup.filter((path) => path.includes(name));
    return {
      name, pid, mountinfo, attach: attached, readAfterAttach, detach: detached, readAfterDetach, concurrent, detachConcurrent,
      fileByPath, file: fileVolume, readFile, directoryByPath, directory: directoryVolume, readDirectory, conf, dump, topology,
      dryRunBare, dryRun, restore: restored, restored: restoredTopology, externals, ties, model,
      before, after, mountinfoBefore, mountinfoAfter, restoreGone, afterGone, cgroupsLeft,
    };
  } finally {
    removeContainer();
    sh('mount', '--make-rprivate', shared); // so that tearing down the scratch unmounts no peer (design.md)
  }
});
process.stdout.write(JSON.stringify(result));

