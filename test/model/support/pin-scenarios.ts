// Scenarios with pins (MountNamespace.pin: an O_PATH fd on the kernel), written as calls on any
// MountNamespace so that the same steps run on the kernel (test/model/children/pins.ts, in a child
// with its own private namespace) and on the model. The scenario language has no pins.
import { MountError } from '../../../src/core/errors.js';
import type { MountFlag, MountHandle, MountNamespace } from '../../../src/core/namespace.js';

/** One call: a label, and what it does given the namespace, a path maker and the pins held so far. */
export type PinStep = [label: string, run: (ns: MountNamespace, at: (relative: string) => string, pins: Map<string, MountHandle>) => void];

/** What a step did: 'ok', or the errno name of its refusal. */
export type StepResult = string;

const mkdir = (...paths: string[]): PinStep => [`mkdir ${paths.join(' ')}`, (ns, at) => paths.forEach((p) => ns.mkdir(at(p)))];
const tmpfs = (source: string, target: string): PinStep => [`mount -t tmpfs ${source} ${target}`, (ns, at) => ns.mount('tmpfs', source, at(target))];
const bind = (source: string, target: string): PinStep => [`mount --bind ${source} ${target}`, (ns, at) => ns.bind(at(source), at(target))];
const make = (type: 'shared' | 'slave' | 'private', target: string): PinStep => [
  `mount --make-${type} ${target}`,
  (ns, at, pins) => ns.changePropagation(pins.get(target) ?? at(target), type),
];
const setGroup = (source: string, target: string): PinStep => [
  `mount --set-group ${source} ${target}`,
  (ns, at, pins) => ns.setGroup(pins.get(source) ?? at(source), pins.get(target) ?? at(target)),
];
const remount = (target: string, flags: MountFlag[]): PinStep => [
  `mount -o ${['remount', 'bind', ...flags].join(',')} none ${target}`,
  (ns, at, pins) => ns.remountBind(pins.get(target) ?? at(target), flags),
];
const umount = (target: string, lazy = false): PinStep => [`umount ${lazy ? '-l ' : ''}${target}`, (ns, at) => ns.umount(at(target), { lazy })];
/** Pins the place `path` names now, under the name `name` (steps name it instead of a path). */
const pin = (name: string, path: string): PinStep => [`pin ${name} = ${path}`, (ns, at, pins) => void pins.set(name, ns.pin(at(path)))];
const unpin = (name: string): PinStep => [
  `unpin ${name}`,
  (ns, _at, pins) => {
    ns.unpin(pins.get(name)!);
    pins.delete(name);
  },
];

export const pinScenarios: Record<string, PinStep[]> = {
  'does set-group look both paths up before its rules (a pin of a detached source and a missing target: ENOENT, not EINVAL)?': [
    mkdir('A', 'B'),
    tmpfs('a', 'A'),
    bind('A', 'B'),
    make('shared', 'A'),
    pin('@A', 'A'),
    umount('A', true),
    setGroup('@A', 'nowhere'),
    setGroup('@A', 'B'),
    unpin('@A'),
  ],
  'is a pinned mount busy for umount, and free to go once unpinned?': [mkdir('A'), tmpfs('a', 'A'), pin('@A', 'A'), umount('A'), unpin('@A'), umount('A')],
  'does a pin on a propagated copy make the umount of its original busy, but not a lazy one?': [
    mkdir('A', 'B'),
    tmpfs('a', 'A'),
    make('shared', 'A'),
    bind('A', 'B'),
    mkdir('A/x'),
    tmpfs('x', 'A/x'),
    pin('@Bx', 'B/x'),
    umount('A/x'),
    umount('A/x', true),
    make('shared', '@Bx'),
    setGroup('A', '@Bx'),
    unpin('@Bx'),
  ],
  'does a pin reach a mount another covers, so that set-group rebuilds the seed topology?': [
    mkdir('A', 'B'),
    tmpfs('a', 'A'),
    bind('A', 'B'),
    mkdir('A/C'),
    tmpfs('c', 'A/C'),
    bind('A/C', 'B/C'),
    pin('@BC', 'B/C'),
    tmpfs('c2', 'B/C'),
    make('shared', 'A'),
    setGroup('A', 'B'),
    make('shared', 'A/C'),
    setGroup('A/C', '@BC'),
    unpin('@BC'),
  ],
  'does a bind remount through a pin change the covered mount it holds, and not the mount covering it?': [
    mkdir('A'),
    tmpfs('a', 'A'),
    pin('@A', 'A'),
    tmpfs('cover', 'A'),
    remount('@A', ['ro', 'nosuid', 'noatime']),
    mkdir('A/x'),
    remount('A', ['nodev']),
    unpin('@A'),
  ],
  'is a bind remount through a pin of a mount since detached EINVAL (not mounted)?': [
    mkdir('A'),
    tmpfs('a', 'A'),
    pin('@A', 'A'),
    umount('A', true),
    remount('@A', ['ro']),
    unpin('@A'),
  ],
  'does propagation through a covered mount made shared by its pin still reach what covers it?': [
    mkdir('A', 'B'),
    tmpfs('a', 'A'),
    pin('@A', 'A'),
    tmpfs('cover', 'A'),
    make('shared', '@A'),
    bind('A', 'B'),
    make('private', 'B'),
    setGroup('A', 'B'),
    mkdir('B/new'),
    tmpfs('new', 'B/new'),
    umount('A'),
    unpin('@A'),
  ],
};

/** Runs one scenario: each step's result, in order; every pin still held is let go at the end. */
export function runPinScenario(ns: MountNamespace, dir: string, steps: PinStep[]): StepResult[] {
  const pins = new Map<string, MountHandle>();
  const at = (relative: string): string => `${dir}/${relative}`;
  const results = steps.map(([, run]) => {
    try {
      run(ns, at, pins);
      return 'ok';
    } catch (error) {
      if (error instanceof MountError) return error.code;
      throw error;
    }
  });
  for (const handle of pins.values()) ns.unpin(handle);
  return results;
}
