// Random scenarios for differential tests: a few directories, a few tmpfs mounts, then a random
// mix of every operation on a small set of paths, so that peer groups, slaves, stacks, tucked
// copies, moves, set-group and umount propagation meet each other. Seeded, so a failure replays.
export interface RandomScenarioOptions {
  /** Operations after the fixed prologue. */
  steps: number;
  /** At most this many --rbind lines (each can double the mounts of a shared tree). */
  maxRbinds?: number;
}

/** mulberry32: a small, fast, seeded PRNG; returns numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const paths = ['A', 'B', 'C', 'D', 'A/x', 'B/x', 'C/x', 'D/x', 'A/x/y', 'B/x/y', 'C/y', 'A/y', 'B/y', 'D/x/y'];
const propagation = ['shared', 'slave', 'private', 'unbindable'];

/** A private bind of a shared mount joined back to it with set-group: the way set-group usually succeeds. */
function setGroupOfBind(source: string, target: string): string {
  return [`mount --make-shared ${source}`, `mount --bind ${source} ${target}`, `mount --make-private ${target}`, `mount --set-group ${source} ${target}`].join('\n');
}

/** A random scenario; every line is valid syntax, many of them fail on purpose. */
export function randomScenario(seed: number, options: RandomScenarioOptions): string {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const lines = ['mkdir -p A/x/y B/x/y C/x/y C/y D/x/y A/y B/y', 'mount -t tmpfs a A', 'mkdir -p A/x/y A/y'];
  let rbinds = 0;
  let tmpfs = 0;
  const weighted: [number, () => string][] = [
    [3, () => `mount -t tmpfs t${++tmpfs} ${pick(paths)}`],
    [4, () => `mount --bind ${pick(paths)} ${pick(paths)}`],
    [1, () => (rbinds++ < (options.maxRbinds ?? 2) ? `mount --rbind ${pick(paths)} ${pick(paths)}` : `mount --bind ${pick(paths)} ${pick(paths)}`)],
    [2, () => `mount --move ${pick(paths)} ${pick(paths)}`],
    [3, () => `umount ${random() < 0.4 ? '-l ' : ''}${pick(paths)}`],
    [6, () => `mount --make-${random() < 0.2 ? 'r' : ''}${pick(propagation)} ${pick(paths)}`],
    [1, () => `mount --set-group ${pick(paths)} ${pick(paths)}`],
    [2, () => setGroupOfBind(pick(paths.slice(0, 4)), pick(paths))],
    [2, () => `mkdir -p ${pick(paths)}/${pick(['x', 'y', 'x/y'])}`],
  ];
  const total = weighted.reduce((sum, [weight]) => sum + weight, 0);
  for (let i = 0; i < options.steps; i++) {
    let r = random() * total;
    const [, make] = weighted.find(([weight]) => (r -= weight) < 0) ?? weighted[0]!;
    lines.push(make());
  }
  return lines.join('\n');
}

const groupPaths = ['P0', 'P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7'];
const inner = ['x', 'y', 'x/z'];

/**
 * A random scenario about propagation trees: binds of binds of one shared tmpfs at P0..P7, made
 * shared, slave or private in every order (deep slave chains, shared slaves, several groups under
 * one master), with mounts, umounts and moves inside them.
 */
export function randomPropagationScenario(seed: number, options: RandomScenarioOptions): string {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const lines = ['mkdir P0 P1 P2 P3 P4 P5 P6 P7', 'mount -t tmpfs a P0', 'mkdir -p P0/x/z P0/y', 'mount --make-shared P0'];
  let tmpfs = 0;
  const weighted: [number, () => string][] = [
    [5, () => `mount --bind ${pick(groupPaths)} ${pick(groupPaths)}`],
    [6, () => `mount --make-${pick(['shared', 'slave', 'slave', 'private'])} ${pick(groupPaths)}`],
    [5, () => `mount -t tmpfs t${++tmpfs} ${pick(groupPaths)}/${pick(inner)}`],
    [2, () => `mount --bind ${pick(groupPaths)}/${pick(inner)} ${pick(groupPaths)}/${pick(inner)}`],
    [3, () => `umount ${random() < 0.5 ? '-l ' : ''}${pick(groupPaths)}/${pick(inner)}`],
    [1, () => `umount ${random() < 0.5 ? '-l ' : ''}${pick(groupPaths)}`],
    [1, () => `mount --move ${pick(groupPaths)} ${pick(groupPaths)}/${pick(inner)}`],
    [1, () => `mount --set-group ${pick(groupPaths)} ${pick(groupPaths)}`],
  ];
  const total = weighted.reduce((sum, [weight]) => sum + weight, 0);
  for (let i = 0; i < options.steps; i++) {
    let r = random() * total;
    const [, make] = weighted.find(([weight]) => (r -= weight) < 0) ?? weighted[0]!;
    lines.push(make());
  }
  return lines.join('\n');
}
