// Namespaces and the processes that hold them: booting the initial namespaces, copy_mnt_ns() and
// create_user_ns() for unshare(CLONE_NEWNS | CLONE_NEWUSER), setns() (mntns_install(),
// userns_install()) as nsenter(1) calls it, and a process's exit (exit_fs(),
// exit_task_namespaces(), put_mnt_ns()) — fs/namespace.c, kernel/nsproxy.c, kernel/user_namespace.c.
// Each refusal happens before anything changes.
import { nsCapable, ptraceMayAccess } from './capability.js';
import { CL_COPY_UNBINDABLE, CL_SLAVE, copyTree, lockMntTree } from './clone.js';
import { exitFiles } from './file.js';
import { changeType, putMntNs } from './mounts.js';
import type { Fail } from './namei.js';
import { traverseMounts } from './namei.js';
import { nextMnt } from './tree.js';
import { KernelState } from './kernel-state.js';
import { MNT_RELATIME, type UserNamespace, type KernelVersion, type MntNamespace, type Mount, type Path, type Task } from './types.js';
import type { UnsharePropagation } from '../core/system.js';

/** What the model boots with. */
export interface BootOptions {
  firstMountId: number;
  version: KernelVersion;
  filesystems: ReadonlySet<string>;
  root: { fsType: string; source: string };
  mountMax: number;
}

/** The kernel at boot: the initial user and mount namespaces, a root filesystem, and the first process (pid 1), whose root and working directory are its root. */
export function bootKernel(options: BootOptions): Task {
  const k = new KernelState(options.firstMountId, options.version, options.filesystems);
  k.mountMax = options.mountMax;
  const ns = k.allocMntNs(k.initUserNs);
  const root = k.allocMount(k.allocSuperblock(options.root.fsType, '', false).root, options.root.source, MNT_RELATIME);
  root.ns = ns;
  ns.root = root;
  ns.mounts.add(root);
  const top = { mount: root, dentry: root.root };
  return k.spawnTask(ns, k.initUserNs, top, top);
}

/** The root of a namespace as setns() and chroot("/") find it: the top of the stack on its root directory (LOOKUP_DOWN). */
function namespaceRoot(ns: MntNamespace): Path {
  return traverseMounts({ mount: ns.root, dentry: ns.root.root });
}

/** fork(): a child of `parent` in its namespaces, with its credentials, root and working directory `cwd`. */
function forkTask(parent: Task, cwd: Path): Task {
  return parent.mntNs.kernel.spawnTask(parent.mntNs, parent.userNs, parent.root, cwd);
}

/** Moves `task`'s root and working directory to other mounts, each taking a pin on its new mount and dropping the old. */
function setFsPaths(task: Task, root: Path, cwd: Path): void {
  const k = task.mntNs.kernel;
  k.mntget(root.mount);
  k.mntget(cwd.mount);
  k.mntput(task.root.mount);
  k.mntput(task.cwd.mount);
  task.root = root;
  task.cwd = cwd;
}

/** Moves `task` into mount namespace `ns` (the process count of each follows; an emptied namespace dies). */
function switchMntNs(task: Task, ns: MntNamespace): void {
  const old = task.mntNs;
  ns.users++;
  task.mntNs = ns;
  if (--old.users === 0) putMntNs(old.kernel, old);
}

/**
 * copy_mnt_ns(): a new mount namespace owned by `userNs` holding a copy of every mount of `old`
 * (unbindable ones too), copied depth first, so its mountinfo lists them in tree order with new ids.
 * Copies are peers of their originals, slaves as their originals are — unless `userNs` is not the
 * owner of `old`: then a shared original gets a slave copy (CL_SLAVE), and the copied tree is
 * locked (lock_mnt_tree()). Returns the namespace and the copy of each mount.
 */
function copyMntNs(old: MntNamespace, userNs: UserNamespace): { ns: MntNamespace; copyOf: Map<Mount, Mount> } {
  const k = old.kernel;
  const crossing = userNs !== old.userNs;
  const ns = k.allocMntNs(userNs);
  /* First pass: copy the tree topology */
  const root = copyTree(k, old.root, old.root.root, CL_COPY_UNBINDABLE | (crossing ? CL_SLAVE : 0));
  if (crossing) lockMntTree(root);
  ns.root = root;
  /* Second pass: mark the new mounts as belonging to the new namespace */
  const copyOf = new Map<Mount, Mount>();
  for (let p: Mount | null = old.root, q: Mount | null = root; p !== null && q !== null; p = nextMnt(p, old.root), q = nextMnt(q, root)) {
    q.ns = ns;
    ns.mounts.add(q);
    copyOf.set(p, q);
  }
  return { ns, copyOf };
}

/** What unshare(1) makes new: -m, -U. */
export interface UnshareWhich {
  mount: boolean;
  user: boolean;
}

/**
 * unshare(1) [-m] [-U], run by `parent` in its directory `cwd`: a child process that unshares its
 * user namespace (`user`: create_user_ns(), a child of its own, in which it is root), then its mount
 * namespace (`mount`, owned by its user namespace by then), and then, unless `propagation` is
 * 'unchanged', makes every mount of the new namespace `propagation` (unshare(1)'s mount("none",
 * "/", NULL, MS_REC | flag)). Its root and working directory move to their copies. It never fails:
 * the caller has CAP_SYS_ADMIN in its own user namespace, and owns the new one.
 */
export function unshareTask(parent: Task, cwd: Path, which: UnshareWhich, propagation: UnsharePropagation): Task {
  const child = forkTask(parent, cwd);
  /* unshare(1) --map-root-user: root mapped to the caller, after "deny" written to setgroups */
  if (which.user) child.userNs = child.mntNs.kernel.allocUserNs(child.userNs, false);
  if (!which.mount) return child;
  const { ns, copyOf } = copyMntNs(child.mntNs, child.userNs);
  const moved = (path: Path): Path => ({ mount: copyOf.get(path.mount) ?? path.mount, dentry: path.dentry });
  switchMntNs(child, ns);
  setFsPaths(child, moved(child.root), moved(child.cwd));
  if (propagation !== 'unchanged') changeType(ns.kernel, ns.root, propagation, true);
  return child;
}

/** What nsenter(1) enters of its target's namespaces. */
export interface SetnsWhich {
  mount: boolean;
  user: boolean;
}

/** mntns_install()'s check: setns() into `ns` needs CAP_SYS_ADMIN over its owner (EPERM). */
function mayInstallMntNs(creds: UserNamespace, ns: MntNamespace): boolean {
  return nsCapable(creds, ns.userNs);
}

/** mntns_install(): the process joins `ns`; its root and working directory become the namespace's root. */
function enterMntNs(task: Task, ns: MntNamespace): void {
  const root = namespaceRoot(ns);
  switchMntNs(task, ns);
  setFsPaths(task, root, root);
}

/** userns_install()'s checks: setns() into `target` needs CAP_SYS_ADMIN in it (EPERM), and it may not be the caller's own (EINVAL). */
function checkUsernsInstall(creds: UserNamespace, target: UserNamespace, fail: Fail): void {
  if (target === creds) fail('EINVAL', "setns(CLONE_NEWUSER) into the caller's own user namespace (nsenter -U names a namespace the caller is in already)");
  if (!nsCapable(creds, target)) fail('EPERM', "setns(CLONE_NEWUSER) needs CAP_SYS_ADMIN in the target user namespace, which is not the caller's or below it");
}

/**
 * nsenter(1) -t TARGET [-m] [-U], run by `parent`: a child process (its working directory its
 * parent's root, as the kernel backend starts it) that opens TARGET's namespace files (ptrace
 * access: EACCES; a dead TARGET: ENOENT), then enters them in nsenter's two passes: the mount
 * namespace first with its own credentials, a refusal ignored; then the user namespace, and the
 * mount namespace if the first try was refused, refusals reported; with -U it then drops its
 * supplementary groups (setgroups(2)), which fails (EPERM) where both user namespaces deny it.
 * Entering a mount namespace moves the root and working directory to its root. A refused nsenter
 * leaves nothing behind.
 */
export function setnsTask(parent: Task, target: Task, which: SetnsWhich, fail: Fail): Task {
  if (!target.alive) fail('ENOENT', `no process ${target.pid}: it has exited`);
  if (!ptraceMayAccess(parent, target)) {
    fail('EACCES', `opening /proc/${target.pid}/ns/* needs ptrace access to process ${target.pid}, whose user namespace is not the caller's or below it`);
  }
  let creds = parent.userNs;
  const mountFirst = which.mount && mayInstallMntNs(creds, target.mntNs);
  if (which.user) {
    checkUsernsInstall(creds, target.userNs, fail);
    creds = target.userNs;
  }
  if (which.mount && !mountFirst && !mayInstallMntNs(creds, target.mntNs)) {
    fail('EPERM', "setns(CLONE_NEWNS) needs CAP_SYS_ADMIN over the user namespace that owns the target's mount namespace");
  }
  /* nsenter(1) -U drops supplementary groups with setgroups(2), before and after, and gives up when both fail */
  if (which.user && !parent.userNs.setgroupsAllowed && !target.userNs.setgroupsAllowed) {
    fail('EPERM', "nsenter -U drops supplementary groups with setgroups(2), which both the caller's user namespace and the target's deny (unshare --map-root-user denies it)");
  }
  const child = forkTask(parent, parent.root);
  child.userNs = creds;
  if (which.mount) enterMntNs(child, target.mntNs);
  return child;
}

/**
 * do_exit(): the process ends: its open files are closed (exit_files()), its root and working
 * directory let go (exit_fs()), then its namespaces, the mount namespace dying with its last
 * process (put_mnt_ns()).
 */
export function exitTask(task: Task): void {
  const k = task.mntNs.kernel;
  task.alive = false;
  exitFiles(task);
  k.mntput(task.root.mount);
  k.mntput(task.cwd.mount);
  const ns = task.mntNs;
  if (--ns.users === 0) putMntNs(k, ns);
}
