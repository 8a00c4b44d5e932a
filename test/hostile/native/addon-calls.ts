// The addon's every call, with good and hostile arguments, many times over: the workload
// scripts/sanitize.sh runs under valgrind (memcheck) and AddressSanitizer. Must run in a private
// mount namespace (withScratch refuses otherwise). Prints a count of calls and outcomes as JSON.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { withScratch } from '../../../src/process/scratch.js';
import { addon } from '../../../src/native/addon.js';
import { runScenario } from '../../../src/scenario/run.js';
import { setGroup } from '../../../src/set-group/set-group.js';
import { restoreScenarios } from '../../restore/scenarios.js';

const rounds = Number(process.argv[2] ?? 200);
const outcomes = new Map<string, number>();

/** Calls `call`, counting its result (a number: 0, an fd, or -errno) or the TypeError it threw. */
function count(name: string, call: () => unknown): unknown {
  let key: string;
  let value: unknown;
  try {
    value = call();
    key = typeof value === 'number' && value < 0 ? `${name}: -errno ${-value}` : `${name}: ok`;
  } catch (error) {
    key = `${name}: ${(error as Error & { code?: string }).code ?? (error as Error).name}`;
  }
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  return value;
}

/** 4095 bytes naming `start`, then a 3-byte character: a string one multibyte character past PATH_MAX. */
function pastPathMax(start: string): string {
  let path = start;
  while (path.length + 2 <= 4095) path += '/.';
  return `${path.length < 4095 ? `${path}/` : path}€`;
}

function round(dir: string, i: number): void {
  const a = addon();
  const { MS_BIND, MS_SHARED, MS_PRIVATE, MS_REC, MNT_DETACH, OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC } = a.constants;
  const [src, dst, file] = [join(dir, `s${i}`), join(dir, `d${i}`), join(dir, `f${i}`)];
  mkdirSync(src);
  mkdirSync(dst);
  writeFileSync(file, '');
  count('mount tmpfs', () => a.mount('sanitize', src, 'tmpfs', 0, 'size=1m,mode=755'));
  count('mount bind', () => a.mount(src, dst, null, MS_BIND, null));
  count('make shared', () => a.changePropagation(src, MS_SHARED));
  count('move_mount set-group paths', () => a.moveMountSetGroup(src, dst));
  count('make private', () => a.changePropagation(dst, MS_PRIVATE | MS_REC));
  const [srcFd, dstFd] = [a.openPath(src), a.openPath(dst)];
  count('move_mount set-group fds', () => a.moveMountSetGroup(srcFd, dstFd));
  count('move_mount set-group fd and path', () => a.moveMountSetGroup(srcFd, dst));
  count('mount(2) set-group', () => a.mountSetGroup(src, dst));
  const tree = count('open_tree clone', () => a.openTree(src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) as number;
  if (tree >= 0) count('close tree', () => a.close(tree));
  count('close', () => a.close(srcFd));
  count('close', () => a.close(dstFd));
  count('close closed', () => a.close(srcFd));
  // Hostile arguments: refused in C++ (TypeError) or by the kernel (-errno), never a bad access.
  count('too long', () => a.openPath(`/${'x'.repeat(5000)}`));
  count('past PATH_MAX by a multibyte character', () => a.openPath(pastPathMax(src)));
  count('mount data too long', () => a.mount('sanitize', dst, 'tmpfs', 0, 'x'.repeat(70_000)));
  count('NUL', () => a.openPath(`${src}\0/x`));
  count('not a string', () => a.mount(null, 42 as never, null, 0, null));
  count('no arguments', () => (a.umount2 as () => number)());
  count('fd NaN', () => a.close(Number.NaN));
  count('fd 2^32 + 1', () => a.close(2 ** 32 + 1));
  count('fd 1.5', () => a.moveMountSetGroup(1.5, dst));
  count('flags 2^40', () => a.umount2(dst, 2 ** 40));
  count('flags -1', () => a.changePropagation(dst, -1));
  count('object as a path', () => a.moveMountSetGroup({ toString: () => src } as never, dst));
  count('symlink loop', () => a.mount(join(dir, 'loop'), dst, null, MS_BIND, null));
  count('file as mount point', () => a.mount(src, join(file, 'x'), null, MS_BIND, null));
  count('umount', () => a.umount2(dst, MNT_DETACH));
  count('umount', () => a.umount2(src, MNT_DETACH));
  count('umount not mounted', () => a.umount2(src, 0));
}

const summary = await withScratch((dir) => {
  const ns = new KernelNamespace();
  ns.mkdir(join(dir, 'scenarios'));
  writeFileSync(join(dir, 'x'), '');
  symlinkSync('loop', join(dir, 'loop'));
  for (let i = 0; i < rounds; i++) round(dir, i);
  // The restore scenarios and set-group through the TypeScript layer, errors explained.
  for (const [name, script] of Object.entries(restoreScenarios)) {
    const cwd = join(dir, 'scenarios', name);
    ns.mkdir(cwd);
    ns.mount('tmpfs', name, cwd);
    const failures = runScenario(ns, script, { cwd }).failures.length;
    count(`scenario ${name}${failures > 0 ? ' (failed lines)' : ''}`, () => undefined);
  }
  count('setGroup explained', () => setGroup(join(dir, 'scenarios'), join(dir, 'x')));
  return Object.fromEntries([...outcomes].sort());
});
process.stdout.write(`${JSON.stringify(summary, null, 1)}\n`);
