// Scenarios with detached trees (MountNamespace.cloneDetached and attachAt: open_tree(OPEN_TREE_CLONE)
// and move_mount(2) on the kernel) crossing mount namespaces through /proc/PID/fd/N, written as
// calls on any MountSystem so that the same steps run on the kernel (test/model/children/detached.ts,
// in a child with its own private namespace) and on the model. The scenario language has no fds.
import { MountError } from '../../../src/core/errors.js';
import type { MountHandle } from '../../../src/core/namespace.js';
import type { MountProcess, MountShell, MountSystem } from '../../../src/core/system.js';

/** What steps act on: the system, a path maker under the scenario's directory, and the processes and handles made so far, by name. */
export interface DetachedContext {
  system: MountSystem;
  at: (relative: string) => string;
  /** Holders of namespaces (unshare), by name; `host` is the system's first process. */
  holders: Map<string, MountProcess>;
  /** Processes that make calls: `host`, and agents nsenter started, by name. */
  shells: Map<string, MountShell>;
  /** Handles, by name, with the process holding each. */
  handles: Map<string, { shell: MountShell; handle: MountHandle }>;
}

export type DetachedStep = [label: string, run: (c: DetachedContext) => void];

/** What a step did: 'ok', or the errno name of its refusal. */
export type StepResult = string;

const shell = (c: DetachedContext, name: string): MountShell => c.shells.get(name)!;

const mkdir = (...paths: string[]): DetachedStep => [`mkdir ${paths.join(' ')}`, (c) => paths.forEach((p) => c.system.init.mkdir(c.at(p)))];
const tmpfs = (source: string, target: string): DetachedStep => [`mount -t tmpfs ${source} ${target}`, (c) => c.system.init.mount('tmpfs', source, c.at(target))];
const make = (type: 'shared' | 'slave' | 'private', target: string, by = 'host'): DetachedStep => [
  `${by}: mount --make-${type} ${target}`,
  (c) => shell(c, by).changePropagation(c.at(target), type),
];
const unshare = (name: string, user = false): DetachedStep => [
  `unshare ${user ? '-U ' : ''}-m ${name}`,
  (c) => void c.holders.set(name, c.system.unshare(c.system.init, c.at('.'), { user })),
];
const nsenter = (name: string, target: string, which: { mount: boolean; user: boolean }): DetachedStep => [
  `nsenter -t ${target}${which.mount ? ' -m' : ''}${which.user ? ' -U' : ''} (as ${name})`,
  (c) => void c.shells.set(name, c.system.nsenter(c.system.init, c.holders.get(target)!, which)),
];
/** `by` clones the mount at `path`: handle `name`. */
const clone = (name: string, path: string, by = 'host'): DetachedStep => [
  `${by}: open_tree --clone ${path} (as ${name})`,
  (c) => void c.handles.set(name, { shell: shell(c, by), handle: shell(c, by).cloneDetached(c.at(path)) }),
];
/** `by` attaches what handle `name` holds (through /proc/PID/fd/N of its holder) on `target`, in its own namespace. */
const attach = (name: string, target: string, by: string): DetachedStep => [
  `${by}: move_mount /proc/PID/fd/${name} ${target}`,
  (c) => {
    const { shell: holder, handle } = c.handles.get(name)!;
    const on = shell(c, by);
    const place = on.pin(c.at(target));
    try {
      on.unpin(on.attachAt(`/proc/${holder.pid}/fd/${handle.handle}`, place));
    } finally {
      on.unpin(place);
    }
  },
];
/** `by` clones, through /proc/PID/root, a mount of another process's namespace. */
const cloneThroughRoot = (name: string, of: string, path: string, by: string): DetachedStep => [
  `${by}: open_tree --clone /proc/${of}/root/${path} (as ${name})`,
  (c) => {
    const at = c.at(path);
    void c.handles.set(name, { shell: shell(c, by), handle: shell(c, by).cloneDetached(`/proc/${c.holders.get(of)!.pid}/root${at}`) });
  },
];
const pin = (name: string, path: string, by = 'host'): DetachedStep => [`${by}: pin ${name} = ${path}`, (c) => void c.handles.set(name, { shell: shell(c, by), handle: shell(c, by).pin(c.at(path)) })];
const close = (name: string): DetachedStep => [
  `close ${name}`,
  (c) => {
    const { shell: holder, handle } = c.handles.get(name)!;
    holder.unpin(handle);
  },
];
/** `by` attaches /proc/PID/fd/N of host for an fd host does not have open. */
const attachClosed = (fd: number, target: string, by: string): DetachedStep => [
  `${by}: move_mount /proc/host/fd/${fd} ${target}`,
  (c) => {
    const on = shell(c, by);
    const place = on.pin(c.at(target));
    try {
      on.unpin(on.attachAt(`/proc/${c.system.init.pid}/fd/${fd}`, place));
    } finally {
      on.unpin(place);
    }
  },
];
const umount = (target: string, by: string): DetachedStep => [`${by}: umount ${target}`, (c) => shell(c, by).umount(c.at(target))];

export const detachedScenarios: Record<string, DetachedStep[]> = {
  'does a detached copy of a private mount, attached in another namespace by a process there, show the same filesystem and stay private?': [
    mkdir('a', 'b'),
    tmpfs('v', 'a'),
    unshare('n'),
    nsenter('m', 'n', { mount: true, user: false }),
    clone('h', 'a'),
    attach('h', 'b', 'm'),
    close('h'),
  ],
  'is a detached copy of a shared mount a peer of it, wherever it is attached?': [
    mkdir('a', 'b'),
    tmpfs('v', 'a'),
    make('shared', 'a'),
    unshare('n'),
    nsenter('m', 'n', { mount: true, user: false }),
    clone('h', 'a'),
    attach('h', 'b', 'm'),
    close('h'),
  ],
  'does a copy attached in a namespace of another user namespace arrive unlocked, unlike what that namespace copied?': [
    mkdir('a', 'b'),
    tmpfs('v', 'a'),
    unshare('n', true),
    nsenter('m', 'n', { mount: true, user: false }),
    nsenter('u', 'n', { mount: true, user: true }),
    clone('h', 'a'),
    attach('h', 'b', 'm'),
    close('h'),
    umount('a', 'u'),
    umount('b', 'u'),
  ],
  'does attaching onto a shared mount propagate copies to its peers?': [
    mkdir('a', 'b', 'c'),
    tmpfs('v', 'a'),
    unshare('n'),
    nsenter('m', 'n', { mount: true, user: false }),
    ['m: mount -t tmpfs w b; mount --make-shared b; mkdir b/x; mount --bind b c', (c) => {
      const m = c.shells.get('m')!;
      m.mount('tmpfs', 'w', c.at('b'));
      m.changePropagation(c.at('b'), 'shared');
      m.mkdir(c.at('b/x'));
      m.bind(c.at('b'), c.at('c'));
    }],
    clone('h', 'a'),
    attach('h', 'b/x', 'm'),
    close('h'),
  ],
  'is a copy of another namespace\'s mount refused (EINVAL), an fd not open ENOENT, and an attached mount of another namespace not attachable (EINVAL)?': [
    mkdir('a', 'b'),
    tmpfs('v', 'a'),
    unshare('n'),
    nsenter('m', 'n', { mount: true, user: false }),
    cloneThroughRoot('x', 'n', 'a', 'host'),
    attachClosed(999, 'b', 'm'),
    pin('p', 'a'),
    attach('p', 'b', 'm'),
    close('p'),
  ],
  'does a detached copy go with its handle when it was never attached?': [
    mkdir('a', 'b'),
    tmpfs('v', 'a'),
    unshare('n'),
    nsenter('m', 'n', { mount: true, user: false }),
    clone('h', 'a'),
    close('h'),
    ['m: move_mount of the closed copy through the fd number it had', (c) => {
      const m = c.shells.get('m')!;
      const place = m.pin(c.at('b'));
      try {
        m.unpin(m.attachAt(`/proc/${c.system.init.pid}/fd/${c.handles.get('h')!.handle.handle}`, place));
      } finally {
        m.unpin(place);
      }
    }],
  ],
};

/** Runs a scenario's steps under `dir` on `system`, each step's result 'ok' or its errno; returns them and the namespaces held, host first. */
export function runDetachedScenario(system: MountSystem, dir: string, steps: readonly DetachedStep[]): { results: StepResult[]; namespaces: { name: string; process: MountProcess }[] } {
  const context: DetachedContext = {
    system,
    at: (relative) => (relative === '.' ? dir : `${dir}/${relative}`),
    holders: new Map(),
    shells: new Map([['host', system.init]]),
    handles: new Map(),
  };
  const results = steps.map(([, run]) => {
    try {
      run(context);
      return 'ok';
    } catch (error) {
      if (error instanceof MountError) return error.code;
      throw error;
    }
  });
  return { results, namespaces: [{ name: 'host', process: system.init }, ...[...context.holders].map(([name, process]) => ({ name, process }))] };
}
