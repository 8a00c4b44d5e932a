// What a process may do to namespaces and to other processes, as capabilities decide it
// (kernel/capability.c ns_capable(), security/commoncap.c cap_capable() and
// cap_ptrace_access_check(), kernel/ptrace.c ptrace_may_access()). Every process of the model is
// root (uid 0, mapped to 0 everywhere) with every capability in its own user namespace, so what it
// may do depends on user namespaces alone.
import type { MntNamespace, Task, UserNamespace } from './types.js';

/**
 * ns_capable(target, CAP_*): a process whose credentials are in `caller` has the capability over
 * `target` when `target` is `caller` or lies below it (cap_capable(): the owner of a child user
 * namespace, root here, has every capability in it and in its descendants).
 */
export function nsCapable(caller: UserNamespace, target: UserNamespace): boolean {
  for (let ns: UserNamespace | null = target; ns !== null && ns.level >= caller.level; ns = ns.parent) {
    if (ns === caller) return true;
  }
  return false;
}

/** may_mount(): the caller has CAP_SYS_ADMIN over the user namespace that owns its own mount namespace. */
export function mayMount(task: Task): boolean {
  return nsCapable(task.userNs, task.mntNs.userNs);
}

/** ns_capable(ns->user_ns, CAP_SYS_ADMIN) for a mount namespace `ns` (may_change_propagation(), setns()). */
export function capableOverMntNs(task: Task, ns: MntNamespace): boolean {
  return nsCapable(task.userNs, ns.userNs);
}

/**
 * ptrace_may_access(target, PTRACE_MODE_READ_FSCREDS), which /proc/PID/root, /proc/PID/cwd and
 * /proc/PID/ns/* ask: same uid on both sides, so cap_ptrace_access_check() decides: the target's
 * credentials are in the caller's user namespace, or the caller has CAP_SYS_PTRACE over theirs.
 */
export function ptraceMayAccess(caller: Task, target: Task): boolean {
  return nsCapable(caller.userNs, target.userNs);
}
