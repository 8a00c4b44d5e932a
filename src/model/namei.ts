// Path lookup (the part of fs/namei.c the model needs): walk a path one component at a time from
// the process's root, crossing onto whatever is mounted on each directory reached. The root is
// not crossed itself: a mount stacked on "/" is reached by lookup only through where_to_mount().
// Relative paths never reach the model (callers make them absolute).
//
// /proc/PID/root, /proc/PID/cwd and /proc/PID/fd/N are procfs's magic links: the walk jumps to
// that process's root, working directory or open file's place, in whatever mount namespace (a
// detached tree's too), and goes on from there (without crossing what is mounted on the place it
// lands on). The model has no procfs mount; it resolves these links wherever a path starts with
// them, as a /proc mounted in every namespace would.
import { ptraceMayAccess } from './capability.js';
import { dLookup, dMkdir, dMknod } from './dcache.js';
import { fileAt } from './file.js';
import { hasParent, mntIsReadonly } from './predicates.js';
import { lookupMnt } from './tree.js';
import type { Path, Task } from './types.js';

/** How a caller turns a lookup failure into its own error (its syscall, its paths). */
export type Fail = (code: string, reason: string) => never;

/** PATH_MAX: the bytes a path may take, its terminating NUL included (include/uapi/linux/limits.h). */
export const PATH_MAX = 4096;

/** NAME_MAX: the bytes a directory entry's name may take (simple_lookup() refuses a longer one). */
const NAME_MAX = 255;

/** The length of `text` in UTF-8 bytes, as the kernel receives it from Node. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Whether `text` takes more than `limit` bytes in UTF-8 (a UTF-16 unit takes 1 to 3, a pair 4). */
export function longerThan(text: string, limit: number): boolean {
  return text.length > limit || (text.length * 3 > limit && utf8Length(text) > limit);
}

/** getname(): a path that does not fit in PATH_MAX bytes with its NUL is ENAMETOOLONG. */
export function getname(path: string, fail: Fail): void {
  if (longerThan(path, PATH_MAX - 1)) fail('ENAMETOOLONG', `the path is ${utf8Length(path)} bytes long; a path must fit in PATH_MAX (${PATH_MAX}) bytes with its NUL`);
}

/** simple_lookup(): a name that is not there and longer than NAME_MAX is ENAMETOOLONG, not ENOENT. */
function missing(names: readonly string[], count: number, fail: Fail): never {
  if (longerThan(names[count - 1]!, NAME_MAX)) fail('ENAMETOOLONG', `a name in '${walked(names, count)}' is longer than NAME_MAX (${NAME_MAX}) bytes`);
  return fail('ENOENT', `'${walked(names, count)}' does not exist`);
}

/** traverse_mounts(): the root of the topmost mount stacked on `path`, or `path` itself. */
export function traverseMounts(path: Path): Path {
  let { mount, dentry } = path;
  for (let over = lookupMnt(mount, dentry); over !== undefined; over = lookupMnt(mount, dentry)) {
    mount = over;
    dentry = over.root;
  }
  return mount === path.mount ? path : { mount, dentry };
}

/** follow_dotdot(): the parent directory, climbing out of mounts at their roots but never above the root of their namespace. */
function followDotdot(path: Path): Path {
  let { mount, dentry } = path;
  while (dentry === mount.root && hasParent(mount)) {
    dentry = mount.mountpoint!;
    mount = mount.parent!;
  }
  if (dentry.parent === null) return { mount, dentry };
  return traverseMounts({ mount, dentry: dentry.parent });
}

/** The components of `path` that move the walk ("" and "." do not). */
function components(path: string): string[] {
  return path.split('/').filter((name) => name !== '' && name !== '.');
}

/** A path that starts with a magic link of procfs: /proc/PID/root, /proc/PID/cwd or /proc/PID/fd/N, and what follows it. */
const procLink = /^\/+proc\/+(\d+)\/+(root|cwd|fd\/+(\d+))(?=\/|$)(.*)$/s;

/** What a /proc/PID link of `target` leads to: its root, its working directory, or the place its fd N holds (ENOENT: not open). */
function linkTarget(target: Task, which: string, fd: string | undefined, fail: Fail): Path {
  if (which === 'root' || which === 'cwd') return target[which];
  const file = fileAt(target, Number(fd));
  if (file === undefined) fail('ENOENT', `'/proc/${target.pid}/fd/${fd}': process ${target.pid} has no file descriptor ${fd}`);
  return file.path;
}

/** How a reason names what a /proc/PID link leads into. */
const linkWord = (which: string): string => (which === 'root' ? 'root' : which === 'cwd' ? 'working directory' : 'open files');

/**
 * Where a walk starts, and what it walks from there: the process's root, or the root, working
 * directory or open file of the process a /proc/PID link names (ENOENT if there is no such live
 * process or open file, EACCES if the caller may not look into it: ptrace_may_access()).
 */
function startingPoint(task: Task, path: string, fail: Fail): { start: Path; rest: string } {
  const link = procLink.exec(path);
  if (link === null) return { start: task.root, rest: path };
  const [, pid, which, fd, rest] = link as unknown as [string, string, string, string | undefined, string];
  const target = task.mntNs.kernel.tasks.get(Number(pid));
  const shown = `/proc/${pid}/${fd === undefined ? which : `fd/${fd}`}`;
  if (target === undefined || !target.alive) fail('ENOENT', `'${shown}': no process ${pid}`);
  if (!ptraceMayAccess(task, target)) {
    fail('EACCES', `'${shown}' enters another process's ${linkWord(which)}, which needs ptrace access to it (its user namespace is not this process's or below it)`);
  }
  return { start: linkTarget(target, which, fd, fail), rest };
}

/** The shown path of the components walked so far. */
function walked(names: readonly string[], count: number): string {
  return `/${names.slice(0, count).join('/')}`;
}

/** A walk cannot go on from a file: ENOTDIR, naming the components walked so far. */
function notDirectory(names: readonly string[], count: number, fail: Fail): never {
  return fail('ENOTDIR', `'${walked(names, count)}' is a file, not a directory`);
}

/** One step of the walk: into directory `names[i]` of `path` and onto what is mounted there; ENOTDIR from a file. */
function stepInto(path: Path, names: readonly string[], i: number, fail: Fail): Path | undefined {
  if (!path.dentry.isDirectory) notDirectory(names, i, fail);
  const name = names[i]!;
  if (name === '..') return followDotdot(path);
  const dentry = dLookup(path.dentry, name);
  return dentry === undefined ? undefined : traverseMounts({ mount: path.mount, dentry });
}

/** path_lookupat() with LOOKUP_FOLLOW: the place `path` names for `task`, or ENOENT (EACCES through /proc). */
export function lookupPath(task: Task, path: string, fail: Fail): Path {
  if (path === '') fail('ENOENT', 'the path is empty');
  getname(path, fail);
  const { start, rest } = startingPoint(task, path, fail);
  const names = components(rest);
  let place = start;
  for (let i = 0; i < names.length; i++) {
    const next = stepInto(place, names, i, fail);
    if (next === undefined) missing(names, i + 1, fail);
    place = next;
  }
  return place;
}

/**
 * openat2() with RESOLVE_BENEATH (the model has no symbolic links): the place the relative `path`
 * names, walked from `start` (which is not looked through to a mount stacked on it), each
 * component crossed onto what is mounted on it; '..' above `start` is EXDEV, a missing name ENOENT.
 */
export function lookupBeneath(start: Path, path: string, fail: Fail): Path {
  const names = components(path);
  const walkedUp: Path[] = [];
  let place = start;
  for (let i = 0; i < names.length; i++) {
    if (names[i] === '..') {
      const back = walkedUp.pop();
      if (back === undefined) fail('EXDEV', `'${path}' leads out of the directory it is resolved beneath`);
      place = back;
      continue;
    }
    const next = stepInto(place, names, i, fail);
    if (next === undefined) fail('ENOENT', `'${names.slice(0, i + 1).join('/')}' does not exist`);
    walkedUp.push(place);
    place = next;
  }
  return place;
}

/** A directory cannot be created on a read-only mount: EROFS, or ENOENT from a recursive mkdir. */
function readOnly(path: string, recursive: boolean, fail: Fail): never {
  const reason = `'${path}' would be created on a read-only mount`;
  return recursive ? fail('ENOENT', `${reason} (a recursive mkdir reports ENOENT, as Node's does)`) : fail('EROFS', reason);
}

/**
 * mkdir(2), or mkdir -p with `recursive`: EEXIST for an existing directory, ENOENT for a missing
 * parent, EROFS for a new one on a read-only mount (filename_create() asks mnt_want_write() only
 * when the name is free). The recursive form is Node's (the kernel backend's mkdirSync): its
 * stat() after a failed mkdir finds nothing, so a read-only mount makes it ENOENT.
 */
export function makeDirectory(task: Task, path: string, recursive: boolean, fail: Fail): void {
  if (path === '') fail('ENOENT', 'the path is empty');
  getname(path, fail);
  const { start, rest } = startingPoint(task, path, fail);
  const names = components(rest);
  if (names.length === 0 && !recursive) fail('EEXIST', `'${path}' exists`);
  let place = start;
  for (let i = 0; i < names.length; i++) {
    const last = i === names.length - 1;
    const next = stepInto(place, names, i, fail);
    if (next !== undefined) {
      if (last && (!recursive || !next.dentry.isDirectory)) fail('EEXIST', `'${path}' exists`);
      place = next;
    } else if (last || recursive) {
      if (longerThan(names[i]!, NAME_MAX)) missing(names, i + 1, fail);
      if (mntIsReadonly(place.mount)) readOnly(walked(names, i + 1), recursive, fail);
      place = { mount: place.mount, dentry: dMkdir(place.dentry, names[i]!) };
    } else {
      missing(names, i + 1, fail);
    }
  }
}

/**
 * An empty regular file at `path` (mknod S_IFREG, or open O_CREAT|O_EXCL), where a non-directory
 * there already is left as it is: EEXIST for a directory, ENOENT for a missing parent, ENOTDIR for
 * a parent that is a file, EROFS for a new one on a read-only mount.
 */
export function makeFile(task: Task, path: string, fail: Fail): void {
  const { start, rest } = startingPoint(task, path, fail);
  const names = components(rest);
  if (names.length === 0) fail('EEXIST', `'${path}' exists and is a directory`);
  let parent = start;
  for (let i = 0; i < names.length - 1; i++) {
    const next = stepInto(parent, names, i, fail);
    if (next === undefined) missing(names, i + 1, fail);
    parent = next;
  }
  makeFileIn(parent, names, fail);
}

/** The last of `names` made an empty file in `parent`, the place the others lead to (see makeFile). */
export function makeFileIn(parent: Path, names: readonly string[], fail: Fail): void {
  const there = stepInto(parent, names, names.length - 1, fail);
  if (there !== undefined) {
    if (there.dentry.isDirectory) fail('EEXIST', `'${walked(names, names.length)}' exists and is a directory`);
    return;
  }
  if (longerThan(names.at(-1)!, NAME_MAX)) missing(names, names.length, fail);
  if (mntIsReadonly(parent.mount)) fail('EROFS', `'${walked(names, names.length)}' would be created on a read-only mount`);
  dMknod(parent.dentry, names.at(-1)!);
}
