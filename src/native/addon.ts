// Loads the C++ addon with node-gyp-build (a local build/Release first, then prebuilds/) and gives it
// a type. Loading is lazy: importing the package never needs the addon; only kernel calls do, and
// where it cannot load they throw AddonUnavailableError saying why and how to get it.
import { createRequire } from 'node:module';
import { arch, platform } from 'node:process';
import { fileURLToPath } from 'node:url';

/** The addon's exports: each call returns its result (0 or an fd) or -errno. */
export interface Addon {
  mount(source: string | null, target: string, fsType: string | null, flags: number, data: string | null): number;
  changePropagation(target: string, flags: number): number;
  mountSetGroup(source: string, target: string): number;
  moveMountSetGroup(from: string | number, to: string | number): number;
  umount2(target: string, flags: number): number;
  openTree(from: string | number, flags: number): number;
  moveMount(from: string | number, to: string | number, flags: number): number;
  openat2(dirfd: number, path: string, flags: number, resolve: number): number;
  mkdirat(dirfd: number, path: string, mode: number): number;
  unlinkat(dirfd: number, path: string, flags: number): number;
  fsopen(fsName: string, flags: number): number;
  fsconfig(fd: number, cmd: number, key: string | null, value: string | null, aux: number): number;
  fsmount(fd: number, flags: number, attrFlags: number): number;
  openPath(path: string): number;
  close(fd: number): number;
  constants: AddonConstants;
}

export interface AddonConstants {
  MS_RDONLY: number;
  MS_NOSUID: number;
  MS_NODEV: number;
  MS_NOEXEC: number;
  MS_NOATIME: number;
  MS_NODIRATIME: number;
  MS_RELATIME: number;
  MS_STRICTATIME: number;
  MS_NOSYMFOLLOW: number;
  MS_REMOUNT: number;
  MS_BIND: number;
  MS_MOVE: number;
  MS_REC: number;
  MS_UNBINDABLE: number;
  MS_PRIVATE: number;
  MS_SLAVE: number;
  MS_SHARED: number;
  MS_SET_GROUP: number;
  MNT_FORCE: number;
  MNT_DETACH: number;
  OPEN_TREE_CLONE: number;
  OPEN_TREE_CLOEXEC: number;
  AT_RECURSIVE: number;
  AT_FDCWD: number;
  AT_REMOVEDIR: number;
  O_PATH: number;
  O_CLOEXEC: number;
  O_DIRECTORY: number;
  RESOLVE_NO_XDEV: number;
  RESOLVE_NO_MAGICLINKS: number;
  RESOLVE_NO_SYMLINKS: number;
  RESOLVE_BENEATH: number;
  RESOLVE_IN_ROOT: number;
  FSOPEN_CLOEXEC: number;
  FSMOUNT_CLOEXEC: number;
  FSCONFIG_SET_FLAG: number;
  FSCONFIG_SET_STRING: number;
  FSCONFIG_CMD_CREATE: number;
  MOUNT_ATTR_RDONLY: number;
  MOUNT_ATTR_NOSUID: number;
  MOUNT_ATTR_NODEV: number;
  MOUNT_ATTR_NOEXEC: number;
  MOUNT_ATTR_RELATIME: number;
  MOUNT_ATTR_NOATIME: number;
  MOUNT_ATTR_STRICTATIME: number;
  MOUNT_ATTR_NODIRATIME: number;
  MOUNT_ATTR_NOSYMFOLLOW: number;
}

/** The native addon is not there for this platform, or failed to load. */
export class AddonUnavailableError extends Error {
  override name = 'AddonUnavailableError';
  readonly code = 'ERR_MOUNT_SET_GROUP_ADDON';
}

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Set in a process that must never change mounts (the test runner): the addon then refuses to load,
 * so a mistake cannot reach the kernel there. Children in private namespaces run without it.
 */
export const NO_SYSCALLS_VARIABLE = 'MOUNT_SET_GROUP_NO_SYSCALLS';
let loaded: { addon: Addon } | { error: AddonUnavailableError } | undefined;

function explainLoadFailure(cause: unknown): AddonUnavailableError {
  const what = platform === 'linux'
    ? `no prebuilt binary of mount-set-group matches linux-${arch} here and none was built from source`
    : `mount-set-group's kernel calls exist only on Linux (this is ${platform})`;
  return new AddonUnavailableError(
    `${what}. Either allow its install script and reinstall (npm install-scripts approve mount-set-group, ` +
      `then npm rebuild mount-set-group) or build it from source with a C++ toolchain (python3, make, g++): ` +
      `npm rebuild mount-set-group. The model backend works without it.`,
    { cause },
  );
}

function tryLoad(): { addon: Addon } | { error: AddonUnavailableError } {
  if (process.env[NO_SYSCALLS_VARIABLE]) {
    return {
      error: new AddonUnavailableError(
        `mount syscalls are forbidden in this process (${NO_SYSCALLS_VARIABLE} is set): run mount-changing code in a child under unshare -m --propagation private`,
      ),
    };
  }
  try {
    const load = createRequire(import.meta.url)('node-gyp-build') as (dir: string) => Addon;
    return { addon: load(packageRoot) };
  } catch (cause) {
    return { error: explainLoadFailure(cause) };
  }
}

/** The addon, or an AddonUnavailableError that says what is missing. */
export function addon(): Addon {
  if (ready) return ready;
  loaded ??= tryLoad();
  if ('error' in loaded) throw loaded.error;
  ready = loaded.addon;
  return ready;
}

let ready: Addon | undefined;

/** Why the addon cannot load, or undefined when it can. */
export function addonUnavailable(): AddonUnavailableError | undefined {
  loaded ??= tryLoad();
  return 'error' in loaded ? loaded.error : undefined;
}
