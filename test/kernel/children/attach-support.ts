// Test helpers for the attach suite's children: outcomes as JSON, and "containers" as a runtime
// makes them. A container is a process in a new private mount namespace (unshare -m --propagation private, or unshare -Urm for a
// rootless one) whose root is a bind-mounted rootfs it pivots into, with a volume at /data (a bind
// of the host's source, made private), a tmpfs of its own at /other, /usr, /proc and /dev bound in. It
// then runs a shell that executes one command line at a time from stdin inside the container and
// answers `done STATUS`; it exits when stdin closes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { MountError } from '../../../src/core/errors.js';

/** What a call came to: its value, or the fields of the error it threw. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; name: string; code?: string; syscall?: string; reason?: string; message: string };

export async function outcome<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const { code } = error as { code?: string };
    const mount = error instanceof MountError ? { syscall: error.syscall, reason: error.reason } : {};
    return { ok: false, name: error.name, code, message: error.message, ...mount };
  }
}

export interface Container {
  pid: number;
  /** Runs a shell command line inside the container; resolves with its exit status. */
  run(command: string): Promise<number>;
  stop(): void;
}

/** The shell the container ends in: one command line in, `done STATUS` out. */
const serve = 'echo ready; while read -r line; do eval "$line" >/dev/null 2>&1; echo "done $?"; done';

function setupScript(rootfs: string, source: string): string {
  return [
    'set -e',
    `mount --bind ${rootfs} ${rootfs}`,
    `cd ${rootfs}`, // onto the bind mount, which becomes the container's root
    `mount --bind ${source} data`,
    'mount --make-private data',
    'mount -t tmpfs other other',
    'mount --rbind /usr usr',
    'mount --rbind /proc proc',
    'mount --rbind /dev dev',
    'pivot_root . .',
    'umount -l .',
    'cd /',
    `exec /bin/sh -c '${serve}'`,
  ].join('\n');
}

function makeRootfs(rootfs: string): void {
  for (const dir of ['data', 'other', 'usr', 'proc', 'dev']) mkdirSync(`${rootfs}/${dir}`, { recursive: true });
  for (const dir of ['bin', 'sbin', 'lib', 'lib64']) symlinkSync(`usr/${dir}`, `${rootfs}/${dir}`);
}

async function firstLine(lines: Interface, child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`container exited (${code}) before it answered`));
    child.once('exit', onExit);
    lines.once('line', (line) => {
      child.off('exit', onExit);
      resolve(line);
    });
  });
}

/** Starts a container whose /data is a private bind of `source`, with its rootfs under `rootfs`. */
export async function startContainer(rootfs: string, source: string, options: { rootless?: boolean } = {}): Promise<Container> {
  makeRootfs(rootfs);
  const unshare = options.rootless ? ['-Urm'] : ['-m', '--propagation', 'private'];
  const child = spawn('unshare', [...unshare, '--', 'sh', '-c', setupScript(rootfs, source)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const ready = await firstLine(lines, child);
  if (ready !== 'ready') throw new Error(`container said ${ready}`);
  return {
    pid: child.pid!,
    async run(command) {
      child.stdin!.write(`${command}\n`);
      return Number((await firstLine(lines, child)).replace('done ', ''));
    },
    stop: () => child.stdin!.end(),
  };
}
