// The foreign-propagation probe's child: run by probeForeignPropagation() under `unshare -m
// --propagation private`. Mounts a tmpfs on its scratch directory, starts a grandchild in a further
// private mount namespace (which gets a copy of it), tries to make the grandchild's copy shared
// through /proc/PID/root, and prints whether the kernel did it (as the grandchild's mountinfo shows).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MountError } from '../core/errors.js';
import { withScratch } from '../process/scratch.js';
import { readMountinfo } from '../process/read-mountinfo.js';
import * as sys from '../native/syscalls.js';
import type { ForeignTrial } from './probe.js';

/** A process in a new private mount namespace that waits until its stdin closes. */
async function otherNamespace(): Promise<ChildProcess> {
  const child = spawn('unshare', ['-m', '--propagation', 'private', '--', 'sh', '-c', 'echo ready && exec cat'], { stdio: ['pipe', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout! })) if (line === 'ready') return child;
  throw new Error('the probe grandchild exited before it was ready');
}

/** Allowed when the call succeeds and the other namespace's copy (only) became shared. */
function tryForeignChange(pid: number, mountPoint: string): ForeignTrial {
  try {
    sys.changePropagation(`/proc/${pid}/root${mountPoint}`, sys.addon().constants.MS_SHARED);
  } catch (error) {
    if (error instanceof MountError) return { allowed: false, code: error.code };
    throw error;
  }
  const theirs = readMountinfo(pid).find((entry) => entry.mountPoint === mountPoint);
  const ours = readMountinfo('self').find((entry) => entry.mountPoint === mountPoint);
  const changed = theirs?.shared !== undefined && ours?.shared === undefined;
  return changed ? { allowed: true } : { allowed: false, code: 'NOT_CHANGED' };
}

async function probe(dir: string): Promise<ForeignTrial> {
  const mountPoint = join(dir, 'probe');
  mkdirSync(mountPoint);
  sys.mount('probe', mountPoint, 'tmpfs', 0, null);
  const other = await otherNamespace();
  try {
    return tryForeignChange(other.pid!, mountPoint);
  } finally {
    other.stdin!.end();
    if (other.exitCode === null && other.signalCode === null) await once(other, 'exit');
  }
}

try {
  process.stdout.write(`${JSON.stringify(await withScratch(probe))}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
}
