// mount(8)'s -o words for per-mount flags: the part of libmount's Linux option map that sets or
// clears mount(2)'s per-mount MS_* bits. Words are applied in order, so a later one undoes an
// earlier one ("ro,rw" is rw); words naming different bits all stay ("noatime,relatime" passes both,
// and the kernel makes that noatime). Every other word is filesystem data.
import { MOUNT_FLAGS, type MountFlag } from '../core/namespace.js';

/** What one -o word does to one per-mount flag. */
export interface FlagChange {
  readonly flag: MountFlag;
  readonly set: boolean;
}

/** Each flag's word sets it, and its negation clears it. */
const negations: Record<MountFlag, string> = {
  ro: 'rw',
  nosuid: 'suid',
  nodev: 'dev',
  noexec: 'exec',
  noatime: 'atime',
  nodiratime: 'diratime',
  relatime: 'norelatime',
  strictatime: 'nostrictatime',
  nosymfollow: 'symfollow',
};

const optionMap = new Map<string, readonly FlagChange[]>([
  ...MOUNT_FLAGS.map((flag) => [flag, [{ flag, set: true }]] as const),
  ...MOUNT_FLAGS.map((flag) => [negations[flag], [{ flag, set: false }]] as const),
  /* libmount's "defaults" sets no bit (rw, suid, dev, exec... are the absence of bits) */
  ['defaults', []],
]);

/** The flag changes of a per-mount -o word, or undefined when the word is filesystem data. */
export function flagChangesOf(word: string): readonly FlagChange[] | undefined {
  return optionMap.get(word);
}

/** `flags` with `changes` applied in order, listed in MOUNT_FLAGS order. */
export function applyFlagChanges(flags: readonly MountFlag[], changes: readonly FlagChange[]): MountFlag[] {
  const set = new Set(flags);
  for (const { flag, set: on } of changes) {
    if (on) set.add(flag);
    else set.delete(flag);
  }
  return MOUNT_FLAGS.filter((flag) => set.has(flag));
}

/** An -o list split as mount(8) splits it: the per-mount flag changes, and the filesystem data left. */
export function splitMountOptions(options: string): { changes: FlagChange[]; data: string[] } {
  const changes: FlagChange[] = [];
  const data: string[] = [];
  for (const word of options.split(',')) {
    const change = flagChangesOf(word);
    if (change !== undefined) changes.push(...change);
    else if (word !== '') data.push(word);
  }
  return { changes, data };
}
