// The kernel backend's guard for restore: every path a step touches stays inside the places the
// caller named. A path is refused when a component of it is a symbolic link (a link planted in
// the tree, or brought in by a bind, could send a mount anywhere).
//
// A component found not to be a link stays trusted until something is mounted on one of its
// ancestors (which replaces what lies below), and one found missing stays so until the next mount
// (in between, only the plan's own mkdirs can make it, and they make directories; what they make
// is trusted as made); so each directory is looked at about once, not once per path that crosses it.
import { lstatSync, type Stats } from 'node:fs';
import { mountError } from '../core/errors.js';
import type { PlanStep } from './plan.js';
import { isAtOrUnder } from './topology.js';

/** What applying a plan asks of a guard: check a path before a step, and hear of every step done. */
export interface PathGuard {
  /** Throws when `path` must not be touched. */
  check(path: string): void;
  /** A step was applied: a mount changes what lies below its target, a mkdir makes a directory. */
  applied(step: PlanStep): void;
}

function refuse(path: string, link: string): never {
  throw mountError('ELOOP', { syscall: 'restore', path, reason: `'${link}' is a symbolic link; a restore never follows one` });
}

/** The proper ancestors of `path`, nearest first, up to and including '/'. */
function* ancestorsOf(path: string): Generator<string> {
  for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) yield path.slice(0, end);
  if (path !== '/') yield '/';
}

/**
 * lstat(2) of `path`, or undefined where there is nothing to look at yet (missing, or under a
 * non-directory: the step that needs it fails on its own). A missing path, the common case, costs
 * no exception.
 */
function lookAt(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

class SymlinkGuard implements PathGuard {
  /** Directories seen not to be links, with the moment they were looked at. */
  readonly #trusted = new Map<string, number>();
  /** Components found missing, with the moment they were looked for. */
  readonly #missing = new Map<string, number>();
  /** Where mounts were made, with the moment of the latest. */
  readonly #mountedAt = new Map<string, number>();
  #clock = 0;

  constructor(readonly places: readonly string[]) {
    for (const place of places) this.#walk(place, '/');
  }

  check(path: string): void {
    const place = this.places.find((p) => isAtOrUnder(path, p));
    if (place !== undefined) this.#walk(path, place); // a bind source outside the restore is the caller's to name
  }

  applied(step: PlanStep): void {
    if (step.op === 'mkdir') this.#trusted.set(step.path, this.#clock);
    if (step.op === 'mount' || step.op === 'bind' || step.op === 'umount') this.#mountedAt.set(step.target, ++this.#clock);
  }

  /** Looks at each component of `path` below `from` not trusted yet; stops at one that does not exist yet. */
  #walk(path: string, from: string): void {
    let prefix = from === '/' ? '' : from;
    for (const part of path.slice(prefix.length).split('/').filter(Boolean)) {
      prefix = `${prefix}/${part}`;
      if (this.#stillTrusted(prefix)) continue;
      if (this.#missing.get(prefix) === this.#clock) return;
      const stats = lookAt(prefix);
      if (stats === undefined) {
        this.#missing.set(prefix, this.#clock);
        return; // not there yet: the step creates it
      }
      if (stats.isSymbolicLink()) refuse(path, prefix);
      this.#trusted.set(prefix, this.#clock);
    }
  }

  /** Trusted, and nothing mounted on an ancestor since it was looked at. */
  #stillTrusted(directory: string): boolean {
    const seen = this.#trusted.get(directory);
    if (seen === undefined) return false;
    for (const ancestor of ancestorsOf(directory)) if ((this.#mountedAt.get(ancestor) ?? -1) > seen) return false;
    return true;
  }
}

/** A guard for steps at or under `places` (absolute, normalized directories, checked whole now). */
export function symlinkGuard(places: readonly string[]): PathGuard {
  return new SymlinkGuard(places);
}
