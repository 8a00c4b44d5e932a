// Applying a plan to a MountNamespace, all or nothing, through held places.
//
// - Held places: every path a step touches under --into or the staging directory is resolved
//   beneath that place (openBeneath: no symbolic link followed, nothing out of it), from the
//   mount on top of it now, and the step acts on what was resolved (bindAt, mountAt, mkdirAt, and
//   the handle forms of the other operations). The places themselves are walked from '/', one
//   component at a time, none a link. Only a bind source outside both (an --external path, the
//   caller's to name) is opened as named.
// - All or nothing: what each step makes is written down — the mounts that hang from something
//   the restore did not make (the others go with them), and the directories made where they would
//   outlive the restore's mounts — and a failed step takes it all back, mounts first (lazily, in
//   reverse), then directories (in reverse).
import { readdirSync, readFileSync } from 'node:fs';
import { InvariantError, MountError } from '../core/errors.js';
import type { MountHandle, MountNamespace, MountRef } from '../core/namespace.js';
import type { Plan, PlanStep, Target } from './plan.js';
import { isAtOrUnder } from './topology.js';

/** A plan step the namespace refused: which one, the error, and what undoing the steps before it could not take back. */
export class RestoreStepError extends Error {
  override name = 'RestoreStepError';
  readonly code = 'ERR_RESTORE_STEP';
  readonly step: number;
  /** What the undo could not remove (empty when the namespace is as it was). */
  readonly leftBehind: string[];

  constructor(step: number, text: string, cause: unknown, leftBehind: string[] = []) {
    super(`restore step ${step + 1} failed: ${text}: ${describeCause(cause)}${leftOver(leftBehind)}`, { cause });
    this.step = step;
    this.leftBehind = leftBehind;
  }
}

/** The refusal with its explanation, as set-group gives it (src/set-group/explain.ts). */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const reason = cause instanceof MountError ? cause.reason : undefined;
  return reason === undefined ? cause.message : `${cause.message}: ${reason}`;
}

function leftOver(leftBehind: readonly string[]): string {
  return leftBehind.length === 0 ? '; everything it made was undone' : `; undoing it failed for: ${leftBehind.join('; ')}`;
}

export interface ApplyOptions {
  /** Called after each step with how many are done. */
  progress?: (done: number, total: number) => void;
}

/** Shell-like quoting for the printed form of a plan. */
function word(text: string): string {
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  if (!text.includes("'")) return `'${text}'`;
  if (!text.includes('"')) return `"${text}"`;
  return JSON.stringify(text);
}

function targetWord(target: Target): string {
  return typeof target === 'string' ? word(target) : `@${target.pin}`;
}

/** One step as the scenario language (plus `pin`/`unpin` of mounts held by reference) writes it. */
export function formatStep(step: PlanStep): string {
  switch (step.op) {
    case 'mkdir':
      return `mkdir -p ${word(step.path)}`;
    case 'createFile':
      return `touch ${word(step.path)}`;
    case 'mount': {
      const options = [...step.flags, step.data].filter((option) => option !== '').join(',');
      return `mount -t ${word(step.fsType)}${options ? ` -o ${word(options)}` : ''} ${word(step.source)} ${word(step.target)}`;
    }
    case 'remount':
      // With a source, mount(8) sets exactly these flags; with DIR alone it would add them to the mount's own.
      return `mount -o ${['remount', 'bind', ...step.flags].join(',')} none ${targetWord(step.target)}`;
    case 'bind':
      return `mount --bind ${word(step.source)} ${word(step.target)}`;
    case 'attach':
      return `move_mount --clone-of ${word(step.source)} ${word(step.target)}`;
    case 'pin':
      return `pin @${step.name} ${word(step.path)}`;
    case 'propagation':
      return `mount --make-${step.type} ${targetWord(step.target)}`;
    case 'setGroup':
      return `mount --set-group ${targetWord(step.source)} ${targetWord(step.target)}`;
    case 'umount':
      return `umount -l ${word(step.target)}`;
    case 'unpin':
      return `unpin @${step.name}`;
  }
}

/** The paths a step names (its targets, and a bind's or set-group's source). */
export function pathsOf(step: PlanStep): string[] {
  switch (step.op) {
    case 'mkdir':
    case 'createFile':
      return [step.path];
    case 'mount':
    case 'umount':
      return [step.target];
    case 'bind':
    case 'attach':
      return [step.source, step.target];
    case 'pin':
      return [step.path];
    case 'propagation':
    case 'remount':
      return typeof step.target === 'string' ? [step.target] : [];
    case 'setGroup':
      return [step.source, step.target].filter((t): t is string => typeof t === 'string');
    case 'unpin':
      return [];
  }
}

/** What applying a plan cost: mount syscalls (mount, set-group, umount), mkdirs (and files made), and pins (opens). */
export interface ApplyCounts {
  steps: number;
  mountCalls: number;
  mkdirs: number;
  pins: number;
}

/** Which count a step adds to (unpin is a close: counted with its pin). */
export function kindOf(step: PlanStep): 'mountCalls' | 'mkdirs' | 'pins' {
  if (step.op === 'mkdir' || step.op === 'createFile') return 'mkdirs';
  if (step.op === 'pin' || step.op === 'unpin') return 'pins';
  return 'mountCalls';
}

/** Something a step made that undoing the restore takes back. */
type Made = { kind: 'mount'; handle: MountHandle; path: string } | { kind: 'directory'; dir: MountHandle; name: string; path: string };

/** A place the plan builds in (--into, the staging directory): its path, and, once walked to, the mount on top of it now. */
interface Place {
  path: string;
  top?: MountHandle;
}

/** The components of `path` below `dir` ('' for `dir` itself). */
function below(path: string, dir: string): string {
  return path === dir ? '' : path.slice(dir === '/' ? 1 : dir.length + 1);
}

/** `path` and every directory above it, up to '/'. */
function* selfAndAncestors(path: string): Generator<string> {
  yield path;
  for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) yield path.slice(0, end);
  if (path !== '/') yield '/';
}

const isCode = (error: unknown, code: string): boolean => error instanceof MountError && error.code === code;

/** The fds a restore leaves to others, and to its own resolutions, when it keeps handles on the mounts it made. */
const FD_RESERVE = 512;

/**
 * How many mounts made by the restore it may keep a handle on for its later steps (set-group,
 * propagation, flags): on the kernel each is an open fd, so as many as RLIMIT_NOFILE leaves beside
 * the fds open now and a reserve (Node raises the soft limit to the hard one when it starts). Past
 * it, a later step resolves the mount's path again, as for any other path.
 */
function mountsToKeep(ns: MountNamespace): number {
  if (ns.backend !== 'kernel') return Infinity;
  try {
    const limit = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    const soft = limit === undefined ? 1024 : limit === 'unlimited' ? 2 ** 20 : Number(limit);
    return Math.max(0, soft - readdirSync('/proc/self/fd').length - FD_RESERVE);
  } catch {
    return 1024 - FD_RESERVE;
  }
}

/** Handles with several users (a place's top, a record to undo, a cache): each user keeps it, and it is let go when the last one drops it. */
class Holds {
  readonly #users = new Map<MountHandle, number>();

  constructor(readonly ns: MountNamespace) {}

  keep(handle: MountHandle): MountHandle {
    this.#users.set(handle, (this.#users.get(handle) ?? 0) + 1);
    return handle;
  }

  drop(handle: MountHandle): void {
    const users = this.#users.get(handle)! - 1;
    if (users > 0) return void this.#users.set(handle, users);
    this.#users.delete(handle);
    this.ns.unpin(handle);
  }

  dropAll(): void {
    for (const handle of this.#users.keys()) this.ns.unpin(handle);
    this.#users.clear();
  }
}

/**
 * One application of a plan: run() applies it, undo() takes back what it made, close() lets go of
 * every handle (and, after a successful run, of the staging directory it created).
 */
export class PlanApplication {
  readonly #ns: MountNamespace;
  readonly #plan: Plan;
  readonly #places: Place[];
  readonly #holds: Holds;
  #root: MountHandle | undefined;
  /** What the steps made, in order. */
  readonly #made: Made[] = [];
  /** Mounts pinned by the plan's `pin` steps, by name. */
  readonly #pins = new Map<string, MountHandle>();
  /** The mount the restore made last at each path (as many as mountsToKeep() allows): what the path names for its later steps, as the plan pins whatever gets covered. */
  readonly #mountsMade = new Map<string, MountHandle>();
  readonly #mountsKept: number;
  /** Bind sources in staging that are directories of a mount (a superblock's root other than '/'), opened once each. */
  readonly #sources = new Map<string, MountHandle>();
  /** Where the steps have mounted so far; `#fresh` leaves out the private bind of --into onto itself, which shows the same directory. */
  readonly #mounted = new Set<string>();
  readonly #fresh = new Set<string>();
  #succeeded = false;

  constructor(ns: MountNamespace, plan: Plan) {
    this.#ns = ns;
    this.#plan = plan;
    this.#places = [{ path: plan.into }, { path: plan.staging }];
    this.#holds = new Holds(ns);
    this.#mountsKept = mountsToKeep(ns);
  }

  /** Applies every step; a refused one undoes the others and throws RestoreStepError. */
  run(options: ApplyOptions = {}): ApplyCounts {
    const { steps } = this.#plan;
    const counts: ApplyCounts = { steps: steps.length, mountCalls: 0, mkdirs: 0, pins: 0 };
    steps.forEach((step, i) => {
      try {
        this.#apply(step);
      } catch (error) {
        throw new RestoreStepError(i, formatStep(step), error, this.undo());
      }
      counts[kindOf(step)]++;
      options.progress?.(i + 1, steps.length);
    });
    this.#succeeded = true;
    return counts;
  }

  /**
   * Applies one step, as run() does, without undoing anything when it is refused: a restore of a
   * set interleaves the steps of several namespaces' applications and undoes them all (done() once
   * every step has been applied).
   */
  apply(step: PlanStep): void {
    this.#apply(step);
  }

  /** Every step was applied (apply()): close() may remove the staging directories. */
  done(): void {
    this.#succeeded = true;
  }

  /** The mount a `pin` step pinned as `name`, until its `unpin`. */
  pinned(name: string): MountHandle | undefined {
    return this.#pins.get(name);
  }

  /** Takes back what the steps made: mounts lazily, newest first, then directories, newest first. Returns what could not be. */
  undo(): string[] {
    const failures: string[] = [];
    const made = this.#made.splice(0).reverse();
    for (const mount of made) if (mount.kind === 'mount') this.#detach(mount, failures);
    for (const directory of made) if (directory.kind === 'directory') this.#removeDirectory(directory, failures, true);
    this.#succeeded = false;
    return failures;
  }

  /** Lets go of every handle; after a successful run, removes the directories made for staging (its tmpfs is gone by then). */
  close(): void {
    if (this.#succeeded) {
      const failures: string[] = [];
      for (const made of this.#made.slice().reverse()) {
        if (made.kind === 'directory' && isAtOrUnder(made.path, this.#plan.staging)) this.#removeDirectory(made, failures, false);
      }
    }
    for (const pin of this.#pins.values()) this.#ns.unpin(pin);
    this.#pins.clear();
    this.#holds.dropAll();
  }

  /** A mount and everything stacked on it, detached: the topmost first, until the mount itself is gone (EINVAL: not mounted). */
  #detach(made: Extract<Made, { kind: 'mount' }>, failures: string[]): void {
    for (let round = 0; round <= this.#mounted.size + 1; round++) {
      try {
        this.#ns.umount(made.handle, { lazy: true });
      } catch (error) {
        if (!isCode(error, 'EINVAL')) failures.push(`umount -l ${made.path}: ${describeCause(error)}`);
        return;
      }
    }
  }

  #removeDirectory(made: Extract<Made, { kind: 'directory' }>, failures: string[], gone: boolean): void {
    try {
      this.#ns.rmdirAt(made.dir, made.name);
    } catch (error) {
      if (!(gone && isCode(error, 'ENOENT'))) failures.push(`rmdir ${made.path}: ${describeCause(error)}`);
    }
  }

  #apply(step: PlanStep): void {
    switch (step.op) {
      case 'mkdir':
        return this.#mkdir(step.path);
      case 'createFile':
        return this.#createFile(step.path);
      case 'mount':
        return this.#onto(step.target, false, (target) => this.#ns.mountAt(step.fsType, step.source, target, { flags: step.flags, data: step.data }));
      case 'bind':
        return this.#onto(step.target, step.source === step.target, (target) => this.#withSource(step.source, (source) => this.#ns.bindAt(source, target)));
      case 'attach':
        return this.#onto(step.target, false, (target) => this.#ns.attachAt(step.source, target));
      case 'remount':
        return this.#at(step.target, (target) => this.#ns.remountBind(target, step.flags));
      case 'pin':
        this.#pins.set(step.name, this.#pin(step.path));
        return;
      case 'propagation':
        return this.#at(step.target, (target) => this.#ns.changePropagation(target, step.type));
      case 'setGroup':
        return this.#at(step.source, (source) => this.#at(step.target, (target) => this.#ns.setGroup(source, target)));
      case 'umount':
        return this.#at(step.target, (target) => this.#ns.umount(target, { lazy: true }));
      case 'unpin':
        this.#ns.unpin(this.#pins.get(step.name)!);
        this.#pins.delete(step.name);
        return;
    }
  }

  /** The place (--into or staging) `path` lies at or under. */
  #placeOf(path: string): Place | undefined {
    return this.#places.find((place) => isAtOrUnder(path, place.path));
  }

  /** The mount on top of a place now, walking to it from '/' the first time, one component at a time (making what is missing when `create`). */
  #topOf(place: Place, create: boolean): MountHandle {
    if (place.top) return place.top;
    this.#root ??= this.#holds.keep(this.#ns.pin('/'));
    let at = this.#root;
    let path = '';
    for (const name of place.path.split('/').filter(Boolean)) {
      path = `${path}/${name}`;
      at = this.#holds.keep(this.#step(at, name, path, create));
    }
    place.top = this.#holds.keep(at);
    return at;
  }

  /** What `name` in `dir` holds now; when missing and `create`, a new directory (written down where it would outlive the restore's mounts). */
  #step(dir: MountHandle, name: string, path: string, create: boolean): MountHandle {
    try {
      return this.#ns.openBeneath(dir, name);
    } catch (error) {
      if (!create || !isCode(error, 'ENOENT')) throw error;
    }
    try {
      this.#ns.mkdirAt(dir, name);
      this.#madeDirectory(dir, name, path);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error; // made meanwhile by someone else: theirs
    }
    return this.#ns.openBeneath(dir, name);
  }

  /** A directory this restore made: written down when no mount of the restore shows something new above it (it would outlive them). */
  #madeDirectory(dir: MountHandle, name: string, path: string): void {
    for (const above of selfAndAncestors(path)) if (above !== path && this.#fresh.has(above)) return;
    this.#made.push({ kind: 'directory', dir: this.#holds.keep(dir), name, path });
  }

  /** mkdir -p: every missing directory of `path`, made through the one above it. */
  #mkdir(path: string): void {
    const place = this.#placeOf(path);
    if (!place) throw new InvariantError(`a plan makes directories only under --into and staging, not '${path}'`);
    const top = this.#topOf(place, true);
    const names = below(path, place.path).split('/').filter(Boolean);
    if (names.length === 0) return;
    const parent = names.length === 1 ? this.#holds.keep(top) : this.#openOrMake(top, names.slice(0, -1), place.path);
    try {
      this.#ns.mkdirAt(parent, names.at(-1)!);
      this.#madeDirectory(parent, names.at(-1)!, path);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
    } finally {
      this.#holds.drop(parent);
    }
  }

  /**
   * touch: an empty file at `path`, made through the directory above it (which the plan has made).
   * A plan makes files only where a mount it made will take them away (a mount point in a restored
   * mount, a root in a staging superblock), so there is nothing to undo.
   */
  #createFile(path: string): void {
    const place = this.#placeOf(path);
    if (!place || ![...selfAndAncestors(path)].some((above) => above !== path && this.#fresh.has(above))) {
      throw new InvariantError(`a plan makes files only in mounts it made, not at '${path}'`);
    }
    const names = below(path, place.path).split('/');
    const parent = this.#holds.keep(this.#ns.openBeneath(this.#topOf(place, false), names.slice(0, -1).join('/') || '.'));
    try {
      this.#ns.createFileAt(parent, names.at(-1)!);
    } finally {
      this.#holds.drop(parent);
    }
  }

  /** The directory `names` lead to from `top`, making the missing ones one by one; kept (the caller drops it). */
  #openOrMake(top: MountHandle, names: string[], placePath: string): MountHandle {
    try {
      return this.#holds.keep(this.#ns.openBeneath(top, names.join('/')));
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error;
    }
    let at = this.#holds.keep(top);
    let path = placePath;
    for (const name of names) {
      path = `${path === '/' ? '' : path}/${name}`;
      const next = this.#step(at, name, path, true);
      this.#holds.drop(at);
      at = this.#holds.keep(next);
    }
    return at;
  }

  /**
   * Runs `body` on what `path` names now, held for the call: a place's own path is its top, others
   * are resolved beneath their place — or, for a step that acts on a mount (`mountAt`: not one that
   * mounts onto a path), the mount the restore made there last: what the path names once the tree
   * is built, since the plan pins every mount that something covers.
   */
  #borrow<T>(path: string, body: (handle: MountHandle) => T, mountAt = false): T {
    const place = this.#placeOf(path);
    const known = place && path === place.path ? this.#topOf(place, false) : mountAt ? this.#mountsMade.get(path) : undefined;
    const handle = this.#holds.keep(known ?? (place ? this.#ns.openBeneath(this.#topOf(place, false), below(path, place.path)) : this.#ns.pin(path)));
    try {
      return body(handle);
    } finally {
      this.#holds.drop(handle);
    }
  }

  /** A handle of its own on what `path` names now (a pin outlives the steps that follow). */
  #pin(path: string): MountHandle {
    const place = this.#placeOf(path);
    if (!place) return this.#ns.pin(path);
    return this.#ns.openBeneath(this.#topOf(place, false), below(path, place.path) || '.');
  }

  /** Runs `body` on a step's target: a pinned mount, or what its path names now. */
  #at<T>(target: Target, body: (ref: MountRef) => T): T {
    if (typeof target !== 'string') return body(this.#pins.get(target.pin)!);
    return this.#borrow(target, body, true);
  }

  /** A bind source: a directory of a mount in staging (a superblock's root other than '/') opened once and kept (nothing is mounted over them after they are made); others as #borrow finds them. */
  #withSource<T>(path: string, body: (source: MountHandle) => T): T {
    const place = this.#placeOf(path);
    if (place?.path !== this.#plan.staging || this.#mountsMade.has(path) || path === place.path) return this.#borrow(path, body, true);
    let source = this.#sources.get(path);
    if (!source) {
      source = this.#holds.keep(this.#ns.openBeneath(this.#topOf(place, false), below(path, place.path)));
      this.#sources.set(path, source);
    }
    return body(source);
  }

  /** A mount made on what `path` names now: it becomes the place's top when `path` is a place, is kept for later steps, and is written down when it hangs from nothing the restore made. */
  #onto(path: string, holdsInto: boolean, mount: (target: MountHandle) => MountHandle): void {
    const made = this.#holds.keep(this.#borrow(path, mount));
    const topLevel = ![...selfAndAncestors(path)].some((above) => this.#mounted.has(above));
    this.#mounted.add(path);
    if (!holdsInto) this.#fresh.add(path);
    for (const [sourcePath, source] of this.#sources) {
      if (isAtOrUnder(sourcePath, path)) {
        this.#holds.drop(source);
        this.#sources.delete(sourcePath);
      }
    }
    if (topLevel) this.#made.push({ kind: 'mount', handle: this.#holds.keep(made), path });
    const place = this.#placeOf(path);
    if (place && path === place.path) {
      this.#holds.drop(place.top!);
      place.top = this.#holds.keep(made);
    }
    const replaced = this.#mountsMade.get(path);
    if (replaced) this.#holds.drop(replaced);
    if (replaced || this.#mountsMade.size < this.#mountsKept) this.#mountsMade.set(path, this.#holds.keep(made));
    else this.#mountsMade.delete(path);
    this.#holds.drop(made);
  }
}

/** Runs the steps of `plan` on `ns`, all or nothing (a failure undoes every step before it), and counts the calls by kind. */
export function applyPlan(ns: MountNamespace, plan: Plan, options: ApplyOptions = {}): ApplyCounts {
  const application = new PlanApplication(ns, plan);
  try {
    return application.run(options);
  } finally {
    application.close();
  }
}
