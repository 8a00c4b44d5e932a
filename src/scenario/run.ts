// Runs a scenario on any MountNamespace, or on a MountSystem (many namespaces: unshare, nsenter,
// exit, kill and /proc/NAME/... paths). A failing line does not stop the run: it is recorded as
// `line N: CODE: message`, as a shell script without `set -e` would go on.
import { posix } from 'node:path';
import { MountError } from '../core/errors.js';
import { parse } from '../mountinfo/parse.js';
import type { MountFlag, MountNamespace } from '../core/namespace.js';
import type { MountProcess, MountShell, MountSystem } from '../core/system.js';
import { applyFlagChanges, splitMountOptions } from './options.js';
import { HOST, parseScenario, type Line, type PropagationChange, type Step } from './parse.js';

export interface LineFailure {
  line: number;
  text: string;
  /** The errno name of a refused operation, or ERR_SCENARIO_SYNTAX / ERR_SCENARIO_PATH / ERR_SCENARIO_NAMESPACE. */
  code: string;
  message: string;
  /** The broken rule, when the backend could name it. */
  reason?: string;
}

/** A namespace of the run, by the name of the process that holds it: `host`, or an unshare line's NAME. */
export interface NamedNamespace {
  name: string;
  /** Its /proc/PID/mountinfo, read now. */
  mountinfo(): string;
  /** Its mount and user namespaces (a run on a MountSystem: what a dump of the set needs). */
  namespaceIds?(): { mount: string; user: string };
}

export interface ScenarioResult {
  /** Lines that were operations (not comments or blanks). */
  steps: number;
  failures: LineFailure[];
  /** The directory relative paths resolved against when the run ended. */
  cwd: string;
  /** `host`, then each namespace an unshare line started whose process still runs, in the order they started. */
  namespaces: NamedNamespace[];
}

export interface RunOptions {
  /** Directory relative paths start from (default: the namespace's cwd()). */
  cwd?: string;
  /** When set, a path that resolves outside this directory is refused (ERR_SCENARIO_PATH), in every namespace. */
  confineTo?: string;
  /** Called after every line that ran, with its failure if it failed, and the namespaces running then. */
  afterLine?: (line: number, failure: LineFailure | undefined, namespaces: readonly NamedNamespace[]) => void;
}

/** A refusal of the runner itself, not of a backend: its code, and a message. */
class ScenarioError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const pathOutside = (message: string) => new ScenarioError('ERR_SCENARIO_PATH', message);
const namespaceProblem = (message: string) => new ScenarioError('ERR_SCENARIO_NAMESPACE', message);

/** One failure as the run reports it: `line N: CODE: message[ (reason)]`. */
export function formatFailure(failure: LineFailure): string {
  return `line ${failure.line}: ${failure.message}`;
}

function describe(error: unknown): { code: string; message: string; reason?: string } {
  if (error instanceof MountError) {
    if (error.reason === undefined) return { code: error.code, message: error.message };
    return { code: error.code, message: `${error.message} (${error.reason})`, reason: error.reason };
  }
  if (error instanceof ScenarioError) return { code: error.code, message: `${error.code}: ${error.message}` };
  throw error;
}

/**
 * The flags mount(8) starts a bind remount of `dir` from: those of the last mountinfo line at `dir`
 * (libmount's mnt_table_find_target(), which may be a mount tucked under the one the kernel
 * changes), its per-mount and superblock options read together, read-only if either is
 * (merge_optstr()); none when no line is at `dir`.
 */
function flagsInMountinfo(ns: MountNamespace, dir: string): MountFlag[] {
  const entry = parse(ns.mountinfo()).findLast((e) => e.mountPoint === dir);
  if (entry === undefined) return [];
  const { changes } = splitMountOptions(`${entry.mountOptions},${entry.superOptions}`);
  const readOnly = changes.some((change) => change.flag === 'ro' && change.set);
  return applyFlagChanges([], [...changes.filter((change) => change.flag !== 'ro'), { flag: 'ro', set: readOnly }]);
}

/** A process that runs the lines, and the directory relative paths start from there. */
interface Context {
  shell: MountNamespace;
  cwd: string;
}

/** The process an unshare line named, and the directory it was started in (where its /proc/NAME/cwd points). */
interface Holder {
  process: MountProcess;
  cwd: string;
  alive: boolean;
}

/** /proc/NAME/root... or /proc/NAME/cwd...: the name, the link, and the path after it. */
const procPath = /^\/+proc\/+([^/]+)\/+(root|cwd)(\/.*)?$/s;

/**
 * One run of a scenario, line after line: the stack of processes nsenter lines entered (the last
 * runs the next line), and the processes unshare lines named. runScenario() makes one; the fuzz
 * generator keeps one to know, between the lines it chooses, where the next will run.
 */
export class ScenarioRun {
  readonly #contexts: Context[];
  readonly #holders = new Map<string, Holder>();
  readonly #system: MountSystem | undefined;
  readonly #confineTo: string | undefined;

  constructor(target: MountNamespace | MountSystem, options: Pick<RunOptions, 'cwd' | 'confineTo'> = {}) {
    this.#system = isSystem(target) ? target : undefined;
    const init: MountNamespace = isSystem(target) ? target.init : target;
    this.#contexts = [{ shell: init, cwd: options.cwd ?? init.cwd() }];
    this.#confineTo = options.confineTo;
    if (isSystem(target)) this.#holders.set(HOST, { process: target.init, cwd: target.init.cwd(), alive: true });
  }

  get context(): Context {
    return this.#contexts.at(-1)!;
  }

  /** The process the next line runs as. */
  get shell(): MountNamespace {
    return this.context.shell;
  }

  /** How many nsenter lines the next line runs inside. */
  get depth(): number {
    return this.#contexts.length - 1;
  }

  /** The named processes still running, `host` first: each with the directory its /proc/NAME/cwd names. */
  holders(): { name: string; process: MountProcess; cwd: string }[] {
    return [...this.#holders].filter(([, holder]) => holder.alive).map(([name, { process, cwd }]) => ({ name, process, cwd }));
  }

  /** Runs one line: its failure, or undefined when it succeeded. */
  run(line: Line): LineFailure | undefined {
    if ('syntaxError' in line) {
      return { line: line.line, text: line.text, code: 'ERR_SCENARIO_SYNTAX', message: `ERR_SCENARIO_SYNTAX: ${line.syntaxError}` };
    }
    try {
      apply(this, line.step);
      return undefined;
    } catch (error) {
      return { line: line.line, text: line.text, ...describe(error) };
    }
  }

  /** `host` and the named processes still running, in the order they started. */
  namespaces(): NamedNamespace[] {
    if (this.#system === undefined) return [{ name: HOST, mountinfo: () => this.#contexts[0]!.shell.mountinfo() }];
    return this.holders().map(({ name, process }) => ({ name, mountinfo: () => process.mountinfo(), namespaceIds: () => process.namespaceIds() }));
  }

  /** An absolute path inside the confinement, or ERR_SCENARIO_PATH. */
  #confined(path: string, absolute: string): string {
    const root = this.#confineTo;
    if (root !== undefined && absolute !== root && !absolute.startsWith(root === '/' ? '/' : `${root}/`)) {
      throw pathOutside(`'${path}' resolves to '${absolute}', outside the scenario's directory '${root}'`);
    }
    return absolute;
  }

  /**
   * A line's path as the current process passes it: absolute, or for /proc/NAME/cwd/PATH and
   * /proc/NAME/root/PATH, /proc/PID/... of NAME's process, PATH confined as any path is.
   */
  resolve(path: string): string {
    const proc = procPath.exec(path);
    if (proc === null) return this.#confined(path, posix.resolve(this.context.cwd, path));
    const [, name, link, rest = ''] = proc as unknown as [string, string, 'root' | 'cwd', string | undefined];
    const holder = this.#holder(name);
    const base = link === 'cwd' ? holder.cwd : '/';
    const absolute = this.#confined(path, posix.resolve(base, `.${rest}`));
    const pid = holder.process.pid;
    if (link === 'root') return `/proc/${pid}/root${absolute}`;
    const relative = posix.relative(base, absolute);
    return relative === '' ? `/proc/${pid}/cwd` : `/proc/${pid}/cwd/${relative}`;
  }

  /** A plain directory for cd: /proc/NAME paths are for operands only. */
  directory(path: string): string {
    if (procPath.test(path)) throw pathOutside(`cd ${path}: the language reaches other namespaces through operands, not by changing directory (use nsenter)`);
    return this.resolve(path);
  }

  #systemFor(what: string): MountSystem {
    if (this.#system === undefined) throw namespaceProblem(`${what} needs a MountSystem (this run has a single MountNamespace)`);
    return this.#system;
  }

  #holder(name: string): Holder {
    this.#systemFor(`/proc/${name}`);
    const holder = this.#holders.get(name);
    if (holder === undefined) throw namespaceProblem(`no namespace named '${name}' (unshare -m ${name} starts one)`);
    return holder;
  }

  unshare(step: Extract<Step, { op: 'unshare' }>): void {
    const system = this.#systemFor('unshare');
    if (this.#holders.has(step.name)) throw namespaceProblem(`'${step.name}' names a namespace already`);
    const { shell, cwd } = this.context;
    const process = system.unshare(shell as MountShell, cwd, { mount: step.mount, user: step.user, propagation: step.propagation });
    this.#holders.set(step.name, { process, cwd, alive: true });
  }

  nsenter(step: Extract<Step, { op: 'nsenter' }>): void {
    const system = this.#systemFor('nsenter');
    const holder = this.#holder(step.name);
    const { shell, cwd } = this.context;
    const entered = system.nsenter(shell as MountShell, holder.process, { mount: step.mount, user: step.user });
    this.#contexts.push({ shell: entered, cwd });
  }

  exit(): void {
    const system = this.#systemFor('exit');
    if (this.#contexts.length === 1) throw namespaceProblem('exit: no nsenter to leave');
    system.kill(this.#contexts.pop()!.shell as MountShell);
  }

  kill(name: string): void {
    const system = this.#systemFor('kill');
    const holder = this.#holder(name);
    if (!holder.alive) throw new MountError('ESRCH', { syscall: 'kill', path: name, reason: `'${name}' was killed already` });
    system.kill(holder.process);
    holder.alive = false;
  }
}

function isSystem(target: MountNamespace | MountSystem): target is MountSystem {
  return 'unshare' in target && 'init' in target;
}

/** The --make-* changes a mount line carries, applied to its DST after the mount (mount(8)'s extra mount(2) calls). */
function applyThen(ns: MountNamespace, target: string, then: readonly PropagationChange[] | undefined): void {
  for (const { type, recursive } of then ?? []) ns.changePropagation(target, type, { recursive });
}

function apply(session: ScenarioRun, step: Step): void {
  const ns = session.context.shell;
  const resolve = (path: string) => session.resolve(path);
  switch (step.op) {
    case 'mkdir':
      for (const path of step.paths) ns.mkdir(resolve(path), { recursive: step.parents });
      return;
    case 'touch':
      for (const path of step.paths) ns.createFile(resolve(path));
      return;
    case 'cd':
      session.context.cwd = session.directory(step.path);
      return;
    case 'mount': {
      const target = resolve(step.target);
      ns.mount(step.fsType, step.source, target, step.data === undefined ? { flags: step.flags } : { flags: step.flags, data: step.data });
      return applyThen(ns, target, step.then);
    }
    case 'remount': {
      const target = resolve(step.target);
      ns.remountBind(target, applyFlagChanges(step.merge ? flagsInMountinfo(ns, target) : [], step.changes));
      return;
    }
    case 'bind': {
      const target = resolve(step.target);
      ns.bind(resolve(step.source), target, { recursive: step.recursive });
      return applyThen(ns, target, step.then);
    }
    case 'move': {
      const target = resolve(step.target);
      ns.move(resolve(step.source), target);
      return applyThen(ns, target, step.then);
    }
    case 'umount':
      ns.umount(resolve(step.target), { lazy: step.lazy });
      return;
    case 'propagation':
      ns.changePropagation(resolve(step.target), step.type, { recursive: step.recursive });
      return;
    case 'setGroup':
      ns.setGroup(resolve(step.source), resolve(step.target));
      return;
    case 'unshare':
      return session.unshare(step);
    case 'nsenter':
      return session.nsenter(step);
    case 'exit':
      return session.exit();
    case 'kill':
      return session.kill(step.name);
  }
}

/** Runs `script` (text or parsed lines) on `target`, line by line. */
export function runScenario(target: MountNamespace | MountSystem, script: string | Line[], options: RunOptions = {}): ScenarioResult {
  const lines = typeof script === 'string' ? parseScenario(script) : script;
  const session = new ScenarioRun(target, options);
  const failures: LineFailure[] = [];
  for (const line of lines) {
    const failure = session.run(line);
    if (failure) failures.push(failure);
    options.afterLine?.(line.line, failure, session.namespaces());
  }
  return { steps: lines.length, failures, cwd: session.context.cwd, namespaces: session.namespaces() };
}
