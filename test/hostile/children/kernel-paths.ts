// Test child (runs under unshare -m --propagation private, on a scratch tmpfs): hostile paths and
// fds given to setGroup(), KernelNamespace and the addon itself, each reported as its outcome. Also
// reports every mount outside the scratch directory before and after, which must not change.
import { closeSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MountError } from '../../../src/core/errors.js';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { withScratch } from '../../../src/process/scratch.js';
import { parse } from '../../../src/mountinfo/parse.js';
import * as sys from '../../../src/native/syscalls.js';
import { runScenario } from '../../../src/scenario/run.js';
import { setGroup, type SetGroupMethod } from '../../../src/set-group/set-group.js';

export type Outcome = { ok: true; value?: unknown } | { name: string; code?: string; reason?: string; message: string };

const method = (process.env.MOUNT_SET_GROUP_TEST_METHOD ?? 'auto') as SetGroupMethod;

function outcome(call: () => unknown): Outcome {
  try {
    const value = call();
    return value === undefined ? { ok: true } : { ok: true, value };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const { code, reason } = error as MountError;
    return { name: error.name, code, reason, message: error.message.slice(0, 300) };
  }
}

/** The mounts outside `dir`, as mountinfo lines: what no call here may change. */
function mountsOutside(dir: string): string[] {
  const lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean);
  const entries = parse(`${lines.join('\n')}\n`);
  return lines.filter((_, i) => !`${entries[i]!.mountPoint}/`.startsWith(`${dir}/`));
}

/** `start` followed by '/.' until it is `bytes` long (a '/' makes up an odd byte): still `start`. */
function padded(start: string, bytes: number): string {
  let path = start;
  while (path.length + 2 <= bytes) path += '/.';
  return path.length < bytes ? `${path}/` : path;
}

/** Whether `fd` is still open. */
function isOpen(fd: number): boolean {
  try {
    readFileSync(`/proc/self/fdinfo/${fd}`);
    return true;
  } catch {
    return false;
  }
}

function propagationOf(dir: string, name: string): { shared?: number; master?: number } {
  const entry = parse(readFileSync('/proc/self/mountinfo', 'utf8')).filter((e) => e.mountPoint === join(dir, name)).at(-1);
  return { shared: entry?.shared, master: entry?.master };
}

const result = await withScratch((dir) => {
  const before = mountsOutside(dir);
  const ns = new KernelNamespace({ setGroupMethod: method });
  runScenario(ns, 'mkdir a b c d e\nmount -t tmpfs t a\nmkdir a/sub\nmount --bind a b\nmount --bind a c\nmount --bind a d\nmount --bind a e\nmkdir f g\nmount --bind a f\nmount --bind a g\nmount --make-shared a', { cwd: dir });
  writeFileSync(join(dir, 'file'), '');
  mkdirSync(join(dir, 'plain'));
  symlinkSync('loop', join(dir, 'loop'));
  symlinkSync('ping', join(dir, 'pong'));
  symlinkSync('pong', join(dir, 'ping'));
  symlinkSync('a', join(dir, 'alink'));
  symlinkSync('a/sub', join(dir, 'sublink'));
  symlinkSync('nowhere', join(dir, 'dangling'));
  const b = join(dir, 'b');
  const long = `${dir}/${'x/'.repeat(2100)}`;
  // 4095 bytes that name the mount a, then a 3-byte character: 4098 bytes, which a copy into a
  // 4097-byte buffer used to cut at 4095, passing a path to `a` itself on to the kernel.
  const cutBeforeEuro = `${padded(join(dir, 'a'), 4095)}€`;
  const fileFd = openSync(join(dir, 'file'), 'r');
  const closedFd = sys.openPath(dir);
  const spare = sys.openPath(dir);
  sys.close(closedFd);

  const outcomes = {
    setGroupLongPath: outcome(() => setGroup(long, b, { method })),
    setGroupCutBeforeMultibyte: outcome(() => setGroup(cutBeforeEuro, b, { method })),
    setGroupSymlinkLoop: outcome(() => setGroup(join(dir, 'loop'), b, { method })),
    setGroupSymlinkCycle: outcome(() => setGroup(join(dir, 'ping', 'x'), b, { method })),
    setGroupThroughFinalLink: outcome(() => setGroup(join(dir, 'alink'), join(dir, 'f'), { method })),
    setGroupLinkToNotARoot: outcome(() => setGroup(join(dir, 'sublink'), join(dir, 'g'), { method })),
    setGroupDanglingLink: outcome(() => setGroup(join(dir, 'dangling'), join(dir, 'g'), { method })),
    setGroupThroughFile: outcome(() => setGroup(join(dir, 'file', 'x'), b, { method })),
    setGroupMissing: outcome(() => setGroup(join(dir, 'a'), join(dir, 'nowhere'), { method })),
    setGroupFileAsSource: outcome(() => setGroup(join(dir, 'file'), b, { method })),
    setGroupPlainDirectory: outcome(() => setGroup(join(dir, 'a'), join(dir, 'plain'), { method })),
    setGroupClosedFd: outcome(() => setGroup(join(dir, 'a'), closedFd, { method })),
    setGroupFdNeverOpened: outcome(() => setGroup(2 ** 31 - 1, b, { method })),
    setGroupFdOfFile: outcome(() => setGroup(fileFd, b, { method })),
    setGroupFdOfPipe: outcome(() => setGroup(0, b, { method })),
    setGroupMountForm: outcome(() => setGroup(join(dir, 'a'), join(dir, 'e'), { method: 'mount' })),
    mountLongTarget: outcome(() => ns.mount('tmpfs', 'x', long)),
    mountDataTooLong: outcome(() => ns.mount('tmpfs', 'x', join(dir, 'plain'), { data: `size=1m,${'x'.repeat(5000)}` })),
    mountLongSource: outcome(() => ns.mount('tmpfs', 'x'.repeat(5000), join(dir, 'plain'))),
    mountLongType: outcome(() => ns.mount('x'.repeat(5000), 'x', join(dir, 'plain'))),
    bindLongSource: outcome(() => ns.bind(long, join(dir, 'plain'))),
    bindSymlinkLoop: outcome(() => ns.bind(join(dir, 'loop'), join(dir, 'plain'))),
    bindDirectoryOntoFile: outcome(() => ns.bind(join(dir, 'a'), join(dir, 'file'))),
    mkdirUnderFile: outcome(() => ns.mkdir(join(dir, 'file', 'x'))),
    umountMissing: outcome(() => ns.umount(join(dir, 'nowhere'))),
    umountNotAMount: outcome(() => ns.umount(join(dir, 'plain'))),
    umountSymlinkCycle: outcome(() => ns.umount(join(dir, 'ping'))),
    makeSharedThroughFile: outcome(() => ns.changePropagation(join(dir, 'file', 'x'), 'shared')),
    pinLongPath: outcome(() => ns.pin(long)),
    pinCutBeforeMultibyte: outcome(() => ns.pin(cutBeforeEuro)),
    unpinClosedFd: outcome(() => ns.unpin({ handle: closedFd })),
    addonCloseWrapsNot: outcome(() => sys.addon().close(2 ** 32 + spare)),
    addonCloseNaN: outcome(() => sys.addon().close(Number.NaN)),
    addonCloseFraction: outcome(() => sys.addon().close(spare + 0.5)),
    addonMountFlagsTooWide: outcome(() => sys.addon().mount(null, join(dir, 'plain'), null, 2 ** 40, null)),
    addonMountFlagsNegative: outcome(() => sys.addon().mount(null, join(dir, 'plain'), null, -1, null)),
    addonMountTargetNumber: outcome(() => sys.addon().mount(null, 7 as never, null, 0, null)),
    addonMoveMountObject: outcome(() => sys.addon().moveMountSetGroup({} as never, b)),
    addonOpenPathNul: outcome(() => sys.addon().openPath(`${dir}\0/etc`)),
    addonOpenPathMissing: outcome(() => (sys.addon().openPath as () => number)()),
  };
  const stillOpen = { spare: isOpen(spare), stdin: isOpen(0) };
  const afterHostile = { b: propagationOf(dir, 'b'), e: propagationOf(dir, 'e') };

  process.chdir(dir);
  const relative = {
    setGroup: outcome(() => setGroup('a', 'c', { method })),
    notMountRoot: outcome(() => setGroup('a/sub', 'd', { method })),
    bind: outcome(() => new KernelNamespace().bind('a', 'plain')),
  };
  const afterRelative = { a: propagationOf(dir, 'a'), c: propagationOf(dir, 'c'), plain: propagationOf(dir, 'plain') };
  process.chdir('/');
  closeSync(fileFd);
  sys.close(spare);
  return { dir, outcomes, stillOpen, afterHostile, relative, afterRelative, outsideBefore: before, outsideAfter: mountsOutside(dir) };
});
process.stdout.write(JSON.stringify(result));
