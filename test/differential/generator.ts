// Random scenarios in the scenario language, for running on the kernel and the model side by side.
//
// Generation is guided by a model namespace laid out like the kernel worker's (sides.ts): every
// line is applied to it as soon as it is chosen, so that paths are picked among the directories
// and mount points that exist at that moment (a small pool of names, so mounts stack and
// propagation meets itself), and set-group gets valid pairs as well as refused ones. The model only
// steers the choice of lines: what each line does is the kernel's to say.
//
// With `namespaces`, that share of the scenarios also starts namespaces (unshare -m, with and
// without -U, every --propagation), enters them (nsenter -m, -U or both) and leaves (exit), ends
// them (kill), and crosses them: set-group, --make-*, mkdir and binds through /proc/NAME/cwd paths.
// The steering model is then a ModelSystem run line after line (ScenarioRun), so that the view the
// next line is chosen from is the namespace it will run in.
//
// Shrinking works on the text: a failing scenario loses runs of lines, then single lines, then
// each line becomes simpler (no -l, --bind for --rbind, no recursion, one -o word fewer, no -U),
// so a divergence comes out as a short scenario ready to paste into a regression test.
import fc from 'fast-check';
import type { ModelNamespace, ModelNamespaceOptions, ModelSystem } from '../../src/model/index.js';
import { isSubdir } from '../../src/model/dcache.js';
import { lookupPath } from '../../src/model/namei.js';
import { isAloneInRing } from '../../src/model/lists.js';
import { hasSlaves, isMountRoot, isPrivate, isShared, isSlave } from '../../src/model/predicates.js';
import type { Mount } from '../../src/model/types.js';
import { parseScenario, ScenarioRun, type Step } from '../../src/scenario/index.js';
import { MODEL_DIR, modelSystem } from './sides.js';

/** A scenario: one operation per line, paths relative to the scenario's directory. */
export type Scenario = readonly string[];

export interface GeneratorOptions {
  /** Operations per scenario, at least. */
  minOps: number;
  /** Operations per scenario, at most. */
  maxOps: number;
  /** The model that steers generation (its kernel version). */
  model?: ModelNamespaceOptions;
  /** Directory names (default a, b, c): few, so that paths meet. */
  names?: readonly string[];
  /** Deepest directory created or named (default 3: a/b/c). */
  maxDepth?: number;
  /** Percent of scenarios that start, enter, end and cross namespaces (default 0). */
  namespaces?: number;
}

/** The text of a scenario, as the kernel worker and runScenario() take it. */
export function scenarioText(scenario: Scenario): string {
  return scenario.join('\n');
}

/** How each step is counted: its command and the options that choose what it does ("umount -l", "mount -t tmpfs"), without paths, sources or flags. */
function stepKind(step: Step): string {
  switch (step.op) {
    case 'mkdir':
      return step.parents ? 'mkdir -p' : 'mkdir';
    case 'touch':
      return 'touch';
    case 'cd':
      return 'cd';
    case 'mount':
      return `mount -t ${step.fsType}`;
    case 'remount':
      return step.merge ? 'mount -o remount,bind' : 'mount -o remount,bind SOURCE';
    case 'bind':
      return step.recursive ? 'mount --rbind' : 'mount --bind';
    case 'move':
      return 'mount --move';
    case 'umount':
      return step.lazy ? 'umount -l' : 'umount';
    case 'propagation':
      return `mount --make-${step.recursive ? 'r' : ''}${step.type}`;
    case 'setGroup':
      return 'mount --set-group';
    case 'unshare':
      return `unshare${step.user ? ' -U' : ''}${step.mount ? ' -m' : ''}`;
    case 'nsenter':
      return `nsenter${step.mount ? ' -m' : ''}${step.user ? ' -U' : ''}`;
    case 'exit':
      return 'exit';
    case 'kill':
      return 'kill';
  }
}

/** The kind of operation of a line (stepKind), or 'syntax error'. */
export function operationKind(line: string): string {
  const [parsed] = parseScenario(line);
  return parsed === undefined || 'syntaxError' in parsed ? 'syntax error' : stepKind(parsed.step);
}

const DEFAULT_NAMES = ['a', 'b', 'c'];
const DEFAULT_MAX_DEPTH = 3;
/** Above this many mounts in the namespace, no line that adds mounts is chosen... */
const SOFT_MOUNT_LIMIT = 120;
/** ...and a line that takes it above this many is dropped (rbind on a shared tree multiplies). */
const HARD_MOUNT_LIMIT = 400;
/** No --rbind above this many mounts. */
const RBIND_MOUNT_LIMIT = 60;

type Operation = 'mkdir' | 'mount' | 'bind' | 'rbind' | 'move' | 'umount' | 'remount' | 'changeType' | 'setGroup' | 'missingPath';
type NamespaceOperation = 'unshare' | 'nsenter' | 'exit' | 'kill';

/** How often a scenario with namespaces starts, enters, leaves and ends them, against the operations' weights (about 100 in all). */
const NAMESPACE_OPERATIONS: Record<NamespaceOperation, number> = { unshare: 5, nsenter: 3, exit: 2, kill: 2 };
/** Percent of set-group, --make-*, mkdir and bind operands taken from another namespace, in a scenario with namespaces. */
const CROSSING = 30;
/** At most this many named namespaces running at once, and nsenter at most this deep. */
const MAX_NAMESPACES = 3;
const MAX_NESTING = 2;
type PropagationType = 'shared' | 'slave' | 'private' | 'unbindable';

/** The flavour of a scenario: how often each operation comes up, and how much it seeks propagation. */
interface Profile {
  operations: Record<Operation, number>;
  types: readonly (readonly [number, PropagationType])[];
  /** Percent of new mounts and binds aimed inside a mount that propagates. */
  intoPropagating: number;
  /** Percent of binds made from a shared mount (a new peer). */
  fromShared: number;
  /** Percent of binds onto a directory no mount covers yet (a new branch rather than a stack). */
  ontoFree: number;
}

/**
 * Half the scenarios mix every operation; the other half build propagation trees (peers, slaves,
 * shared slaves, mounts inside them) and take them apart less often.
 */
const PROFILES: readonly (readonly [number, Profile])[] = [
  [
    1,
    {
      operations: { mkdir: 12, mount: 12, bind: 14, rbind: 4, move: 5, umount: 8, remount: 7, changeType: 22, setGroup: 10, missingPath: 1 },
      types: [
        [35, 'shared'],
        [25, 'slave'],
        [20, 'private'],
        [20, 'unbindable'],
      ],
      intoPropagating: 45,
      fromShared: 35,
      ontoFree: 0,
    },
  ],
  [
    1,
    {
      operations: { mkdir: 8, mount: 14, bind: 20, rbind: 4, move: 3, umount: 5, remount: 5, changeType: 30, setGroup: 8, missingPath: 0 },
      types: [
        [35, 'shared'],
        [40, 'slave'],
        [15, 'private'],
        [10, 'unbindable'],
      ],
      intoPropagating: 60,
      fromShared: 60,
      ontoFree: 60,
    },
  ],
];

/**
 * The -o words of per-mount flags and how often each comes up: every flag and its negation (which a
 * bind remount of DIR alone needs to clear one), read-only rarely (mkdir stops where it is).
 */
const FLAG_WORDS: readonly (readonly [number, string])[] = [
  [5, 'ro'], [8, 'rw'], [10, 'nosuid'], [4, 'suid'], [10, 'nodev'], [4, 'dev'], [10, 'noexec'], [4, 'exec'],
  [10, 'noatime'], [4, 'atime'], [8, 'nodiratime'], [3, 'diratime'], [8, 'relatime'], [3, 'norelatime'],
  [8, 'strictatime'], [3, 'nostrictatime'], [6, 'nosymfollow'], [3, 'symfollow'], [2, 'defaults'],
];

/** Random choices drawn from fast-check's generator, so that a seed replays a scenario. */
class Chooser {
  constructor(private readonly mrng: fc.Random) {}

  /** An integer in [0, n). */
  below(n: number): number {
    return this.mrng.nextInt(0, n - 1);
  }

  /** True with probability `percent` / 100. */
  chance(percent: number): boolean {
    return this.below(100) < percent;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /** An item drawn with probability proportional to its weight. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    let r = this.below(items.reduce((sum, [weight]) => sum + weight, 0));
    for (const [weight, item] of items) if ((r -= weight) < 0) return item;
    return items[0]![1];
  }
}

/** A directory of the scenario and the mount it is seen through. */
interface Place {
  path: string;
  mount: Mount;
}

/** What the generator can name after the lines so far. */
interface View {
  /** Every directory up to the deepest named, relative ("a/b"); not the scenario's directory itself. */
  dirs: Place[];
  /** The directories that are the root of the mount they are seen through. */
  mountRoots: Place[];
}

const depth = (path: string): number => (path === '.' ? 0 : path.split('/').length);
const join = (parent: string, name: string): string => (parent === '.' ? name : `${parent}/${name}`);
const absolute = (path: string): string => (path === '.' ? MODEL_DIR : `${MODEL_DIR}/${path}`);
const pathsOf = (places: readonly Place[]): string[] => places.map((place) => place.path);

/** The scenario's directories down to `maxDepth` and their mount roots, as the model sees them. */
function viewOf(ns: ModelNamespace, maxDepth: number): View {
  const view: View = { dirs: [], mountRoots: [] };
  const fail = (): never => {
    throw new Error('generator: a directory it listed has gone');
  };
  const walk = (dir: string): void => {
    for (const name of lookupPath(ns.state, absolute(dir), fail).dentry.children.keys()) {
      const path = join(dir, name);
      const found = lookupPath(ns.state, absolute(path), fail);
      const place = { path, mount: found.mount };
      view.dirs.push(place);
      if (isMountRoot(found)) view.mountRoots.push(place);
      if (depth(path) < maxDepth) walk(path);
    }
  };
  walk('.');
  return view;
}

/** Whether a mount passes what is mounted on it to other mounts: a peer group of more than one, or slaves. */
const propagates = (m: Mount): boolean => isShared(m) && (!isAloneInRing(m) || hasSlaves(m));

/** Whether a mount has peers. */
const hasPeers = (m: Mount): boolean => isShared(m) && !isAloneInRing(m);

/** Whether set-group from `from` to `to` passes every rule: `from` shared or a slave, `to` private, of its superblock, within its root. */
const setGroupAccepts = (from: Mount, to: Mount): boolean =>
  to !== from && !isPrivate(from) && isPrivate(to) && to.sb === from.sb && isSubdir(to.root, from.root);

/** The steering model, run line after line as the kernel worker runs the scenario. */
class SteeringRun {
  readonly system: ModelSystem;
  readonly run: ScenarioRun;
  #lines = 0;

  constructor(model: ModelNamespaceOptions) {
    this.system = modelSystem(model);
    this.run = new ScenarioRun(this.system, { cwd: MODEL_DIR, confineTo: MODEL_DIR });
  }

  /** Runs one line; a model that breaks (a bug the run will report) steers no further. */
  apply(line: string): void {
    const [parsed] = parseScenario(line);
    if (parsed === undefined) return;
    try {
      this.run.run({ ...parsed, line: ++this.#lines });
    } catch {
      // the model threw something other than a refusal: the differential run will say what
    }
  }

  /** The process the next line runs as. */
  get shell(): ModelNamespace {
    return this.run.shell as ModelNamespace;
  }

  /** The most mounts any namespace running holds. */
  get mostMounts(): number {
    return Math.max(...this.run.holders().map(({ process }) => (process as ModelNamespace).mountCount));
  }
}

/** Another namespace's view, and how the lines name its directories: /proc/NAME/cwd/PATH. */
interface Elsewhere {
  prefix: string;
  view: View;
}

/** Builds one scenario line by line, applying each line to a model to know what exists next. */
class ScenarioBuilder {
  readonly lines: string[] = [];
  readonly #model: ModelNamespaceOptions;
  readonly #names: readonly string[];
  readonly #maxDepth: number;
  readonly #namespaces: boolean;
  #steering: SteeringRun;
  #view: View;
  #sources = 0;
  #started = 0;

  constructor(
    private readonly choose: Chooser,
    options: GeneratorOptions,
    private readonly profile: Profile,
  ) {
    this.#model = options.model ?? {};
    this.#names = options.names ?? DEFAULT_NAMES;
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.#namespaces = options.namespaces !== undefined && options.namespaces > 0 && choose.chance(options.namespaces);
    this.#steering = new SteeringRun(this.#model);
    this.#view = viewOf(this.#steering.shell, this.#maxDepth);
  }

  /** Chooses the next line, keeps it unless it makes a namespace too big, and applies it. */
  step(): void {
    const line = this.#nextLine();
    this.#steering.apply(line);
    if (this.#steering.mostMounts > HARD_MOUNT_LIMIT) {
      this.#steering = new SteeringRun(this.#model);
      for (const kept of this.lines) this.#steering.apply(kept);
    } else {
      this.lines.push(line);
    }
    this.#view = viewOf(this.#steering.shell, this.#maxDepth);
  }

  #nextLine(): string {
    if (this.#view.dirs.length < 2) return this.#mkdir();
    const roomForMounts = this.#steering.shell.mountCount < SOFT_MOUNT_LIMIT;
    const weights = this.profile.operations;
    const choices: [number, () => string | undefined][] = [
      ...(this.#namespaces ? this.#namespaceChoices() : []),
      [weights.mkdir, () => this.#mkdir()],
      [weights.mount, () => (roomForMounts ? this.#newMount() : undefined)],
      [weights.bind, () => (roomForMounts ? this.#bind('--bind') : undefined)],
      [weights.rbind, () => (this.#steering.shell.mountCount < RBIND_MOUNT_LIMIT ? this.#bind('--rbind') : undefined)],
      [weights.move, () => this.#move()],
      [weights.umount, () => this.#umount()],
      [weights.remount, () => this.#remount()],
      [weights.changeType, () => this.#changeType()],
      [weights.setGroup, () => this.#setGroup()],
      [weights.missingPath, () => this.#missingPath()],
    ];
    for (;;) {
      const line = this.choose.weighted(choices)();
      if (line !== undefined) return line;
    }
  }

  /** The namespace lines a scenario with namespaces chooses among. */
  #namespaceChoices(): [number, () => string | undefined][] {
    const w = NAMESPACE_OPERATIONS;
    return [
      [w.unshare, () => this.#unshare()],
      [w.nsenter, () => this.#nsenter()],
      [w.exit, () => (this.#steering.run.depth > 0 ? 'exit' : undefined)],
      [w.kill, () => this.#kill()],
    ];
  }

  /** The named processes other than host that still run. */
  #named(): string[] {
    return this.#steering.run.holders().map(({ name }) => name).filter((name) => name !== 'host');
  }

  /** unshare: mostly a mount namespace, copied with every --propagation, with -U often; a user namespace alone sometimes. */
  #unshare(): string | undefined {
    if (this.#named().length >= MAX_NAMESPACES) return undefined;
    const name = `n${++this.#started}`;
    if (this.choose.chance(8)) return `unshare -U ${name}`;
    const user = this.choose.chance(40) ? '-U ' : '';
    const propagation = this.choose.weighted([
      [45, ' --propagation unchanged'],
      [20, ''],
      [20, ' --propagation slave'],
      [15, ' --propagation shared'],
    ] as const);
    return `unshare ${user}-m${propagation} ${name}`;
  }

  /**
   * nsenter into a named namespace or the host's: its mount namespace, its user namespace, or both
   * — a user namespace mostly where the target has one of its own (-U into one's own is EINVAL).
   */
  #nsenter(): string | undefined {
    if (this.#steering.run.depth >= MAX_NESTING) return undefined;
    const holders = this.#steering.run.holders();
    const { name, process } = this.choose.pick(holders);
    const ownUser = (process as ModelNamespace).state.userNs !== this.#steering.shell.state.userNs;
    const which = this.choose.weighted([
      [ownUser ? 30 : 80, '-m'],
      [ownUser ? 50 : 10, '-m -U'],
      [ownUser ? 20 : 10, '-U'],
    ] as const);
    return `nsenter -t ${name} ${which}`;
  }

  #kill(): string | undefined {
    const named = this.#named();
    return named.length === 0 ? undefined : `kill ${this.choose.pick(named)}`;
  }

  /** Another namespace to name a path in (/proc/NAME/cwd/...), when the scenario crosses namespaces this time. */
  #elsewhere(): Elsewhere | undefined {
    if (!this.#namespaces || !this.choose.chance(CROSSING)) return undefined;
    const others = this.#steering.run.holders().filter(({ process }) => process !== this.#steering.shell);
    if (others.length === 0) return undefined;
    const { name, process } = this.choose.pick(others);
    return { prefix: `/proc/${name}/cwd/`, view: viewOf(process as ModelNamespace, this.#maxDepth) };
  }

  /**
   * A path from the first of `preferences` (percent, paths) whose dice roll hits and which has
   * paths, else any directory (never the scenario's own).
   */
  #path(...preferences: [number, string[]][]): string {
    for (const [percent, paths] of preferences) if (paths.length > 0 && this.choose.chance(percent)) return this.choose.pick(paths);
    return this.choose.pick(this.#view.dirs).path;
  }

  /** Mount roots whose mounts pass `test`. */
  #roots(test: (m: Mount) => boolean = () => true): string[] {
    return pathsOf(this.#view.mountRoots.filter((place) => test(place.mount)));
  }

  /** Directories seen through mounts that propagate: what is mounted there is copied elsewhere. */
  #propagatingDirs(): string[] {
    return pathsOf(this.#view.dirs.filter((place) => propagates(place.mount)));
  }

  /** Directories no mount is stacked on. */
  #freeDirs(): string[] {
    const roots = new Set(this.#roots());
    return pathsOf(this.#view.dirs).filter((path) => !roots.has(path));
  }

  #mkdir(): string {
    const elsewhere = this.#view.dirs.length < 2 ? undefined : this.#elsewhere();
    if (elsewhere !== undefined) return `mkdir -p ${elsewhere.prefix}${this.choose.pick(this.#names)}/${this.choose.pick(this.#names)}`;
    if (this.choose.chance(8)) {
      const names = Array.from({ length: 1 + this.choose.below(this.#maxDepth) }, () => this.choose.pick(this.#names));
      return `mkdir -p ${names.join('/')}`;
    }
    const existing = new Set(pathsOf(this.#view.dirs));
    const parents = ['.', ...existing].filter((dir) => depth(dir) < this.#maxDepth);
    const fresh = parents.flatMap((parent) => this.#names.map((name) => join(parent, name))).filter((path) => !existing.has(path));
    if (existing.size > 0 && (fresh.length === 0 || this.choose.chance(3))) return `mkdir ${this.#path()}`;
    return `mkdir ${this.choose.pick(fresh)}`;
  }

  /** A new mount: inside a mount that propagates, stacked on a mount, or on any directory. */
  #newMount(): string {
    const target = this.#path([this.profile.intoPropagating, this.#propagatingDirs()], [40, this.#roots()]);
    const fsType = this.choose.weighted([
      [85, 'tmpfs'],
      [12, 'ramfs'],
      [3, 'nosuchfs'],
    ] as const);
    const options = this.choose.chance(30) ? `-o ${this.#flagWords(1 + this.choose.below(3)).join(',')} ` : '';
    return `mount -t ${fsType} ${options}${fsType[0]}${++this.#sources} ${target}`;
  }

  /** `count` -o words of per-mount flags. */
  #flagWords(count: number): string[] {
    return Array.from({ length: count }, () => this.choose.weighted(FLAG_WORDS));
  }

  /**
   * A bind remount of a mount root (sometimes of any directory, or of the scenario's own mount):
   * mount(8)'s form that adds to the mount's flags, or the one with a source that sets them.
   */
  #remount(): string {
    const command = this.choose.chance(80) ? ['remount', 'bind'] : ['bind', 'remount'];
    const options = [...command, ...this.#flagWords(this.choose.below(4))].join(',');
    const source = this.choose.chance(40) ? 'none ' : '';
    const target = this.choose.chance(4) ? '.' : this.#path([85, this.#roots()]);
    return `mount -o ${options} ${source}${target}`;
  }

  /** --bind or --rbind of the scenario's root, a shared mount, a mount or a directory, onto a directory (often one that propagates). */
  #bind(flag: '--bind' | '--rbind'): string {
    const elsewhere = this.#elsewhere();
    if (elsewhere !== undefined && elsewhere.view.mountRoots.length > 0 && this.choose.chance(30)) {
      return `mount ${flag} ${elsewhere.prefix}${this.choose.pick(elsewhere.view.mountRoots).path} ${this.#path()}`;
    }
    const source = this.choose.chance(6) ? '.' : this.#path([this.profile.fromShared, this.#roots(isShared)], [40, this.#roots()]);
    return `mount ${flag} ${source} ${this.#path([this.profile.ontoFree, this.#freeDirs()], [this.profile.intoPropagating, this.#propagatingDirs()])}`;
  }

  #move(): string | undefined {
    if (this.#view.mountRoots.length === 0) return undefined;
    return `mount --move ${this.#path([85, this.#roots()])} ${this.#path([this.profile.intoPropagating, this.#propagatingDirs()])}`;
  }

  #umount(): string | undefined {
    if (this.#view.mountRoots.length === 0) return undefined;
    const inPropagating = this.#roots((m) => m.parent !== null && propagates(m.parent));
    return `umount ${this.choose.chance(40) ? '-l ' : ''}${this.#path([50, inPropagating], [85, this.#roots()])}`;
  }

  /**
   * --make-[r]TYPE: slave and private mostly on mounts with peers (so that slaves get masters),
   * shared often on slaves (shared slaves pass copies on). The scenario's own mount may be made
   * anything but shared: once shared it would take copies on its root from its peers, stacked over
   * the worker's directory.
   */
  #changeType(): string {
    const type = this.choose.weighted(this.profile.types);
    const recursive = this.choose.chance(25) ? 'r' : '';
    const elsewhere = this.#elsewhere();
    if (elsewhere !== undefined && elsewhere.view.mountRoots.length > 0) {
      return `mount --make-${recursive}${type} ${elsewhere.prefix}${this.choose.pick(elsewhere.view.mountRoots).path}`;
    }
    if (type !== 'shared' && this.choose.chance(5)) return `mount --make-${recursive}${type} .`;
    const preferred = type === 'shared' ? this.#roots(isSlave) : type === 'slave' || type === 'private' ? this.#roots(hasPeers) : [];
    return `mount --make-${recursive}${type} ${this.#path([60, preferred], [85, this.#roots()])}`;
  }

  /**
   * A set-group the kernel accepts when there is one, else often a line that makes one possible
   * (a peer made private, a mount made shared over a private mount of its superblock), else any two
   * places (never onto the scenario's own mount).
   */
  #setGroup(): string {
    const elsewhere = this.#elsewhere();
    if (elsewhere !== undefined) return this.#setGroupAcross(elsewhere);
    const roots = this.#view.mountRoots;
    const pairs = roots.flatMap((from) => roots.filter((to) => setGroupAccepts(from.mount, to.mount)).map((to) => [from.path, to.path]));
    if (pairs.length > 0 && this.choose.chance(70)) return `mount --set-group ${this.choose.pick(pairs).join(' ')}`;
    if (this.choose.chance(50)) {
      const peers = this.#roots(hasPeers);
      const overPrivate = this.#roots((m) => isPrivate(m) && roots.some((to) => to.mount !== m && isPrivate(to.mount) && to.mount.sb === m.sb));
      const preparation = [...peers.map((path) => `mount --make-private ${path}`), ...overPrivate.map((path) => `mount --make-shared ${path}`)];
      if (preparation.length > 0) return this.choose.pick(preparation);
    }
    const source = this.choose.chance(5) ? '.' : this.#path([80, this.#roots()]);
    return `mount --set-group ${source} ${this.#path([80, this.#roots()])}`;
  }

  /**
   * A set-group with one side in another namespace: a pair the rules accept when there is one
   * (whichever side is the source), else any two mount roots.
   */
  #setGroupAcross(elsewhere: Elsewhere): string {
    const here = this.#view.mountRoots.map((place) => ({ ...place, shown: place.path }));
    const there = elsewhere.view.mountRoots.map((place) => ({ ...place, shown: `${elsewhere.prefix}${place.path}` }));
    const pairs = [...here.flatMap((from) => there.map((to) => [from, to])), ...there.flatMap((from) => here.map((to) => [from, to]))];
    const accepted = pairs.filter(([from, to]) => setGroupAccepts(from!.mount, to!.mount));
    const chosen = accepted.length > 0 && this.choose.chance(70) ? this.choose.pick(accepted) : pairs.length > 0 ? this.choose.pick(pairs) : undefined;
    if (chosen === undefined) return `mount --set-group ${this.#path()} ${elsewhere.prefix}${this.choose.pick(this.#names)}`;
    return `mount --set-group ${chosen[0]!.shown} ${chosen[1]!.shown}`;
  }

  /** An operation on a path that does not exist. */
  #missingPath(): string {
    const missing = `${this.#path()}/zz`;
    return this.choose.pick([
      `mount -t tmpfs m${++this.#sources} ${missing}`,
      `mount --bind ${missing} ${this.#path()}`,
      `umount ${missing}`,
      `mount --make-shared ${missing}`,
      `mount -o remount,bind,ro ${missing}`,
    ]);
  }
}

/** The line with one word fewer in its -o list (a new mount loses -o with its last word); remount and bind stay. */
function withFewerOptions(line: string): string[] {
  const match = / -o (\S+) /.exec(line);
  if (match === null) return [];
  const words = match[1]!.split(',');
  return words.flatMap((word, i) => {
    if (word === 'remount' || word === 'bind') return [];
    const rest = words.filter((_, j) => j !== i);
    return [line.replace(match[0], rest.length === 0 ? ' ' : ` -o ${rest.join(',')} `)];
  });
}

/** Simpler forms of one line, each a shrink candidate. */
function simplerLines(line: string): string[] {
  const rewrites: [RegExp, string][] = [
    [/^umount -l /, 'umount '],
    [/^mount --rbind /, 'mount --bind '],
    [/^mount --make-r/, 'mount --make-'],
    [/^mkdir -p /, 'mkdir '],
    [/^mount -t ramfs /, 'mount -t tmpfs '],
    [/^mount -o bind,remount/, 'mount -o remount,bind'],
    [/^nsenter (-t \S+) -m -U$/, 'nsenter $1 -m'],
    [/^unshare -U -m/, 'unshare -m'],
    [/^unshare -m --propagation \S+ /, 'unshare -m '],
  ];
  const rewritten = rewrites.filter(([pattern]) => pattern.test(line)).map(([pattern, replacement]) => line.replace(pattern, replacement));
  return [...rewritten, ...withFewerOptions(line)];
}

/** Shrink candidates, biggest steps first: runs of lines removed (halves, quarters... single lines), then lines simplified. */
function* shrinks(scenario: Scenario): Generator<Scenario> {
  for (let size = scenario.length >> 1 || 1; size >= 1; size >>= 1) {
    for (let start = 0; start < scenario.length; start += size) {
      yield [...scenario.slice(0, start), ...scenario.slice(start + size)];
    }
    if (size === 1) break;
  }
  for (let i = 0; i < scenario.length; i++) {
    for (const simpler of simplerLines(scenario[i]!)) yield scenario.map((line, j) => (j === i ? simpler : line));
  }
}

const isScenario = (value: unknown): value is Scenario => Array.isArray(value) && value.every((line) => typeof line === 'string');

/** Random scenarios of minOps..maxOps lines, shrinking on their text. */
class ScenarioArbitrary extends fc.Arbitrary<Scenario> {
  constructor(private readonly options: GeneratorOptions) {
    super();
  }

  generate(mrng: fc.Random): fc.Value<Scenario> {
    const choose = new Chooser(mrng);
    const builder = new ScenarioBuilder(choose, this.options, choose.weighted(PROFILES));
    const length = this.options.minOps + choose.below(this.options.maxOps - this.options.minOps + 1);
    while (builder.lines.length < length) builder.step();
    return new fc.Value(builder.lines, undefined);
  }

  canShrinkWithoutContext(value: unknown): value is Scenario {
    return isScenario(value);
  }

  shrink(value: Scenario): fc.Stream<fc.Value<Scenario>> {
    return fc.stream(shrinks(value)).map((scenario) => new fc.Value(scenario, undefined));
  }
}

/** The arbitrary of random scenarios. */
export function scenarioArbitrary(options: GeneratorOptions): fc.Arbitrary<Scenario> {
  return new ScenarioArbitrary(options);
}

/** The scenario of one run seed: what `fc.sample` draws first from `seed`. */
export function scenarioOfSeed(options: GeneratorOptions, seed: number): Scenario {
  return fc.sample(scenarioArbitrary(options), { seed, numRuns: 1 })[0]!;
}
