// Directory trees of superblocks (the part of fs/dcache.c the model needs).
import { Dentry } from './types.js';

/** d_lookup(): the directory `name` in `dir`, if it exists. */
export function dLookup(dir: Dentry, name: string): Dentry | undefined {
  return dir.children.get(name);
}

/** d_alloc() + mkdir: a new, empty directory `name` in `dir`. */
export function dMkdir(dir: Dentry, name: string): Dentry {
  const dentry = new Dentry(dir.sb, name, dir);
  dir.children.set(name, dentry);
  return dentry;
}

/** d_delete() of an empty directory: `dentry` leaves its parent. */
export function dRmdir(dentry: Dentry): void {
  dentry.parent!.children.delete(dentry.name);
}

/** d_alloc() + mknod S_IFREG: a new, empty regular file `name` in `dir`. */
export function dMknod(dir: Dentry, name: string): Dentry {
  const dentry = new Dentry(dir.sb, name, dir, false);
  dir.children.set(name, dentry);
  return dentry;
}

/** is_subdir(): `d` is `ancestor` or lies below it (in one superblock). */
export function isSubdir(d: Dentry, ancestor: Dentry): boolean {
  if (d.sb !== ancestor.sb) return false;
  let p: Dentry = d;
  while (p.depth > ancestor.depth) p = p.parent!;
  return p === ancestor;
}

/** The path of `d` below `top` ("" for `top` itself, "/a/b" below it). `d` must lie under `top`. */
export function pathBelow(d: Dentry, top: Dentry): string {
  const names: string[] = [];
  for (let p = d; p !== top; p = p.parent!) names.push(p.name);
  let path = '';
  for (let i = names.length - 1; i >= 0; i--) path += `/${names[i]!}`;
  return path;
}

/** The path of `d` from its superblock's root, as mountinfo's field 4 shows a mount's root. */
export function dentryPath(d: Dentry): string {
  return pathBelow(d, d.sb.root) || '/';
}
