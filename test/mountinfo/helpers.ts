// Test helpers: the kernel-captured fixtures, findmnt as an independent parser, and real mountinfo
// made by a child in its own private mount namespace (never in the test runner's).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const fixtureDir = new URL('./fixtures/', import.meta.url);

/** The text of a fixture captured from the kernel (`.gz` ones unpacked). */
export function fixture(name: string): string {
  const bytes = readFileSync(new URL(name, fixtureDir));
  return (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** Absolute path of a fixture file. */
export function fixturePath(name: string): string {
  return new URL(name, fixtureDir).pathname;
}

export const fixtureNames = ['escapes-and-propagation.txt', 'chroot-propagate-from.txt', 'host-20k-mounts.txt.gz'];

/** Whether this process may create a private mount namespace (root, unshare(1) present). */
export const canUnshare =
  spawnSync('unshare', ['-m', '--propagation', 'private', 'true'], { stdio: 'ignore' }).status === 0;

/** A statically linked busybox, which runs inside an empty chroot, or undefined. */
export const staticBusybox = ['/bin/busybox', '/usr/bin/busybox'].find(isStaticElf64);

/** Whether `path` is a 64-bit ELF executable without a PT_INTERP (dynamic loader) program header. */
function isStaticElf64(path: string): boolean {
  let elf: Buffer;
  try {
    elf = readFileSync(path);
  } catch {
    return false;
  }
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (elf.readUInt32LE(phoff + i * phentsize) === 3) return false;
  return true;
}

/** Whether findmnt(8) is installed. */
export const hasFindmnt = spawnSync('findmnt', ['--version'], { stdio: 'ignore' }).status === 0;

export interface ScratchMountinfo {
  /** The scratch tmpfs's mount point, where the script ran. */
  dir: string;
  /** The child's /proc/self/mountinfo, as bytes. */
  bytes: Buffer;
  /** The same, decoded as UTF-8. */
  text: string;
}

/**
 * Runs the sh `script` in a child under `unshare -m --propagation private`, in the directory of a
 * fresh tmpfs mounted there, and returns that child's /proc/self/mountinfo. `args` become "$@".
 */
export function scratchMountinfo(script: string, args: string[] = []): ScratchMountinfo {
  const wrapped = [
    'set -e',
    'D=$(mktemp -d)',
    'mount -t tmpfs scratch "$D"',
    'cd "$D"',
    script,
    'printf "%s\\n" "$D"',
    'cat /proc/self/mountinfo',
  ].join('\n');
  const child = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', wrapped, 'sh', ...args]);
  if (child.status !== 0) throw new Error(`scratch namespace script failed: ${child.stderr.toString()}`);
  const newline = child.stdout.indexOf(0x0a);
  const dir = child.stdout.subarray(0, newline).toString('utf8');
  rmdirSync(dir);
  const bytes = child.stdout.subarray(newline + 1);
  return { dir, bytes, text: bytes.toString('utf8') };
}

/** One mount as findmnt (libmount, an independent parser) reads it from a mountinfo file. */
export interface FindmntEntry {
  id: number;
  parent: number;
  'maj:min': string;
  fsroot: string;
  target: string;
  fstype: string;
  source: string | null;
  'vfs-options': string;
  'opt-fields': string | null;
}

/** findmnt's reading of the mountinfo file `path`, in file order. */
export function findmnt(path: string): FindmntEntry[] {
  const columns = 'ID,PARENT,MAJ:MIN,FSROOT,TARGET,FSTYPE,SOURCE,VFS-OPTIONS,OPT-FIELDS';
  const child = spawnSync('findmnt', ['-J', '--list', '-F', path, '-o', columns], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`findmnt failed: ${child.stderr}`);
  return (JSON.parse(child.stdout) as { filesystems: FindmntEntry[] }).filesystems;
}
