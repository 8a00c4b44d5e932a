// A scratch tmpfs for a child in its own private mount namespace: the place every kernel test,
// probe and demo builds its mounts. Refuses to run in the namespace of the process that started it.
import { mkdirSync, mkdtempSync, readlinkSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvariantError } from '../core/errors.js';
import * as sys from '../native/syscalls.js';

/** Throws unless this process lives in a different mount namespace from its parent. */
export function assertOwnMountNamespace(): void {
  const own = readlinkSync('/proc/self/ns/mnt');
  const parents = readlinkSync(`/proc/${process.ppid}/ns/mnt`);
  if (own === parents) {
    throw new InvariantError(
      `refusing to mount: this process shares its mount namespace (${own}) with its parent; ` +
        'run it under unshare -m --propagation private',
    );
  }
}

/** Mounts a fresh private tmpfs on a new directory, runs `body` in it, then detaches and removes it. */
export async function withScratch<T>(body: (dir: string) => T | Promise<T>): Promise<T> {
  assertOwnMountNamespace();
  const dir = mkdtempSync(join(tmpdir(), 'mount-set-group-'));
  sys.mount('scratch', dir, 'tmpfs', 0, 'mode=755');
  try {
    return await body(dir);
  } finally {
    sys.umount2(dir, sys.addon().constants.MNT_DETACH);
    rmdirSync(dir);
  }
}

/** Makes two mounts set-group can join: `source`, a shared tmpfs named `name`, and `target`, a private bind of it. */
export function makeJoinablePair(source: string, target: string, name: string): void {
  const { MS_BIND, MS_SHARED } = sys.addon().constants;
  mkdirSync(source);
  mkdirSync(target);
  sys.mount(name, source, 'tmpfs', 0, null);
  sys.mount(source, target, null, MS_BIND, null);
  sys.changePropagation(source, MS_SHARED);
}
