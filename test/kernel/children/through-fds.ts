// Test child (runs under unshare -m --propagation private): set-group through O_PATH fds, on both
// sides and mixed with a path, and the errors fds can cause. Prints what it saw as JSON.
import { readFileSync } from 'node:fs';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { withScratch } from '../../../src/process/scratch.js';
import * as sys from '../../../src/native/syscalls.js';
import { runScenario } from '../../../src/scenario/run.js';
import { setGroup, type SetGroupMethod } from '../../../src/set-group/set-group.js';
import { MountError } from '../../../src/core/errors.js';

const method = (process.env.MOUNT_SET_GROUP_TEST_METHOD ?? 'auto') as SetGroupMethod;

function outcome(call: () => unknown): { ok: true } | { code: string; reason?: string; path?: unknown; dest?: unknown } {
  try {
    call();
    return { ok: true };
  } catch (error) {
    if (!(error instanceof MountError)) throw error;
    return { code: error.code, reason: error.reason, path: error.path, dest: error.dest };
  }
}

const result = await withScratch((dir) => {
  runScenario(new KernelNamespace(), 'mkdir a b c d\nmount -t tmpfs t a\nmkdir a/sub\nmount --bind a b\nmount --bind a c\nmount --bind a d\nmount --make-shared a', { cwd: dir });
  const [a, b, c, sub] = ['a', 'b', 'c', 'a/sub'].map((name) => sys.openPath(`${dir}/${name}`)) as [number, number, number, number];
  const closed = sys.openPath(dir);
  sys.close(closed);
  return {
    dir,
    bothFds: outcome(() => setGroup(a, b, { method })),
    pathAndFd: outcome(() => setGroup(`${dir}/a`, c, { method })),
    fdNotMountRoot: outcome(() => setGroup(sub, `${dir}/d`, { method })),
    closedFd: outcome(() => setGroup(a, closed, { method })),
    mountinfo: readFileSync('/proc/self/mountinfo', 'utf8'),
  };
});
process.stdout.write(JSON.stringify(result));
