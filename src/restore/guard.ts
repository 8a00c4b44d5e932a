// The kernel backend's guard for restore: every path a step touches stays inside the places the
// caller named. A path is refused when a component of it is a symbolic link (a link planted in
// the tree, or brought in by a bind, could send a mount anywhere).
import { lstatSync } from 'node:fs';
import { mountError } from '../errors.js';
import { isAtOrUnder } from './topology.js';

/** The first component of `path` below `from` that is a symbolic link, if any exists. */
function firstSymlink(path: string, from: string): string | undefined {
  let prefix = from === '/' ? '' : from;
  for (const part of path.slice(prefix.length).split('/').filter(Boolean)) {
    prefix = `${prefix}/${part}`;
    try {
      if (lstatSync(prefix).isSymbolicLink()) return prefix;
    } catch {
      return undefined; // not there yet: the step creates it
    }
  }
  return undefined;
}

function refuse(path: string, link: string): never {
  throw mountError('ELOOP', { syscall: 'restore', path, reason: `'${link}' is a symbolic link; a restore never follows one` });
}

/**
 * A guard for steps at or under `places` (absolute, normalized directories): the places are checked
 * whole now, and each path later from its place down, since binds change what lies below.
 */
export function symlinkGuard(places: readonly string[]): (path: string) => void {
  for (const place of places) {
    const link = firstSymlink(place, '/');
    if (link !== undefined) refuse(place, link);
  }
  return (path) => {
    const place = places.find((p) => isAtOrUnder(path, p));
    if (place === undefined) return; // a bind source outside the restore: named by the caller
    const link = firstSymlink(path, place);
    if (link !== undefined) refuse(path, link);
  };
}
