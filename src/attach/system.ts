// attach and detach on any MountSystem: the model's, to rehearse an attach before touching a real
// container, or the kernel's (its processes real holders and agents). The same two steps as
// attach(): set-group of the container's volume into the source's peer group, made by the system's
// first process (the caller) through /proc/PID/root, then, in 'slave' mode, make-slave in the
// container's own namespace (the kernel changes a mount's propagation only from its namespace), by
// a process that enters it (nsenter -m); the first step undone when the second fails. detach makes
// the volume and everything below it private again, from inside. The refusals are the backend's,
// with its reasons (the model's explain them as set explains the kernel's).
import type { MountProcess, MountSystem } from '../core/system.js';
import { parse } from '../mountinfo/parse.js';
import type { MountInfo } from '../mountinfo/types.js';
import { validateAttachOptions, validateDetachOptions, type AttachMode } from './arguments.js';

export interface SystemAttachOptions {
  /** The root of a shared mount of the caller's (the system's first process's) namespace. */
  source: string;
  /** The volume: an absolute path in the container's namespace, the root of a private mount there. */
  target: string;
  /** 'slave' (default): the caller's namespace -> container only; 'shared': both ways. */
  mode?: AttachMode;
}

/** The mount the container sees at `target` now (the topmost there). */
function volumeAt(container: MountProcess, target: string): MountInfo | undefined {
  return parse(container.mountinfo()).filter((entry) => entry.mountPoint === target).at(-1);
}

/** Runs `body` as a process in `container`'s mount namespace (the caller's credentials), ended after. */
function inside<T>(system: MountSystem, container: MountProcess, body: (shell: ReturnType<MountSystem['nsenter']>) => T): T {
  const shell = system.nsenter(system.init, container, { mount: true, user: false });
  try {
    return body(shell);
  } finally {
    system.kill(shell);
  }
}

/** attach() on `system`: the volume at `target` in `container` joins the group of `source` (and, in 'slave' mode, becomes its slave). */
export function attachOn(system: MountSystem, container: MountProcess, options: SystemAttachOptions): { volume: MountInfo | undefined } {
  validateAttachOptions({ pid: container.pid, ...options });
  const { source, target, mode = 'slave' } = options;
  system.init.setGroup(source, `/proc/${container.pid}/root${target}`);
  if (mode === 'slave') {
    inside(system, container, (shell) => {
      try {
        shell.changePropagation(target, 'slave');
      } catch (error) {
        shell.changePropagation(target, 'private');
        throw error;
      }
    });
  }
  return { volume: volumeAt(container, target) };
}

/** detach() on `system`: the volume at `target` in `container`, and everything below it, private again. */
export function detachOn(system: MountSystem, container: MountProcess, options: { target: string }): { volume: MountInfo | undefined } {
  validateDetachOptions({ pid: container.pid, ...options });
  inside(system, container, (shell) => shell.changePropagation(options.target, 'private', { recursive: true }));
  return { volume: volumeAt(container, options.target) };
}
