// The probe's child: run by probe() under `unshare -m --propagation private`. Tries each form of
// set-group on two throwaway tmpfs mounts of one superblock and prints what worked as JSON.
import { join } from 'node:path';
import { makeJoinablePair, withScratch } from '../process/scratch.js';
import { readMountinfo } from '../process/read-mountinfo.js';
import { MountError } from '../core/errors.js';
import * as sys from '../native/syscalls.js';

export interface FormTrial {
  works: boolean;
  /** The errno name the kernel gave when the form failed. */
  code?: string;
}

/** The peer group of the topmost mount at `mountPoint`, read from /proc/self/mountinfo. */
function peerGroupAt(mountPoint: string): number | undefined {
  const entries = readMountinfo();
  return entries.filter((entry) => entry.mountPoint === mountPoint).at(-1)?.shared;
}

/** A form works when the call succeeds and the target really joined the source's group. */
function tryForm(call: () => void, source: string, target: string): FormTrial {
  try {
    call();
  } catch (error) {
    if (error instanceof MountError) return { works: false, code: error.code };
    throw error;
  }
  const joined = peerGroupAt(target) !== undefined && peerGroupAt(target) === peerGroupAt(source);
  return joined ? { works: true } : { works: false, code: 'NOT_JOINED' };
}

function probeForms(dir: string): { moveMount: FormTrial; mount: FormTrial } {
  const { MS_PRIVATE } = sys.addon().constants;
  const [source, target] = [join(dir, 'source'), join(dir, 'target')];
  makeJoinablePair(source, target, 'probe');
  const moveMount = tryForm(() => sys.moveMountSetGroup(source, target), source, target);
  sys.changePropagation(target, MS_PRIVATE);
  const mount = tryForm(() => sys.mountSetGroup(source, target), source, target);
  return { moveMount, mount };
}

try {
  process.stdout.write(`${JSON.stringify(await withScratch(probeForms))}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
}
