// Test child (runs under unshare -m --propagation private, on a scratch tmpfs that is the only place
// anything could land): restores whose paths would leave --into through symbolic links, on the
// kernel, through the API and the CLI; and a clean restore whose applied steps are compared with
// its --dry-run. Reports outcomes, what landed in the directory the links point at, and the mounts
// outside the scratch before and after.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { withScratch } from '../../../src/process/scratch.js';
import { parse } from '../../../src/mountinfo/parse.js';
import { dump } from '../../../src/restore/dump.js';
import { restore } from '../../../src/restore/restore.js';
import { loadTopology, type Topology, type TopologyMount } from '../../../src/restore/topology.js';
import { runScenario } from '../../../src/scenario/run.js';
import { runCli, type CliRun } from '../support/cli.js';
import { RecordingNamespace } from '../support/recording.js';

export interface Attempt {
  error?: { name: string; code?: string; message: string; cause?: string };
  /** Entries that appeared in the directory the links point at. */
  landed: string[];
  /** Mounts at or under that directory. */
  mountedThere: string[];
  /** Whether the staging directory exists afterwards (a restore refused up front never makes it, a failed one removes it). */
  stagingMade: boolean;
  /** Mounts left under the case's directory (a failed restore undoes every mount it made). */
  leftMounted: string[];
}

function mount(fields: Partial<TopologyMount> & { id: number }): TopologyMount {
  return {
    parent: null, mountPoint: '/', root: '/', fsType: 'tmpfs', source: 't', superblock: '0:1',
    mountOptions: 'rw,relatime', superOptions: 'rw', group: null, master: null, propagateFrom: null, unbindable: false, file: null, ...fields,
  };
}

function topology(mounts: TopologyMount[]): Topology {
  return loadTopology({ schema: 'mount-set-group/topology', version: 2, under: '/', mounts });
}

function mountinfo(): string {
  return readFileSync('/proc/self/mountinfo', 'utf8');
}

function mountPointsUnder(dir: string): string[] {
  return parse(mountinfo()).map((entry) => entry.mountPoint).filter((point) => `${point}/`.startsWith(`${dir}/`));
}

const result = await withScratch(async (dir) => {
  const outsideBefore = parse(mountinfo()).filter((e) => !`${e.mountPoint}/`.startsWith(`${dir}/`)).map((e) => `${e.id} ${e.mountPoint}`);
  const outside = join(dir, 'outside');
  mkdirSync(outside);
  let cases = 0;

  /** One restore on the kernel in a fresh `into` prepared by `prepare`. */
  const attempt = (mounts: TopologyMount[], prepare: (into: string, staging: string) => { into?: string; staging?: string; externals?: { superblock: string; root: string; path: string }[] }): Attempt => {
    const base = join(dir, `case${++cases}`);
    mkdirSync(base);
    const into = join(base, 'into');
    const staging = join(base, 'staging');
    const places = { into, staging, ...prepare(into, staging) };
    let error: Attempt['error'];
    try {
      restore(new KernelNamespace(), topology(mounts), places);
    } catch (caught) {
      const e = caught as Error & { code?: string };
      error = { name: e.name, code: e.code, message: e.message, cause: e.cause instanceof Error ? (e.cause as Error & { code?: string }).code : undefined };
    }
    const result = { error, landed: readdirSync(outside), mountedThere: mountPointsUnder(outside), stagingMade: existsSync(places.staging), leftMounted: mountPointsUnder(base) };
    for (const point of result.leftMounted.reverse()) new KernelNamespace().umount(point, { lazy: true });
    return result;
  };

  const twoTmpfs = [mount({ id: 1 }), mount({ id: 2, parent: 1, mountPoint: '/a', superblock: '0:2' })];
  /** Mounts hanging from --into itself (no mount at '/'): --into must not hold their first names. */
  const hanging = (mountPoint: string) => [mount({ id: 2, mountPoint, superblock: '0:2' })];
  const attempts = {
    linkInsideInto: attempt(hanging('/a'), (into) => {
      mkdirSync(into);
      symlinkSync(outside, join(into, 'a'));
      return {};
    }),
    relativeLinkDeeper: attempt(hanging('/x/y'), (into) => {
      mkdirSync(into);
      symlinkSync('../../outside', join(into, 'x'));
      return {};
    }),
    linkUnderTheRestoredRoot: attempt(twoTmpfs, (into) => {
      mkdirSync(into);
      symlinkSync(outside, join(into, 'a'));
      return {};
    }),
    intoIsALink: attempt(twoTmpfs, (into) => {
      symlinkSync(outside, into);
      return {};
    }),
    stagingThroughALink: attempt(twoTmpfs, (into, staging) => {
      mkdirSync(into);
      symlinkSync(outside, `${staging}-link`);
      return { staging: join(`${staging}-link`, 'staging') };
    }),
    linkBroughtInByAnExternalBind: attempt(
      [mount({ id: 1, fsType: 'ext4', source: '/dev/disk', superblock: '8:1' }), mount({ id: 2, parent: 1, mountPoint: '/s', superblock: '0:2' })],
      (into, staging) => {
        mkdirSync(into);
        const external = join(staging, '..', 'external');
        mkdirSync(external);
        symlinkSync('../outside', join(external, 's'));
        return { externals: [{ superblock: '8:1', root: '/', path: external }] };
      },
    ),
  };

  // The same planted link through the CLI: a dry run and a real run on the kernel both refuse it.
  const cliBase = join(dir, 'cli');
  mkdirSync(join(cliBase, 'into'), { recursive: true });
  symlinkSync(outside, join(cliBase, 'into', 'a'));
  const planted = join(cliBase, 'planted.json');
  writeFileSync(planted, JSON.stringify(topology(hanging('/a'))));
  const cliPlaces = ['--into', join(cliBase, 'into'), '--staging', join(cliBase, 'staging')];
  const allowSyscalls = { env: { MOUNT_SET_GROUP_NO_SYSCALLS: '' } };
  const cli: Record<string, CliRun> = {
    dryRun: await runCli(['restore', planted, ...cliPlaces, '--dry-run']),
    kernel: await runCli(['restore', planted, ...cliPlaces, '--backend', 'kernel'], allowSyscalls),
    kernelJson: await runCli(['restore', planted, ...cliPlaces, '--backend', 'kernel', '--json'], allowSyscalls),
  };
  const afterCli = { landed: readdirSync(outside), mountedThere: mountPointsUnder(outside) };

  // A clean restore: the steps applied on the kernel are the steps --dry-run prints.
  const ns = new KernelNamespace();
  const src = join(dir, 'clean', 'src');
  ns.mkdir(src, { recursive: true });
  ns.mount('tmpfs', 'clean', src);
  const built = runScenario(ns, process.argv[2]!, { cwd: src });
  const dumped = dump(parse(mountinfo()), src);
  const file = join(dir, 'clean', 'topology.json');
  writeFileSync(file, JSON.stringify(dumped));
  const [into, staging] = [join(dir, 'clean', 'into'), join(dir, 'clean', 'staging')];
  const dryRun = await runCli(['restore', file, '--into', into, '--staging', staging, '--dry-run']);
  ns.mkdir(into);
  const recorder = new RecordingNamespace(ns);
  restore(recorder, loadTopology(dumped), { into, staging });
  const cliInto = join(dir, 'clean', 'cli-into');
  ns.mkdir(cliInto);
  const cliRestore = await runCli(['restore', file, '--into', cliInto, '--staging', `${staging}2`, '--backend', 'kernel', '--json'], allowSyscalls);

  const outsideAfter = parse(mountinfo()).filter((e) => !`${e.mountPoint}/`.startsWith(`${dir}/`)).map((e) => `${e.id} ${e.mountPoint}`);
  return {
    attempts, cli, afterCli,
    clean: { failures: built.failures.length, dryRun, applied: recorder.calls, cliRestore },
    outsideBefore, outsideAfter,
  };
});
process.stdout.write(JSON.stringify(result));
