// Where the patched VM kernel lives: the inputs that define it (Debian's linux-source tarball, the
// patch series and the config fragment in kernel-patch/), the cache key derived from them, and the
// cache directory outside the git tree that holds each build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian's kernel source package the patch series is written against. */
export const SOURCE_PACKAGE = 'linux-source-6.12';
/** Where that package installs its tarball. */
export const SOURCE_TARBALL = `/usr/src/${SOURCE_PACKAGE}.tar.xz`;
/** Bumped whenever the build steps change in a way that changes the kernel they produce. */
const RECIPE_VERSION = 1;

/** The inputs of one kernel build, and the cache key that names it. */
export interface KernelInputs {
  tarball: string;
  patches: string[];
  fragment: string;
  key: string;
}

/** Paths of one keyed build in the cache. */
export interface KernelBuildPaths {
  dir: string;
  tree: string;
  bzImage: string;
  log: string;
  info: string;
}

/** The project's kernel-patch/ directory, found from this module (src/vm or dist/vm). */
export function kernelPatchDir(): string {
  return fileURLToPath(new URL('../../kernel-patch/', import.meta.url));
}

/** The cache root: $MOUNT_SET_GROUP_KERNEL_CACHE, else $XDG_CACHE_HOME or ~/.cache, then mount-set-group/kernel. */
export function kernelCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MOUNT_SET_GROUP_KERNEL_CACHE) return resolve(env.MOUNT_SET_GROUP_KERNEL_CACHE);
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, 'mount-set-group', 'kernel');
}

/** The patch series in apply order: kernel-patch/NNNN-*.patch. */
export function patchSeries(dir = kernelPatchDir()): string[] {
  return readdirSync(dir)
    .filter((name) => /^\d{4}-.*\.patch$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** The tarball's identity without reading 150 MB: name, size and modification time. */
function tarballIdentity(tarball: string): string {
  const st = statSync(tarball);
  return `${basename(tarball)}:${st.size}:${Math.trunc(st.mtimeMs)}`;
}

/** The part of a `git format-patch` file that changes the tree: from the first diff to the signature. */
export function patchBody(text: string): string {
  const start = text.search(/^diff --git /m);
  const body = start < 0 ? text : text.slice(start);
  const signature = body.search(/^-- $/m);
  return signature < 0 ? body : body.slice(0, signature);
}

/**
 * The cache key: a hash of the recipe version, the tarball's identity, the body of each patch (so that
 * editing a commit message does not rebuild) and the fragment.
 */
export function cacheKey(tarball: string, patches: string[], fragment: string): string {
  const hash = createHash('sha256').update(`recipe ${RECIPE_VERSION}\n${tarballIdentity(tarball)}\n`);
  for (const patch of patches) hash.update(`${basename(patch)}\n${patchBody(readFileSync(patch, 'utf8'))}\n`);
  hash.update(`vm.config\n${readFileSync(fragment, 'utf8')}`);
  return hash.digest('hex').slice(0, 16);
}

/** The inputs of the build defined by the current kernel-patch/ directory. */
export function kernelInputs(tarball = SOURCE_TARBALL, dir = kernelPatchDir()): KernelInputs {
  const patches = patchSeries(dir);
  const fragment = join(dir, 'vm.config');
  return { tarball, patches, fragment, key: cacheKey(tarball, patches, fragment) };
}

/** The paths of the build with this key. */
export function kernelBuildPaths(key: string, root = kernelCacheRoot()): KernelBuildPaths {
  const dir = join(root, `${SOURCE_PACKAGE}-${key}`);
  return {
    dir,
    tree: join(dir, 'tree'),
    bzImage: join(dir, 'bzImage'),
    log: join(dir, 'build.log'),
    info: join(dir, 'kernel.json'),
  };
}

/** The cached patched bzImage for the current kernel-patch/ directory, or why there is none. */
export function defaultKernel(): { path: string } | { missing: string } {
  const howTo = 'build it with `mount-set-group kernel-build` (`npm run kernel:build` in a clone), or pass --kernel';
  if (!existsSync(kernelPatchDir())) return { missing: `no kernel-patch/ directory next to this install; ${howTo}` };
  if (!existsSync(SOURCE_TARBALL)) return { missing: `${SOURCE_TARBALL} is missing; ${howTo}` };
  const { bzImage } = kernelBuildPaths(kernelInputs().key);
  if (!existsSync(bzImage)) return { missing: `the patched kernel is not built yet (${bzImage}); ${howTo}` };
  return { path: bzImage };
}
