// Test child (runs under unshare -m --propagation private), after the kernel selftest
// move_mount_set_group: two sibling processes, each in its own user and mount namespace, hold
// copies of one tmpfs; the first makes its copy shared. This process, which owns both user
// namespaces, joins the second copy into the first's group through O_PATH fds of
// /proc/PID/root paths. Prints both namespaces' view of the mount as JSON.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { withScratch } from '../../../src/process/scratch.js';
import { parse } from '../../../src/mountinfo/parse.js';
import * as sys from '../../../src/native/syscalls.js';
import { runScenario } from '../../../src/scenario/run.js';
import { setGroup, type SetGroupMethod } from '../../../src/set-group/set-group.js';

const method = (process.env.MOUNT_SET_GROUP_TEST_METHOD ?? 'auto') as SetGroupMethod;

/** A process in a new user and mount namespace that runs `setup`, says ready, and waits. */
async function sibling(setup: string): Promise<ChildProcess> {
  const child = spawn('unshare', ['-Urm', 'sh', '-c', `${setup} && echo ready && exec sleep 120`], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout! })) if (line === 'ready') return child;
  throw new Error(`sibling exited before it was ready: ${setup}`);
}

function mountIn(pid: number, mountPoint: string) {
  return parse(readFileSync(`/proc/${pid}/mountinfo`, 'utf8')).find((entry) => entry.mountPoint === mountPoint);
}

const result = await withScratch(async (dir) => {
  runScenario(new KernelNamespace(), 'mkdir a\nmount -t tmpfs t a', { cwd: dir });
  const a = `${dir}/a`;
  const first = await sibling(`mount --make-shared ${a}`);
  const second = await sibling('true');
  try {
    const [from, to] = [first, second].map((child) => sys.openPath(`/proc/${child.pid}/root${a}`)) as [number, number];
    const form = setGroup(from, to, { method });
    return { form, first: mountIn(first.pid!, a), second: mountIn(second.pid!, a), own: mountIn(process.pid, a) };
  } finally {
    first.kill();
    second.kill();
  }
});
process.stdout.write(JSON.stringify(result));
